package android.app;

import android.content.SharedPreferences;
import java.util.HashMap;
import java.util.Map;

/** Stand-in for android.app.SharedPreferencesImpl, in memory. */
final class SharedPreferencesImpl implements SharedPreferences {
    private final Map<String, Object> values = new HashMap<>();

    public final class EditorImpl implements Editor {
        private final Map<String, Object> pending = new HashMap<>();

        public Editor putString(String key, String value) { pending.put(key, value); return this; }
        public Editor putBoolean(String key, boolean value) { pending.put(key, value); return this; }
        public Editor putInt(String key, int value) { pending.put(key, value); return this; }
        public Editor putLong(String key, long value) { pending.put(key, value); return this; }
        public void apply() { values.putAll(pending); }
        public boolean commit() { apply(); return true; }
    }

    public Editor edit() { return new EditorImpl(); }

    public String getString(String key, String defValue) {
        Object value = values.get(key);
        return value == null ? defValue : value.toString();
    }
}
