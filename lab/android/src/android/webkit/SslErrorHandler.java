package android.webkit;

/** Stand-in for android.webkit.SslErrorHandler. */
public class SslErrorHandler {
    private Boolean proceeded;
    public void proceed() { proceeded = Boolean.TRUE; }
    public void cancel() { proceeded = Boolean.FALSE; }
    public boolean proceeded() { return Boolean.TRUE.equals(proceeded); }
}
