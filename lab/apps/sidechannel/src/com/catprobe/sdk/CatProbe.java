package com.catprobe.sdk;

import java.nio.charset.StandardCharsets;
import privmon.lab.Lab;
import privmon.lab.Net;

/** Reads the Wi-Fi MAC by running `cat` on its sysfs file. */
public final class CatProbe {
    private CatProbe() {}

    public static void run() throws Exception {
        Process process = new ProcessBuilder("cat", "/sys/class/net/wlan0/address").start();
        String mac = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        process.waitFor();
        int status = Net.send("GET", "http://t.catprobe.cn/m/" + mac.replace(":", ""), null, null);
        Lab.log("catprobe: sent (" + status + ")");
    }
}
