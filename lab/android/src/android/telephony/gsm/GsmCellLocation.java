package android.telephony.gsm;

import android.telephony.CellLocation;

/** Stand-in for android.telephony.gsm.GsmCellLocation. */
public class GsmCellLocation extends CellLocation {
    public int getCid() { return 27447; }
    public int getLac() { return 6212; }
    @Override public String toString() { return "[6212,27447,-1]"; }
}
