package privmon.lab;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/** The simulated device's state: identifiers and settings, read from the properties file the
 *  privmon lab runner writes from a device profile (-Dprivmon.device=PATH). */
public final class Device {
    private static Properties props;

    private Device() {}

    public static synchronized String get(String key, String fallback) {
        if (props == null) {
            props = new Properties();
            String path = System.getProperty("privmon.device");
            if (path != null) {
                try (InputStreamReader in = new InputStreamReader(new FileInputStream(path), StandardCharsets.UTF_8)) {
                    props.load(in);
                } catch (IOException e) {
                    throw new IllegalStateException("cannot read device profile " + path, e);
                }
            }
        }
        return props.getProperty(key, fallback);
    }
}
