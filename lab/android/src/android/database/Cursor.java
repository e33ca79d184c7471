package android.database;

/** Stand-in for android.database.Cursor. */
public interface Cursor extends java.io.Closeable {
    int getCount();
}
