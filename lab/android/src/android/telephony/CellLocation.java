package android.telephony;

/** Stand-in for android.telephony.CellLocation. */
public abstract class CellLocation {
}
