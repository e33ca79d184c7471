package android.telephony;

/** Stand-in for android.telephony.NeighboringCellInfo. */
public class NeighboringCellInfo {
    public int getCid() { return 27448; }
    @Override public String toString() { return "NeighboringCellInfo{cid=27448}"; }
}
