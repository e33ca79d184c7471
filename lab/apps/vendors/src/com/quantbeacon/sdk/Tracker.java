package com.quantbeacon.sdk;

import android.content.Context;
import android.telephony.TelephonyManager;

/** An analytics SDK unknown to privmon's knowledge base: reads the IMEI at start and keeps it. */
public final class Tracker {
    private static String imei;

    private Tracker() {}

    public static void start(Context context) {
        imei = ((TelephonyManager) context.getSystemService(Context.TELEPHONY_SERVICE)).getDeviceId();
    }

    public static String cachedImei() {
        return imei;
    }
}
