package com.tencent.bugly.lab;

import android.content.Context;
import android.os.Build;
import java.net.InetAddress;
import privmon.lab.Lab;

/** A crash-reporting SDK whose upload runs in native code in a child process (here a small client
 *  on OpenSSL): TLS that pins its own server, out of the Java runtime's reach. It first tries the
 *  helper built for another ABI, which this phone does not have: a fork that never runs a program. */
public final class NativeReporter {
    private NativeReporter() {}

    public static void report(Context context) throws Exception {
        String serial = Build.getSerial();
        String host = "native.shield-sdk.cn";
        String address = InetAddress.getByName(host).getHostAddress();
        try {
            new ProcessBuilder(System.getProperty("privmon.lab.appDir") + "/native/arm64-v8a/libshield_helper").start();
        } catch (java.io.IOException missing) {
            Lab.log("native sdk: no helper for this ABI, using the portable client");
        }
        ProcessBuilder builder = new ProcessBuilder(System.getProperty("privmon.lab.python", "python3"),
                System.getProperty("privmon.lab.appDir") + "/native/shield_client.py", address, host,
                System.getProperty("privmon.lab.serverCert"), "sn=" + serial + "&crash=0");
        builder.redirectErrorStream(true);
        Lab.logOutput("native sdk: ", builder.start());
    }
}
