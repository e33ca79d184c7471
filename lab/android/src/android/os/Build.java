package android.os;

import privmon.lab.Device;

/** Stand-in for android.os.Build. */
public class Build {
    public static final String MANUFACTURER = "privmon";
    public static final String MODEL = "Lab Phone";
    public static final String SERIAL = "unknown";

    public static String getSerial() { return Device.get("serial", "unknown"); }
    public static String getRadioVersion() { return Device.get("baseband", "LAB-BASEBAND-1.0"); }
}
