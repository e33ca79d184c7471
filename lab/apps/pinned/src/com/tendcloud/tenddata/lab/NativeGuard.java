package com.tendcloud.tenddata.lab;

import android.os.Build;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import privmon.lab.Lab;

/** An analytics SDK whose device fingerprint leaves from its own C program on OpenSSL, started
 *  as a child process, which pins its server: once in the TLS verify callback, once by comparing
 *  the certificate after the handshake. No CA on the phone and no Java-level unpinning makes it
 *  trust the proxy. */
public final class NativeGuard {
    private NativeGuard() {}

    public static void report(String pinCheck) throws Exception {
        String host = "guard.tenddata-sdk.cn";
        String address = InetAddress.getByName(host).getHostAddress();
        ProcessBuilder builder = new ProcessBuilder(System.getProperty("privmon.lab.nativeDir") + "/guardclient",
                address, host, System.getProperty("privmon.lab.serverCert"), "fp=" + Build.getSerial() + "&v=2", pinCheck);
        builder.redirectErrorStream(true);
        Process child = builder.start();
        String line;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            while ((line = out.readLine()) != null) {
                Lab.log("native guard: " + line);
            }
        }
        if (!child.waitFor(20, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            Lab.log("native guard: the child did not finish");
        }
    }
}
