package com.igexin.lab;

import android.content.Context;
import android.telephony.TelephonyManager;
import privmon.lab.Lab;
import privmon.lab.Net;

/** A push SDK in the Getui namespace: registers the device (IMEI as MD5) the moment it starts. */
public final class PushSdk {
    private PushSdk() {}

    public static String deviceId(Context context) {
        TelephonyManager tm = (TelephonyManager) context.getSystemService(Context.TELEPHONY_SERVICE);
        return tm.getDeviceId();
    }

    public static void register(Context context) throws Exception {
        String body = "{\"appid\":\"lab\",\"cid\":\"" + Net.md5Hex(deviceId(context)) + "\"}";
        int status = Net.send("POST", "https://sdk.open.getui.com/api/register", "application/json", body);
        Lab.log("push sdk: registered (" + status + ")");
    }
}
