package android.bluetooth;

import android.bluetooth.le.BluetoothLeScanner;
import java.util.LinkedHashSet;
import java.util.Set;
import privmon.lab.Device;

/** Stand-in for android.bluetooth.BluetoothAdapter. */
public final class BluetoothAdapter {
    private static final BluetoothAdapter DEFAULT = new BluetoothAdapter();

    public static BluetoothAdapter getDefaultAdapter() { return DEFAULT; }

    public String getName() { return Device.get("bluetooth_name", "Lab Phone"); }
    public String getAddress() { return Device.get("bluetooth_mac", "02:00:00:00:00:00"); }

    public Set<BluetoothDevice> getBondedDevices() {
        Set<BluetoothDevice> devices = new LinkedHashSet<>();
        devices.add(new BluetoothDevice("Lab Earbuds", "7c:96:d2:10:4e:21"));
        return devices;
    }

    public BluetoothLeScanner getBluetoothLeScanner() { return new BluetoothLeScanner(); }
}
