package android.content;

/** Stand-in for android.content.ContentProviderClient. */
public class ContentProviderClient {
}
