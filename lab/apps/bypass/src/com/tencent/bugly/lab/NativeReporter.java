package com.tencent.bugly.lab;

import android.content.Context;
import android.os.Build;
import java.net.InetAddress;
import privmon.lab.Lab;

/** A crash-reporting SDK whose upload runs in native code in a child process (here a small client
 *  on OpenSSL): TLS that pins its own server, out of the Java runtime's reach. */
public final class NativeReporter {
    private NativeReporter() {}

    public static void report(Context context) throws Exception {
        String serial = Build.getSerial();
        String host = "native.shield-sdk.cn";
        String address = InetAddress.getByName(host).getHostAddress();
        ProcessBuilder builder = new ProcessBuilder(System.getProperty("privmon.lab.python", "python3"),
                System.getProperty("privmon.lab.appDir") + "/native/shield_client.py", address, host,
                System.getProperty("privmon.lab.serverCert"), "sn=" + serial + "&crash=0");
        builder.redirectErrorStream(true);
        Lab.logOutput("native sdk: ", builder.start());
    }
}
