package com.bytedance.sdk.openadsdk.lab;

import android.content.Context;
import android.net.wifi.WifiManager;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import privmon.lab.Lab;
import privmon.lab.Net;

/** An SDK that tries QUIC (UDP 443) first, as Cronet does, and falls back to HTTPS over TCP. */
public final class QuicClient {
    private QuicClient() {}

    public static void sync(Context context) throws Exception {
        WifiManager wifi = (WifiManager) context.getSystemService(Context.WIFI_SERVICE);
        String mac = wifi.getConnectionInfo().getMacAddress();
        byte[] initial = ("QUIC-INITIAL mac=" + mac).getBytes(StandardCharsets.US_ASCII);
        try (DatagramSocket udp = new DatagramSocket()) {
            InetAddress server = InetAddress.getByName("quic.fastlane-sdk.cn");
            udp.send(new DatagramPacket(initial, initial.length, server, 443));
            Lab.log("quic sdk: sent over UDP 443");
            return;
        } catch (java.io.IOException e) {
            Lab.log("quic sdk: UDP 443 refused (" + e.getClass().getSimpleName() + "), falling back to TCP");
        }
        int status = Net.sendDirect("POST", "https://quic.fastlane-sdk.cn/sync", "text/plain", "mac=" + mac);
        Lab.log("quic sdk: sent over TCP (" + status + ")");
    }
}
