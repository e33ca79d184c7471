package com.baidu.location;

import android.content.Context;

/** Stand-in for Baidu's location client, with its privacy-compliance call. */
public final class LocationClient {
    public LocationClient(Context context) {}

    public static void setAgreePrivacy(boolean agree) {}

    public void start() {}
    public void stop() {}
}
