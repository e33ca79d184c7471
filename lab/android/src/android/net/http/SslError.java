package android.net.http;

/** Stand-in for android.net.http.SslError. */
public class SslError {
    public static final int SSL_UNTRUSTED = 3;
    public int getPrimaryError() { return SSL_UNTRUSTED; }
}
