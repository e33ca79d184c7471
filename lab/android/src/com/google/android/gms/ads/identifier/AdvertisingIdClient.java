package com.google.android.gms.ads.identifier;

import android.content.Context;
import privmon.lab.Device;

/** Stand-in for Google Play services' AdvertisingIdClient. */
public class AdvertisingIdClient {
    public static final class Info {
        private final String id;

        public Info(String id, boolean limitAdTracking) { this.id = id; }

        public String getId() { return id; }
        public boolean isLimitAdTrackingEnabled() { return false; }
    }

    public static Info getAdvertisingIdInfo(Context context) {
        return new Info(Device.get("advertising_id", null), false);
    }
}
