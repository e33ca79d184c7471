package com.wifisdk.mac;

import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import privmon.lab.Lab;
import privmon.lab.Net;

/** Reads the Wi-Fi MAC from sysfs with plain Java file I/O (no WifiInfo call). */
public final class MacReader {
    private MacReader() {}

    public static void report() throws Exception {
        String mac;
        try (FileInputStream in = new FileInputStream("/sys/class/net/wlan0/address")) {
            mac = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        int status = Net.send("GET", "http://mac.wifisdk.cn/r?mac=" + mac, null, null);
        Lab.log("wifisdk: reported (" + status + ")");
    }
}
