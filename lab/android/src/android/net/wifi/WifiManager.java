package android.net.wifi;

import android.net.DhcpInfo;
import java.util.ArrayList;
import java.util.List;
import privmon.lab.Device;

/** Stand-in for android.net.wifi.WifiManager. */
public class WifiManager {
    public WifiInfo getConnectionInfo() { return new WifiInfo(); }

    public List<WifiConfiguration> getConfiguredNetworks() {
        List<WifiConfiguration> list = new ArrayList<>();
        list.add(new WifiConfiguration(Device.get("ssid", "lab")));
        return list;
    }

    public List<ScanResult> getScanResults() {
        List<ScanResult> list = new ArrayList<>();
        list.add(new ScanResult(Device.get("ssid", "lab"), Device.get("bssid", null)));
        list.add(new ScanResult("ChinaNet-7Q2x", "d8:32:14:aa:01:9c"));
        return list;
    }

    public int getWifiState() { return 3; }
    public DhcpInfo getDhcpInfo() { return new DhcpInfo(); }
}
