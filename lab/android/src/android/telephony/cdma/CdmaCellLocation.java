package android.telephony.cdma;

import android.telephony.CellLocation;

/** Stand-in for android.telephony.cdma.CdmaCellLocation. */
public class CdmaCellLocation extends CellLocation {
    public int getBaseStationId() { return 1337; }
    public int getNetworkId() { return 4; }
}
