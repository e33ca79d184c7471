package android.app.admin;

import android.content.ComponentName;
import privmon.lab.Device;

/** Stand-in for android.app.admin.DevicePolicyManager. */
public class DevicePolicyManager {
    public String getWifiMacAddress(ComponentName admin) { return Device.get("wifi_mac", null); }
}
