package android.location;

/** Stand-in for android.location.Location. */
public class Location {
    private final String provider;
    private double latitude;
    private double longitude;

    public Location(String provider) {
        this.provider = provider;
    }

    public String getProvider() {
        return provider;
    }

    public double getLatitude() {
        return latitude;
    }

    public void setLatitude(double latitude) {
        this.latitude = latitude;
    }

    public double getLongitude() {
        return longitude;
    }

    public void setLongitude(double longitude) {
        this.longitude = longitude;
    }
}
