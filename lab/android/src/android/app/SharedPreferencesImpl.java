package android.app;

import android.content.SharedPreferences;
import java.util.HashMap;
import java.util.Map;

/** Stand-in for android.app.SharedPreferencesImpl: in memory, written through to the lab device's
 *  app data (privmon.lab.AppData) so that it outlives the app's process. */
final class SharedPreferencesImpl implements SharedPreferences {
    private final Map<String, Object> values = new HashMap<>();
    private final String packageName;
    private final String name;

    SharedPreferencesImpl(String packageName, String name) {
        this.packageName = packageName;
        this.name = name;
        privmon.lab.AppData.load(packageName, name, values);
    }

    public final class EditorImpl implements Editor {
        private final Map<String, Object> pending = new HashMap<>();

        public Editor putString(String key, String value) { pending.put(key, value); return this; }
        public Editor putBoolean(String key, boolean value) { pending.put(key, value); return this; }
        public Editor putInt(String key, int value) { pending.put(key, value); return this; }
        public Editor putLong(String key, long value) { pending.put(key, value); return this; }
        public void apply() {
            values.putAll(pending);
            privmon.lab.AppData.save(packageName, name, values);
        }
        public boolean commit() { apply(); return true; }
    }

    public Editor edit() { return new EditorImpl(); }

    public String getString(String key, String defValue) {
        Object value = values.get(key);
        return value == null ? defValue : value.toString();
    }
}
