package com.umeng.commonsdk;

import android.content.Context;
import android.provider.Settings;
import android.telephony.TelephonyManager;
import privmon.lab.Lab;
import privmon.lab.Net;

/** A lab stand-in for the Umeng SDK's configuration API, in Umeng's real namespace and with its
 *  real signatures. Like SDKs that ignore the host app's consent flow, init() reads identifiers
 *  at once and reports them to Umeng's host, the IMEI as an MD5 hex digest. */
public final class UMConfigure {
    private UMConfigure() {}

    public static void preInit(Context context, String appkey, String channel) {}

    public static void submitPolicyGrantResult(Context context, boolean granted) {}

    public static void init(Context context, String appkey, String channel, int deviceType, String pushSecret) {
        TelephonyManager telephony = (TelephonyManager) context.getSystemService(Context.TELEPHONY_SERVICE);
        String imei = telephony.getDeviceId();
        String androidId = Settings.Secure.getString(context.getContentResolver(), Settings.Secure.ANDROID_ID);
        try {
            String body = "{\"appkey\":\"" + appkey + "\",\"channel\":\"" + channel + "\",\"imei_md5\":\""
                    + Net.md5Hex(imei) + "\",\"android_id\":\"" + androidId + "\",\"sdk_version\":\"9.6.3\"}";
            int status = Net.send("POST", "https://ulogs.umeng.com/unify_logs", "application/json", body);
            Lab.log("umeng: reported device (" + status + ")");
        } catch (Exception e) {
            Lab.log("umeng: report failed: " + e);
        }
    }
}
