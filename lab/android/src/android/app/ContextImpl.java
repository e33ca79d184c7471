package android.app;

import android.content.ComponentName;
import android.content.Context;
import android.content.Intent;
import android.content.ServiceConnection;
import android.content.SharedPreferences;

/** Stand-in for android.app.ContextImpl, the Context implementation apps really get. Starting
 *  another app's component does nothing here but is visible to the hooks. */
public class ContextImpl extends Context {
    public static final int PERMISSION_GRANTED = 0;

    public ContextImpl(String packageName) { super(packageName); }

    public static SharedPreferences newPreferences(String packageName, String name) {
        return new SharedPreferencesImpl(packageName, name);
    }

    public int checkSelfPermission(String permission) { return PERMISSION_GRANTED; }
    public int checkPermission(String permission, int pid, int uid) { return PERMISSION_GRANTED; }
    public void startActivity(Intent intent) {}
    public ComponentName startService(Intent intent) { return intent.getComponent(); }
    public boolean bindService(Intent service, ServiceConnection conn, int flags) { return true; }
}
