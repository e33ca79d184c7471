package android.location;

import android.os.Bundle;

/** Stand-in for android.location.Location. */
public class Location {
    private final String provider;
    private double latitude;
    private double longitude;

    public Location(String provider) { this.provider = provider; }

    public String getProvider() { return provider; }
    public double getLatitude() { return latitude; }
    public void setLatitude(double latitude) { this.latitude = latitude; }
    public double getLongitude() { return longitude; }
    public void setLongitude(double longitude) { this.longitude = longitude; }
    public double getAltitude() { return 12.5; }
    public float getAccuracy() { return 8.0f; }
    public float getBearing() { return 90.0f; }
    public float getBearingAccuracyDegrees() { return 5.0f; }
    public long getElapsedRealtimeNanos() { return 123_456_789L; }
    public Bundle getExtras() { return new Bundle(); }
    public float getSpeed() { return 1.2f; }
    public float getSpeedAccuracyMetersPerSecond() { return 0.5f; }
    public float getVerticalAccuracyMeters() { return 3.0f; }
    public long getTime() { return System.currentTimeMillis(); }
    @Override public String toString() { return "Location[" + provider + " " + latitude + "," + longitude + "]"; }
}
