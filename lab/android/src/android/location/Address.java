package android.location;

/** Stand-in for android.location.Address. */
public class Address {
    @Override public String toString() { return "Address[addressLines=[0:\"上海市黄浦区人民大道200号\"],latitude=31.230416,longitude=121.473701]"; }
}
