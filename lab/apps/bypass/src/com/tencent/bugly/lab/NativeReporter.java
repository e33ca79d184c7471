package com.tencent.bugly.lab;

import android.content.Context;
import android.os.Build;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
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
        Process child = builder.start();
        String line;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            while ((line = out.readLine()) != null) {
                Lab.log("native sdk: " + line);
            }
        }
        if (!child.waitFor(20, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            Lab.log("native sdk: the child did not finish");
        }
    }
}
