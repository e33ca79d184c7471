package com.sensorsdata.analytics.lab;

import android.content.Context;
import java.nio.charset.StandardCharsets;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import privmon.lab.Lab;
import privmon.lab.Net;

/** An analytics SDK that encrypts a heartbeat holding no personal information: a ciphertext alone
 *  is no finding. */
public final class OpaqueBeacon {
    private OpaqueBeacon() {}

    public static void beat(Context context) throws Exception {
        String beat = "{\"event\":\"$AppStart\",\"lib\":\"Android\",\"lib_version\":\"6.8.0\",\"seq\":1}";
        Cipher aes = Cipher.getInstance("AES/ECB/PKCS5Padding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec("sa-lab-static-k2".getBytes(StandardCharsets.US_ASCII), "AES"));
        String data = android.util.Base64.encodeToString(aes.doFinal(beat.getBytes(StandardCharsets.UTF_8)), android.util.Base64.NO_WRAP);
        int status = Net.send("POST", "http://sdk.sensorsdata.cn/sa?project=lab", "application/x-www-form-urlencoded",
                "data=" + java.net.URLEncoder.encode(data, "UTF-8") + "&gzip=0");
        Lab.log("opaque beacon: sent (" + status + ")");
    }
}
