package io.adnexus.core;

import android.content.Context;
import android.telephony.TelephonyManager;
import privmon.lab.Lab;
import privmon.lab.Net;

/** An ad SDK unknown to privmon: reads the IMEI itself (after another SDK did) and sends it. */
public final class AdLoader {
    private AdLoader() {}

    public static void load(Context context) throws Exception {
        String imei = ((TelephonyManager) context.getSystemService(Context.TELEPHONY_SERVICE)).getImei();
        track(new BidRequest[] {new BidRequest("home"), new BidRequest("feed")}, imei);
        int status = Net.send("GET", "http://ads.adnexus.io/v2/bid?slot=home&imei=" + imei, null, null);
        Lab.log("adnexus: bid (" + status + ")");
    }

    /** The SDK's own bookkeeping (tests/data/vendors-hooks.yaml hooks it). */
    public static int track(BidRequest[] requests, String imei) {
        return requests.length ^ imei.length();
    }
}
