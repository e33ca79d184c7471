package android.media;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import privmon.lab.Device;

/** Stand-in for android.media.MediaDrm. */
public final class MediaDrm {
    public static final String PROPERTY_DEVICE_UNIQUE_ID = "deviceUniqueId";

    public MediaDrm(UUID uuid) {}

    public byte[] getPropertyByteArray(String propertyName) {
        if (PROPERTY_DEVICE_UNIQUE_ID.equals(propertyName)) {
            String hex = Device.get("widevine_id", "00");
            byte[] out = new byte[hex.length() / 2];
            for (int i = 0; i < out.length; i++) {
                out[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
            }
            return out;
        }
        return "lab".getBytes(StandardCharsets.UTF_8);
    }

    public String getPropertyString(String propertyName) { return "lab"; }
}
