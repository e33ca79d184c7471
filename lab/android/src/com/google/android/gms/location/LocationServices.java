package com.google.android.gms.location;

import android.content.Context;

/** Stand-in for Play services' LocationServices. */
public final class LocationServices {
    public static FusedLocationProviderClient getFusedLocationProviderClient(Context context) { return new FusedLocationProviderClient(); }
}
