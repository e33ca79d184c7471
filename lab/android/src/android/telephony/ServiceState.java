package android.telephony;

/** Stand-in for android.telephony.ServiceState. */
public class ServiceState {
    public int getState() { return 0; }
    @Override public String toString() { return "ServiceState{voice=IN_SERVICE, operator=46001}"; }
}
