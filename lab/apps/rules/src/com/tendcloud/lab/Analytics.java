package com.tendcloud.lab;

import android.content.Context;
import android.location.LocationManager;
import privmon.lab.Lab;

/** An analytics SDK in the TalkingData namespace that polls the location. */
public final class Analytics {
    private Analytics() {}

    public static void pollLocation(Context context, int times, long everyMs) {
        LocationManager locations = (LocationManager) context.getSystemService(Context.LOCATION_SERVICE);
        for (int i = 0; i < times; i++) {
            locations.getLastKnownLocation(LocationManager.GPS_PROVIDER);
            Lab.pause(everyMs);
        }
    }
}
