package com.baidu.mobstat.lab;

import android.content.Context;
import android.provider.Settings;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import privmon.lab.Lab;

/** An SDK that writes its HTTP request by hand on a plain java.net.Socket. */
public final class SocketReporter {
    private SocketReporter() {}

    public static void report(Context context) throws Exception {
        String androidId = Settings.Secure.getString(context.getContentResolver(), Settings.Secure.ANDROID_ID);
        String body = "aid=" + androidId + "&ev=open";
        String request = "POST /collect HTTP/1.1\r\nHost: raw.sockdata.cn\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\n\r\n" + body;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("raw.sockdata.cn", 80), 10000);
            socket.setSoTimeout(10000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = in.readNBytes(12);
            Lab.log("socket sdk: " + new String(head, StandardCharsets.US_ASCII).trim());
        }
    }
}
