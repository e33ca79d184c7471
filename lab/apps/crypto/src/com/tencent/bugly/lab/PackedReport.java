package com.tencent.bugly.lab;

import android.content.Context;
import android.net.wifi.WifiManager;
import android.telephony.TelephonyManager;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import privmon.lab.Lab;
import privmon.lab.Net;

/** A crash SDK that gzips its report, then encrypts it (AES/ECB, a static key) and posts the
 *  raw bytes. */
public final class PackedReport {
    private static final byte[] KEY = "bugly-lab-static".getBytes(StandardCharsets.US_ASCII);

    private PackedReport() {}

    public static void send(Context context) throws Exception {
        TelephonyManager tm = (TelephonyManager) context.getSystemService(Context.TELEPHONY_SERVICE);
        WifiManager wifi = (WifiManager) context.getSystemService(Context.WIFI_SERVICE);
        String report = "{\"crash\":\"none\",\"device\":{\"imei\":\"" + tm.getImei() + "\",\"mac\":\""
                + wifi.getConnectionInfo().getMacAddress() + "\"},\"threads\":[\"main\",\"lab-worker\"]}";
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(packed)) {
            gzip.write(report.getBytes(StandardCharsets.UTF_8));
        }
        Cipher aes = Cipher.getInstance("AES/ECB/PKCS5Padding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(KEY, "AES"));
        byte[] sealed = aes.doFinal(packed.toByteArray());
        int status = Net.send("POST", "https://android.bugly.qq.com/rqd/async", "application/octet-stream", sealed, new String[0]);
        Lab.log("packed report: sent (" + status + ")");
    }
}
