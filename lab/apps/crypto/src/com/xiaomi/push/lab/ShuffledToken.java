package com.xiaomi.push.lab;

import android.content.Context;
import android.telephony.TelephonyManager;
import java.nio.charset.StandardCharsets;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import privmon.lab.Lab;
import privmon.lab.Net;

/** A push SDK that encodes with a base64 alphabet of its own (its own table, its own code): the
 *  encrypted registration in a header, and the IMEI itself in the query. */
public final class ShuffledToken {
    private static final char[] TABLE = "0l2w+sdqQKZYBDWN6km5GLF1y7hUoRMHbScOafXzvrxEtJp/Cje983iPgI4uATnV".toCharArray();

    private ShuffledToken() {}

    static String encode(byte[] data) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < data.length; i += 3) {
            int n = (data[i] & 0xff) << 16;
            int count = Math.min(3, data.length - i);
            if (count > 1) n |= (data[i + 1] & 0xff) << 8;
            if (count > 2) n |= data[i + 2] & 0xff;
            for (int j = 0; j < count + 1; j++) {
                out.append(TABLE[(n >> (18 - 6 * j)) & 0x3f]);
            }
        }
        return out.toString();
    }

    public static void hello(Context context) throws Exception {
        TelephonyManager tm = (TelephonyManager) context.getSystemService(Context.TELEPHONY_SERVICE);
        String imei = tm.getDeviceId();
        String registration = "{\"regid\":\"lab-reg\",\"imei\":\"" + imei + "\",\"model\":\"LAB-PHONE\",\"sdk\":\"5.1.0\"}";
        Cipher aes = Cipher.getInstance("AES/CBC/PKCS5Padding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec("xm-lab-static-k1".getBytes(StandardCharsets.US_ASCII), "AES"),
                new IvParameterSpec(new byte[16]));
        byte[] plain = registration.getBytes(StandardCharsets.UTF_8);
        byte[] sealed = new byte[aes.getOutputSize(plain.length) + 7];
        int length = aes.doFinal(plain, 0, plain.length, sealed, 7); // into a buffer of its own, at an offset
        String token = encode(java.util.Arrays.copyOfRange(sealed, 7, 7 + length));
        int status = Net.send("GET", "https://register.xmpush.xiaomi.com/pass/v2/register?d="
                + java.net.URLEncoder.encode(encode(imei.getBytes(StandardCharsets.UTF_8)), "UTF-8"),
                null, (byte[]) null, new String[] {"X-Push-Token", token});
        Lab.log("shuffled token: sent (" + status + ")");
    }
}
