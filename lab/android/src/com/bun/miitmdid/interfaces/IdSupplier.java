package com.bun.miitmdid.interfaces;

/** Stand-in for the MSA OAID SDK's IdSupplier. */
public interface IdSupplier {
    boolean isSupported();
    String getOAID();
    String getVAID();
    String getAAID();
}
