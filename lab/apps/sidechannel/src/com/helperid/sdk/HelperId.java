package com.helperid.sdk;

import java.nio.charset.StandardCharsets;
import privmon.lab.Lab;
import privmon.lab.Net;

/** Starts a helper program of its own that reads the Wi-Fi MAC in its own process. */
public final class HelperId {
    private HelperId() {}

    public static void run() throws Exception {
        String helper = System.getProperty("privmon.lab.appDir") + "/helper/macid.sh";
        Process process = new ProcessBuilder("/bin/sh", helper).start();
        String id = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        process.waitFor();
        int status = Net.send("GET", "http://hid.helperid.cn/h?id=" + id, null, null);
        Lab.log("helperid: sent (" + status + ")");
    }
}
