package android.os;

import privmon.lab.Device;

/** Stand-in for the hidden android.os.SystemProperties. */
public class SystemProperties {
    public static String get(String key) { return get(key, ""); }

    public static String get(String key, String def) {
        if ("ro.serialno".equals(key) || "ro.boot.serialno".equals(key)) {
            return Device.get("serial", def);
        }
        return Device.get("prop." + key, def);
    }
}
