package android.database;

/** Stand-in for android.database.ContentObserver. */
public abstract class ContentObserver {
    public void onChange(boolean selfChange) {}
}
