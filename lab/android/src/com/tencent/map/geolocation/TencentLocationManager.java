package com.tencent.map.geolocation;

import android.content.Context;

/** Stand-in for Tencent's location manager, with its privacy-compliance call. */
public final class TencentLocationManager {
    private static final TencentLocationManager INSTANCE = new TencentLocationManager();

    public static TencentLocationManager getInstance(Context context) { return INSTANCE; }
    public static void setUserAgreePrivacy(boolean isAgree) {}

    public int requestLocationUpdates(TencentLocationRequest request, TencentLocationListener listener) { return 0; }
}
