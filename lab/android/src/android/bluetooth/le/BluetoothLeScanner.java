package android.bluetooth.le;

/** Stand-in for android.bluetooth.le.BluetoothLeScanner. */
public final class BluetoothLeScanner {
    public void startScan(ScanCallback callback) {}
}
