package com.huawei.hms.ads.identifier;

import android.content.Context;
import privmon.lab.Device;

/** Stand-in for the vendor's OAID client. */
public class AdvertisingIdClient {
    public static final class Info {
        private final String id;

        public Info(String id) { this.id = id; }

        public String getId() { return id; }
        public boolean isLimitAdTrackingEnabled() { return false; }
        @Override public String toString() { return id; }
    }

    public static Info getAdvertisingIdInfo(Context context) {
        return new Info(Device.get("oaid", null));
    }
}
