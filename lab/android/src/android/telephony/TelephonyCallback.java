package android.telephony;

/** Stand-in for android.telephony.TelephonyCallback. */
public class TelephonyCallback {
}
