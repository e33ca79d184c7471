package android.provider;

import android.content.ContentResolver;
import privmon.lab.Device;

/** Stand-in for android.provider.Settings with its nested Secure class. */
public final class Settings {
    private Settings() {}

    public static final class Secure {
        public static final String ANDROID_ID = "android_id";

        private Secure() {}

        public static String getString(ContentResolver resolver, String name) {
            return Device.get("settings.secure." + name, null);
        }
    }
}
