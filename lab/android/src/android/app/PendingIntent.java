package android.app;

/** Stand-in for android.app.PendingIntent. */
public final class PendingIntent {
}
