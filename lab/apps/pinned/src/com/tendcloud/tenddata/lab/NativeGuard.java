package com.tendcloud.tenddata.lab;

import android.os.Build;
import java.net.InetAddress;
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
        Lab.logOutput("native guard: ", builder.start());
    }
}
