package okhttp3;

/** Stand-in for OkHttp 3's RealCall (okhttp3.RealCall), delegating to the OkHttp 4 one. */
public final class RealCall implements Call {
    private final okhttp3.internal.connection.RealCall delegate;

    public RealCall(Request request) { this.delegate = new okhttp3.internal.connection.RealCall(request); }

    public Request request() { return delegate.request(); }
    public Response execute() throws java.io.IOException { return delegate.execute(); }
    public void enqueue(Callback callback) { delegate.enqueue(callback); }
}
