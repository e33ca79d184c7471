package android.location;

import android.content.Context;
import java.util.ArrayList;
import java.util.List;

/** Stand-in for android.location.Geocoder. */
public final class Geocoder {
    public Geocoder(Context context) {}

    public List<Address> getFromLocation(double latitude, double longitude, int maxResults) {
        List<Address> list = new ArrayList<>();
        list.add(new Address());
        return list;
    }

    public List<Address> getFromLocationName(String locationName, int maxResults) { return getFromLocation(0, 0, maxResults); }
}
