package android.hardware;

/** Stand-in for android.hardware.Sensor. */
public final class Sensor {
    public static final int TYPE_ACCELEROMETER = 1;
    public static final int TYPE_ALL = -1;
    @Override public String toString() { return "{Sensor name=\"lab-accelerometer\", vendor=\"privmon\", type=1}"; }
}
