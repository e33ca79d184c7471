package privmon.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Properties;

/** The app's own data on the lab device (its SharedPreferences), kept in the session's folder
 *  (-Dprivmon.lab.dataDir) so that it outlives the app's process, as /data/data does on a phone:
 *  a second launch after a force-stop finds what the first one stored. In memory only without
 *  the property. */
public final class AppData {
    private AppData() {}

    private static Path file(String packageName, String name) {
        String dir = System.getProperty("privmon.lab.dataDir");
        if (dir == null || !name.matches("[A-Za-z0-9_.-]{1,100}")) {
            return null;
        }
        return Paths.get(dir, packageName, "shared_prefs", name + ".properties");
    }

    public static void load(String packageName, String name, Map<String, Object> into) {
        Path path = file(packageName, name);
        if (path == null || !Files.exists(path)) {
            return;
        }
        Properties stored = new Properties();
        try (InputStream in = Files.newInputStream(path)) {
            stored.load(in);
        } catch (IOException e) {
            Lab.log("app data: " + path + " unreadable: " + e);
            return;
        }
        for (String key : stored.stringPropertyNames()) {
            into.put(key, stored.getProperty(key));
        }
    }

    public static void save(String packageName, String name, Map<String, Object> values) {
        Path path = file(packageName, name);
        if (path == null) {
            return;
        }
        Properties stored = new Properties();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            stored.setProperty(e.getKey(), String.valueOf(e.getValue()));
        }
        try {
            Files.createDirectories(path.getParent());
            try (OutputStream out = Files.newOutputStream(path)) {
                stored.store(out, null);
            }
        } catch (IOException e) {
            Lab.log("app data: " + path + " not written: " + e);
        }
    }
}
