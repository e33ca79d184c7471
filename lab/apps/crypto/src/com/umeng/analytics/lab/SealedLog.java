package com.umeng.analytics.lab;

import android.content.Context;
import android.provider.Settings;
import android.telephony.TelephonyManager;
import java.nio.charset.StandardCharsets;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import privmon.lab.Lab;
import privmon.lab.Net;

/** An analytics SDK that seals its log with AES (a key and IV built into the SDK) and sends it
 *  base64-encoded inside JSON, and signs the request with an HMAC of the body; the log goes
 *  through the cipher in two calls. */
public final class SealedLog {
    private static final byte[] KEY = "um3ng-lab-key-16".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] IV = "um3ng-lab-iv-016".getBytes(StandardCharsets.US_ASCII);

    private SealedLog() {}

    public static void upload(Context context) throws Exception {
        TelephonyManager tm = (TelephonyManager) context.getSystemService(Context.TELEPHONY_SERVICE);
        String imei = tm.getDeviceId();
        String androidId = Settings.Secure.getString(context.getContentResolver(), Settings.Secure.ANDROID_ID);
        String log = "{\"header\":{\"imei\":\"" + imei + "\",\"android_id\":\"" + androidId
                + "\",\"os\":\"Android\"},\"events\":[{\"id\":\"launch\"}]}";
        Cipher aes = Cipher.getInstance("AES/CBC/PKCS5Padding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(KEY, "AES"), new IvParameterSpec(IV));
        java.io.ByteArrayOutputStream sealed = new java.io.ByteArrayOutputStream();
        sealed.write(aes.update(log.substring(0, 20).getBytes(StandardCharsets.UTF_8)));
        sealed.write(aes.doFinal(log.substring(20).getBytes(StandardCharsets.UTF_8)));
        String body = "{\"v\":2,\"data\":\"" + android.util.Base64.encodeToString(sealed.toByteArray(), android.util.Base64.NO_WRAP) + "\"}";
        // the request is signed: an HMAC of the body (which carries the sealed log) in a header
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("um3ng-sign-key".getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
        StringBuilder sign = new StringBuilder();
        for (byte b : mac.doFinal(body.getBytes(StandardCharsets.UTF_8))) {
            sign.append(String.format("%02x", b));
        }
        int status = Net.send("POST", "http://alog.umeng.com/app_logs", "application/json",
                body.getBytes(StandardCharsets.UTF_8), new String[] {"X-Sign", sign.toString()});
        Lab.log("sealed log: sent (" + status + ")");
    }
}
