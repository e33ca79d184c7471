package android.telephony;

import privmon.lab.Device;

/** Stand-in for android.telephony.SubscriptionInfo. */
public class SubscriptionInfo {
    public String getIccId() { return Device.get("iccid", null); }
    public String getNumber() { return Device.get("phone_number", null); }
    public int getMcc() { return 460; }
    public int getMnc() { return 1; }
    @Override public String toString() { return "SubscriptionInfo{iccid=" + getIccId() + " number=" + getNumber() + "}"; }
}
