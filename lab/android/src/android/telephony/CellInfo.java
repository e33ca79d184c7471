package android.telephony;

/** Stand-in for android.telephony.CellInfo. */
public class CellInfo {
    @Override public String toString() { return "CellInfoLte{mcc=460 mnc=01 ci=27447 pci=301 tac=6212}"; }
}
