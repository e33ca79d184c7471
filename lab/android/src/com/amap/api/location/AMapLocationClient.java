package com.amap.api.location;

import android.content.Context;

/** Stand-in for AMap's location client, with its privacy-compliance calls. */
public class AMapLocationClient {
    public AMapLocationClient(Context context) {}

    public static void updatePrivacyShow(Context context, boolean isContains, boolean isShow) {}
    public static void updatePrivacyAgree(Context context, boolean isAgree) {}

    public void startLocation() {}
    public void stopLocation() {}
}
