package androidx.core.app;

import android.app.Activity;

/** Stand-in for androidx.core.app.ActivityCompat. */
public class ActivityCompat {
    public static void requestPermissions(Activity activity, String[] permissions, int requestCode) {
        activity.requestPermissions(permissions, requestCode);
    }
}
