package com.bun.miitmdid.interfaces;

/** Stand-in for the MSA OAID SDK's listener. */
public interface IIdentifierListener {
    void OnSupport(boolean isSupport, IdSupplier supplier);
}
