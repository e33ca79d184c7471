package com.baidu.mobstat.lab;

import android.content.Context;
import android.provider.Settings;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import privmon.lab.Lab;
import privmon.lab.Net;

/** A statistics SDK that sends a salted MD5 of the Android ID as its device id (hex by its own
 *  loop: no encoding API involved). */
public final class SaltedId {
    private static final String SALT = "mtj-lab-salt:";

    private SaltedId() {}

    public static void report(Context context) throws Exception {
        String androidId = Settings.Secure.getString(context.getContentResolver(), Settings.Secure.ANDROID_ID);
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        md5.update(SALT.getBytes(StandardCharsets.UTF_8));
        md5.update(androidId.getBytes(StandardCharsets.UTF_8));
        byte[] digest = md5.digest();
        char[] digits = "0123456789ABCDEF".toCharArray();
        StringBuilder cuid = new StringBuilder();
        for (byte b : digest) {
            cuid.append(digits[(b >> 4) & 0xf]).append(digits[b & 0xf]);
        }
        int status = Net.send("GET", "http://hmma.baidu.com/app.gif?v=1&cuid=" + cuid + "|0", null, null);
        Lab.log("salted id: sent (" + status + ")");
    }
}
