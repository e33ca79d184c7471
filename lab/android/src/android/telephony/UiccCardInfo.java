package android.telephony;

import privmon.lab.Device;

/** Stand-in for android.telephony.UiccCardInfo. */
public final class UiccCardInfo {
    public String getIccId() { return Device.get("iccid", null); }
}
