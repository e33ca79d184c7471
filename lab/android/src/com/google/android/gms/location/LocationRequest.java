package com.google.android.gms.location;

/** Stand-in for Play services' LocationRequest. */
public class LocationRequest {
}
