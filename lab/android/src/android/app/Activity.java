package android.app;

import privmon.lab.Lab;

/** Stand-in for android.app.Activity. */
public class Activity extends ContextImpl {
    public Activity(String packageName) { super(packageName); }

    public final void requestPermissions(String[] permissions, int requestCode) {
        // The lab's user denies the permissions listed in -Dprivmon.lab.deny (comma-separated).
        java.util.List<String> denied = java.util.Arrays.asList(System.getProperty("privmon.lab.deny", "").split(","));
        int[] results = new int[permissions.length];
        for (int i = 0; i < permissions.length; i++) {
            results[i] = denied.contains(permissions[i]) ? -1 : 0;
        }
        onRequestPermissionsResult(requestCode, permissions, results);
    }

    public void onRequestPermissionsResult(int requestCode, String[] permissions, int[] grantResults) {}
    protected void onResume() {}
    protected void onPause() {}

    public void finish() { Lab.log("activity finished: " + getClass().getName()); }

    /** The lab's stand-in for the system driving the lifecycle. */
    public void labResume() { onResume(); }
    public void labPause() { onPause(); }
}
