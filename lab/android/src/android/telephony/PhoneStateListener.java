package android.telephony;

/** Stand-in for android.telephony.PhoneStateListener. */
public class PhoneStateListener {
    public static final int LISTEN_CELL_LOCATION = 0x10;
}
