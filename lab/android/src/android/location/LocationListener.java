package android.location;

/** Stand-in for android.location.LocationListener. */
public interface LocationListener {
    void onLocationChanged(Location location);
}
