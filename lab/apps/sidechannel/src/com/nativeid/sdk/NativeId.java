package com.nativeid.sdk;

import privmon.lab.Lab;
import privmon.lab.Net;

/** An SDK that reads identifiers in native code (its JNI library): no Java API is called. */
public final class NativeId {
    private NativeId() {}

    private static native String readFile(String path);

    private static native String getProp(String name);

    private static native String cpuSerial();

    public static void collect() throws Exception {
        System.load(System.getProperty("privmon.lab.nativeDir") + "/libnativeid.so");
        String mac = readFile("/sys/class/net/wlan0/address");
        String serial = getProp("ro.serialno");
        String cpu = cpuSerial();
        Lab.log("nativeid: cpu serial " + (cpu != null && cpu.equals(serial) ? "matches" : "differs"));
        int status = Net.send("POST", "http://api.nativeid.cn/v1/d", "application/x-www-form-urlencoded",
                "m=" + mac + "&s=" + serial);
        Lab.log("nativeid: sent (" + status + ")");
    }
}
