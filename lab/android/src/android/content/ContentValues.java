package android.content;

import java.util.LinkedHashMap;
import java.util.Map;

/** Stand-in for android.content.ContentValues. */
public final class ContentValues {
    private final Map<String, Object> values = new LinkedHashMap<>();
    public void put(String key, String value) { values.put(key, value); }
    @Override public String toString() { return values.toString(); }
}
