package android.net.wifi;

/** Stand-in for android.net.wifi.ScanResult. */
public class ScanResult {
    public String SSID;
    public String BSSID;

    public ScanResult(String ssid, String bssid) { this.SSID = ssid; this.BSSID = bssid; }
    @Override public String toString() { return "SSID: " + SSID + ", BSSID: " + BSSID; }
}
