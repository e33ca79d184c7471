package android.location;

import android.app.PendingIntent;
import android.os.CancellationSignal;
import android.os.Looper;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import privmon.lab.Device;

/** Stand-in for android.location.LocationManager; the fix comes from the device profile. */
public class LocationManager {
    public static final String GPS_PROVIDER = "gps";
    public static final String NETWORK_PROVIDER = "network";

    private Location fix(String provider) {
        String lat = Device.get("location.latitude", null);
        String lon = Device.get("location.longitude", null);
        if (lat == null || lon == null) return null;
        Location location = new Location(provider);
        location.setLatitude(Double.parseDouble(lat));
        location.setLongitude(Double.parseDouble(lon));
        return location;
    }

    public Location getLastKnownLocation(String provider) { return fix(provider); }

    public void requestLocationUpdates(String provider, long minTimeMs, float minDistanceM, LocationListener listener) {
        listener.onLocationChanged(fix(provider));
    }

    public void requestSingleUpdate(String provider, LocationListener listener, Looper looper) {
        listener.onLocationChanged(fix(provider));
    }

    public void getCurrentLocation(String provider, CancellationSignal cancellationSignal, Executor executor, Consumer<Location> consumer) {
        executor.execute(() -> consumer.accept(fix(provider)));
    }

    public boolean addNmeaListener(OnNmeaMessageListener listener) { return true; }
    public void addProximityAlert(double latitude, double longitude, float radius, long expiration, PendingIntent intent) {}
    public String getBestProvider(Criteria criteria, boolean enabledOnly) { return GPS_PROVIDER; }
    public LocationProvider getProvider(String name) { return new LocationProvider(name); }
    public String getGnssHardwareModelName() { return "lab-gnss"; }
    public int getGnssYearOfHardware() { return 2023; }
}
