package android.app;

import privmon.lab.Lab;

/** Stand-in for android.app.Activity. */
public class Activity extends ContextImpl {
    public Activity(String packageName) { super(packageName); }

    public final void requestPermissions(String[] permissions, int requestCode) {
        int[] results = new int[permissions.length];
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
