package android.content;

/** Stand-in for android.content.SharedPreferences. */
public interface SharedPreferences {
    interface Editor {
        Editor putString(String key, String value);
        Editor putBoolean(String key, boolean value);
        Editor putInt(String key, int value);
        Editor putLong(String key, long value);
        void apply();
        boolean commit();
    }

    Editor edit();
    String getString(String key, String defValue);
}
