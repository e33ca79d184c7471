package com.google.android.gms.location;

/** Stand-in for Play services' LocationCallback. */
public abstract class LocationCallback {
}
