package android.webkit;

import android.content.Context;
import java.util.Map;

/** Stand-in for android.webkit.WebView; pages are not fetched. */
public class WebView {
    private String url;

    public WebView(Context context) {}

    public void loadUrl(String url) { this.url = url; }
    public void loadUrl(String url, Map<String, String> additionalHttpHeaders) { this.url = url; }
    public String getUrl() { return url; }
}
