package android.webkit;

import android.net.http.SslError;

/** Stand-in for android.webkit.WebViewClient: by default a TLS error cancels the load. */
public class WebViewClient {
    public void onReceivedSslError(WebView view, SslErrorHandler handler, SslError error) {
        handler.cancel();
    }
}
