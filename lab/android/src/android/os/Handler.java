package android.os;

/** Stand-in for android.os.Handler. */
public class Handler {
}
