package android.content;

/** Stand-in for android.content.ContentResolver. */
public class ContentResolver {
}
