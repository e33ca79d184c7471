package android.app;

import android.content.Intent;

/** Stand-in for android.app.Service. */
public abstract class Service extends ContextImpl {
    public static final int START_STICKY = 1;

    public Service(String packageName) { super(packageName); }

    public int onStartCommand(Intent intent, int flags, int startId) { return START_STICKY; }
}
