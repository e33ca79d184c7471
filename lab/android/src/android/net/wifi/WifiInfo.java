package android.net.wifi;

import privmon.lab.Device;

/** Stand-in for android.net.wifi.WifiInfo. */
public class WifiInfo {
    public String getMacAddress() { return Device.get("wifi_mac", "02:00:00:00:00:00"); }
    public String getSSID() { return "\"" + Device.get("ssid", "<unknown ssid>") + "\""; }
    public String getBSSID() { return Device.get("bssid", null); }

    public int getIpAddress() {
        String[] parts = Device.get("ip_address", "0.0.0.0").split("\\.");
        int ip = 0;
        for (int i = 3; i >= 0; i--) {
            ip = (ip << 8) | Integer.parseInt(parts[i]);
        }
        return ip;
    }

    @Override public String toString() { return "SSID: " + getSSID() + ", BSSID: " + getBSSID() + ", MAC: " + getMacAddress(); }
}
