package okhttp3;

/** Stand-in for okhttp3.Call. */
public interface Call {
    Request request();
    Response execute() throws java.io.IOException;
    void enqueue(Callback callback);
}
