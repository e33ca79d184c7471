package com.sensorsdata.analytics.lab;

import android.content.Context;
import android.telephony.TelephonyManager;
import privmon.lab.Lab;
import privmon.lab.Net;

/** An analytics SDK that builds its client with Proxy.NO_PROXY, over HTTP and HTTPS. */
public final class DirectUploader {
    private DirectUploader() {}

    public static void upload(Context context) throws Exception {
        TelephonyManager tm = (TelephonyManager) context.getSystemService(Context.TELEPHONY_SERVICE);
        String imei = tm.getDeviceId();
        int plain = Net.sendDirect("POST", "http://log.direct-sdk.cn/v1/log", "application/json",
                "{\"event\":\"launch\",\"imei\":\"" + imei + "\"}");
        int secure = Net.sendDirect("GET", "https://log.direct-sdk.cn/v1/cfg?did=" + imei, null, null);
        Lab.log("direct sdk: sent without the proxy (" + plain + ", " + secure + ")");
    }
}
