package android.content;

/** Stand-in for android.content.ServiceConnection. */
public interface ServiceConnection {
    void onServiceConnected(ComponentName name, Object service);
}
