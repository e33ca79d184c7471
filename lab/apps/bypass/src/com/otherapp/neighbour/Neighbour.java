package com.otherapp.neighbour;

import android.content.Context;
import android.provider.Settings;
import android.telephony.TelephonyManager;
import privmon.lab.Net;

/** Another app on the same phone (a separate process, not under the agent): it sends the same
 *  identifiers through the same proxy while the app under test runs. None of it may appear in
 *  the app's session. */
public final class Neighbour {
    private Neighbour() {}

    public static void main(String[] args) throws Exception {
        Context context = new Context("com.otherapp.neighbour");
        TelephonyManager tm = (TelephonyManager) context.getSystemService(Context.TELEPHONY_SERVICE);
        String imei = tm.getDeviceId();
        String androidId = Settings.Secure.getString(context.getContentResolver(), Settings.Secure.ANDROID_ID);
        long until = System.currentTimeMillis() + Long.parseLong(System.getProperty("privmon.lab.neighbourMs", "4000"));
        int sent = 0;
        while (System.currentTimeMillis() < until && sent < 200) {
            Net.send("POST", "https://log.direct-sdk.cn/v1/log", "application/json",
                    "{\"app\":\"neighbour\",\"imei\":\"" + imei + "\",\"aid\":\"" + androidId + "\"}");
            sent++;
            Thread.sleep(50);
        }
        System.out.println("neighbour: sent " + sent);
    }
}
