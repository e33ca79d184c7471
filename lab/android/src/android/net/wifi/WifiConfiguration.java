package android.net.wifi;

/** Stand-in for android.net.wifi.WifiConfiguration. */
public class WifiConfiguration {
    public String SSID;

    public WifiConfiguration(String ssid) { this.SSID = ssid; }
    @Override public String toString() { return "SSID: " + SSID; }
}
