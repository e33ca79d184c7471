package com.xiaomi.push.lab;

import android.content.Context;
import android.telephony.TelephonyManager;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import privmon.lab.Lab;

/** A push SDK with its own line protocol on a long-lived TCP connection (not HTTP). */
public final class BeaconChannel {
    private BeaconChannel() {}

    public static void hello(Context context) throws Exception {
        TelephonyManager tm = (TelephonyManager) context.getSystemService(Context.TELEPHONY_SERVICE);
        String imsi = tm.getSubscriberId();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("tcp.beacon-sdk.cn", 5222), 10000);
            socket.setSoTimeout(10000);
            OutputStream out = socket.getOutputStream();
            out.write(("HELLO v=2 sub=" + imsi + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            Lab.log("beacon sdk: " + answer);
        }
    }
}
