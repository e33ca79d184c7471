package android.app;

import android.view.View;
import android.widget.Button;
import android.widget.LinearLayout;
import android.widget.TextView;
import privmon.lab.Lab;
import privmon.lab.Screen;

/** Stand-in for android.app.Activity. */
public class Activity extends ContextImpl {
    static final String PERMISSION_CONTROLLER = "com.android.permissioncontroller";

    public Activity(String packageName) { super(packageName); }

    public final void requestPermissions(String[] permissions, int requestCode) {
        int[] results = new int[permissions.length];
        for (int i = 0; i < permissions.length; i++) {
            results[i] = Screen.driven() ? askTheUser(permissions[i]) : testerAnswer(permissions[i]);
        }
        onRequestPermissionsResult(requestCode, permissions, results);
    }

    /** The lab's own tester denies the permissions listed in -Dprivmon.lab.deny (comma-separated). */
    private static int testerAnswer(String permission) {
        java.util.List<String> denied = java.util.Arrays.asList(System.getProperty("privmon.lab.deny", "").split(","));
        return denied.contains(permission) ? -1 : 0;
    }

    /** The system's permission dialog (another package's window, as on a phone), answered by whoever
     *  taps it; one left unanswered for -Dprivmon.lab.uiTimeoutMs counts as denied. */
    private int askTheUser(String permission) {
        final int[] result = {-1};
        Dialog dialog = new Dialog(new ContextImpl(PERMISSION_CONTROLLER));
        String name = permission.substring(permission.lastIndexOf('.') + 1).toLowerCase().replace('_', ' ');
        dialog.setTitle("Allow " + getPackageName() + " to " + name + "?");
        LinearLayout buttons = new LinearLayout(this);
        Button allow = new Button("While using the app");
        allow.labSetResourceId(PERMISSION_CONTROLLER + ":id/permission_allow_foreground_only_button");
        allow.setOnClickListener(v -> { result[0] = 0; dialog.dismiss(); });
        Button once = new Button("Only this time");
        once.labSetResourceId(PERMISSION_CONTROLLER + ":id/permission_allow_one_time_button");
        once.setOnClickListener(v -> { result[0] = 0; dialog.dismiss(); });
        Button deny = new Button("Don’t allow");
        deny.labSetResourceId(PERMISSION_CONTROLLER + ":id/permission_deny_button");
        deny.setOnClickListener(v -> { result[0] = -1; dialog.dismiss(); });
        buttons.addView(allow);
        buttons.addView(once);
        buttons.addView(deny);
        dialog.setContentView(buttons);
        dialog.show();
        if (!Screen.awaitAnswer(dialog, Lab.longProperty("privmon.lab.uiTimeoutMs", 60000))) {
            dialog.dismiss();
            Lab.log("permission dialog for " + permission + " left unanswered");
        }
        return result[0];
    }

    public void onRequestPermissionsResult(int requestCode, String[] permissions, int[] grantResults) {}
    protected void onResume() {}
    protected void onPause() {}

    public void finish() { Lab.log("activity finished: " + getClass().getName()); }

    /** The lab's stand-in for the system driving the lifecycle. */
    public void labResume() {
        Screen.resumed(this);
        onResume();
    }

    public void labPause() {
        onPause();
        Screen.paused(this);
    }
}
