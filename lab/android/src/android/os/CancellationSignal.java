package android.os;

/** Stand-in for android.os.CancellationSignal. */
public final class CancellationSignal {
}
