package android.telephony;

import privmon.lab.Device;

/** Stand-in for android.telephony.TelephonyManager; identifiers come from the device profile. */
public class TelephonyManager {
    public String getDeviceId() {
        return Device.get("imei", null);
    }

    public String getDeviceId(int slotIndex) {
        return Device.get("imei." + slotIndex, getDeviceId());
    }

    public String getImei() {
        return Device.get("imei", null);
    }

    public String getImei(int slotIndex) {
        return Device.get("imei." + slotIndex, getImei());
    }

    public String getSubscriberId() {
        return Device.get("imsi", null);
    }
}
