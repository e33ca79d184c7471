package android.content;

import android.content.pm.PackageManager;

/** Stand-in for android.content.Context: hands out the lab's system services. */
public class Context {
    public static final String TELEPHONY_SERVICE = "phone";
    public static final String TELEPHONY_SUBSCRIPTION_SERVICE = "telephony_subscription_service";
    public static final String LOCATION_SERVICE = "location";
    public static final String CLIPBOARD_SERVICE = "clipboard";
    public static final String WIFI_SERVICE = "wifi";
    public static final String CONNECTIVITY_SERVICE = "connectivity";
    public static final String ACTIVITY_SERVICE = "activity";
    public static final String USAGE_STATS_SERVICE = "usagestats";
    public static final String SENSOR_SERVICE = "sensor";
    public static final String POWER_SERVICE = "power";
    public static final String CAMERA_SERVICE = "camera";
    public static final String ALARM_SERVICE = "alarm";
    public static final String JOB_SCHEDULER_SERVICE = "jobscheduler";
    public static final String DEVICE_POLICY_SERVICE = "device_policy";
    public static final String MEDIA_PROJECTION_SERVICE = "media_projection";
    public static final String APPWIDGET_SERVICE = "appwidget";
    public static final int MODE_PRIVATE = 0;
    public static final int BIND_AUTO_CREATE = 1;

    private final String packageName;
    private final ContentResolver resolver = new ContentResolver();
    private final PackageManager packageManager = new android.app.ApplicationPackageManager();
    private final java.util.Map<String, SharedPreferences> prefs = new java.util.HashMap<>();

    public Context(String packageName) {
        this.packageName = packageName;
    }

    public String getPackageName() { return packageName; }
    public ContentResolver getContentResolver() { return resolver; }
    public PackageManager getPackageManager() { return packageManager; }

    public SharedPreferences getSharedPreferences(String name, int mode) {
        return prefs.computeIfAbsent(name, n -> android.app.ContextImpl.newPreferences(packageName, n));
    }

    public Object getSystemService(String name) {
        switch (name) {
            case TELEPHONY_SERVICE: return new android.telephony.TelephonyManager();
            case TELEPHONY_SUBSCRIPTION_SERVICE: return new android.telephony.SubscriptionManager();
            case LOCATION_SERVICE: return new android.location.LocationManager();
            case CLIPBOARD_SERVICE: return new ClipboardManager();
            case WIFI_SERVICE: return new android.net.wifi.WifiManager();
            case CONNECTIVITY_SERVICE: return new android.net.ConnectivityManager();
            case ACTIVITY_SERVICE: return new android.app.ActivityManager();
            case USAGE_STATS_SERVICE: return new android.app.usage.UsageStatsManager();
            case SENSOR_SERVICE: return new android.hardware.SensorManager();
            case POWER_SERVICE: return new android.os.PowerManager();
            case CAMERA_SERVICE: return new android.hardware.camera2.CameraManager();
            case ALARM_SERVICE: return new android.app.AlarmManager();
            case JOB_SCHEDULER_SERVICE: return new android.app.JobSchedulerImpl();
            case DEVICE_POLICY_SERVICE: return new android.app.admin.DevicePolicyManager();
            case MEDIA_PROJECTION_SERVICE: return new android.media.projection.MediaProjectionManager();
            case APPWIDGET_SERVICE: return new android.appwidget.AppWidgetManager();
            default: return null;
        }
    }
}
