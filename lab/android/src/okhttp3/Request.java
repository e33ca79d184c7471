package okhttp3;

/** Stand-in for okhttp3.Request (method, URL and a text body). */
public final class Request {
    private final String method;
    private final HttpUrl url;
    private final String contentType;
    private final String body;

    public Request(String method, String url, String contentType, String body) {
        this.method = method;
        this.url = HttpUrl.get(url);
        this.contentType = contentType;
        this.body = body;
    }

    public HttpUrl url() { return url; }
    public String method() { return method; }
    public String contentType() { return contentType; }
    public String body() { return body; }
}
