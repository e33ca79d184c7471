package android.os;

/** Stand-in for android.os.Looper. */
public final class Looper {
    public static Looper getMainLooper() { return new Looper(); }
}
