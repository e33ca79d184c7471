package android.bluetooth.le;

/** Stand-in for android.bluetooth.le.ScanCallback. */
public abstract class ScanCallback {
}
