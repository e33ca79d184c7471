package android.location;

/** Stand-in for android.location.LocationProvider. */
public class LocationProvider {
    private final String name;
    public LocationProvider(String name) { this.name = name; }
    public String getName() { return name; }
    @Override public String toString() { return name; }
}
