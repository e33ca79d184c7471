package android.content;

import android.content.pm.PackageManager;

/** Stand-in for android.content.Context: hands out the lab's system services. */
public class Context {
    public static final String TELEPHONY_SERVICE = "phone";
    public static final String LOCATION_SERVICE = "location";
    public static final String CLIPBOARD_SERVICE = "clipboard";

    private final String packageName;
    private final ContentResolver resolver = new ContentResolver();
    private final PackageManager packageManager = new PackageManager();

    public Context(String packageName) {
        this.packageName = packageName;
    }

    public String getPackageName() {
        return packageName;
    }

    public ContentResolver getContentResolver() {
        return resolver;
    }

    public PackageManager getPackageManager() {
        return packageManager;
    }

    public Object getSystemService(String name) {
        switch (name) {
            case TELEPHONY_SERVICE: return new android.telephony.TelephonyManager();
            case LOCATION_SERVICE: return new android.location.LocationManager();
            case CLIPBOARD_SERVICE: return new ClipboardManager();
            default: return null;
        }
    }
}
