package android.provider;

import android.content.ContentResolver;
import privmon.lab.Device;

/** Stand-in for android.provider.Settings: Secure and System reads go through the
 *  NameValueCache as on Android. */
public final class Settings {
    private Settings() {}

    public static class NameValueCache {
        private final String table;

        NameValueCache(String table) {
            this.table = table;
        }

        public String getStringForUser(ContentResolver cr, String name, int userHandle) {
            if ("android_id".equals(name)) {
                return Device.get("android_id", null);
            }
            return Device.get("settings." + table + "." + name, null);
        }
    }

    public static final class Secure {
        public static final String ANDROID_ID = "android_id";
        private static final NameValueCache CACHE = new NameValueCache("secure");

        private Secure() {}

        public static String getString(ContentResolver resolver, String name) {
            return getStringForUser(resolver, name, 0);
        }

        public static String getStringForUser(ContentResolver resolver, String name, int userHandle) {
            return CACHE.getStringForUser(resolver, name, userHandle);
        }
    }

    public static final class System {
        private static final NameValueCache CACHE = new NameValueCache("system");

        private System() {}

        public static String getString(ContentResolver resolver, String name) {
            return CACHE.getStringForUser(resolver, name, 0);
        }
    }
}
