package android.os;

/** Stand-in for android.os.Bundle. */
public final class Bundle {
    @Override public String toString() { return "Bundle[{satellites=9}]"; }
}
