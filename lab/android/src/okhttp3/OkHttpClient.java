package okhttp3;

/** Stand-in for okhttp3.OkHttpClient. */
public class OkHttpClient {
    public Call newCall(Request request) { return new okhttp3.internal.connection.RealCall(request); }
}
