package io.adnexus.core;

/** A bid request that keeps a reference typed with Android's hidden ContextImpl: the class loads,
 *  but reflecting on its fields (as an agent converting it does) fails on this device. */
public final class BidRequest {
    private final String slot;
    private android.app.ContextImpl impl;

    public BidRequest(String slot) {
        this.slot = slot;
    }

    @Override
    public String toString() {
        return "BidRequest(" + slot + ")";
    }
}
