package com.umeng.commonsdk;

import android.content.Context;
import android.provider.Settings;
import android.telephony.TelephonyManager;
import privmon.lab.Lab;
import privmon.lab.Net;

/** A lab stand-in for the Umeng analytics SDK's initialiser, in Umeng's real namespace.
 *  Like SDKs that ignore the host app's consent flow, it reads identifiers as soon as it is
 *  initialised and reports them to its own host, the IMEI as an MD5 hex digest. */
public final class UMConfigure {
    private UMConfigure() {}

    public static void init(Context context, String appKey) throws Exception {
        TelephonyManager telephony = (TelephonyManager) context.getSystemService(Context.TELEPHONY_SERVICE);
        String imei = telephony.getDeviceId();
        String androidId = Settings.Secure.getString(context.getContentResolver(), Settings.Secure.ANDROID_ID);
        String body = "{\"appkey\":\"" + appKey + "\",\"imei_md5\":\"" + Net.md5Hex(imei)
                + "\",\"android_id\":\"" + androidId + "\",\"sdk_version\":\"9.6.3\"}";
        int status = Net.send("POST", "https://ulogs.umeng.com/unify_logs", "application/json", body);
        Lab.log("umeng: reported device (" + status + ")");
    }
}
