package okhttp3;

/** Stand-in for okhttp3.HttpUrl. */
public final class HttpUrl {
    private final String url;
    HttpUrl(String url) { this.url = url; }
    public static HttpUrl get(String url) { return new HttpUrl(url); }
    @Override public String toString() { return url; }
}
