package android.os;

/** Stand-in for android.os.PowerManager. */
public final class PowerManager {
    public boolean isInteractive() { return true; }
}
