package android.net;

/** Stand-in for android.net.Uri. */
public final class Uri {
    private final String text;

    private Uri(String text) { this.text = text; }

    public static Uri parse(String text) { return new Uri(text); }

    public String getAuthority() {
        int start = text.indexOf("://");
        if (start < 0) return null;
        int end = text.indexOf('/', start + 3);
        return end < 0 ? text.substring(start + 3) : text.substring(start + 3, end);
    }

    @Override public String toString() { return text; }
}
