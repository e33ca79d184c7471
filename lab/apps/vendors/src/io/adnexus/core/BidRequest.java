package io.adnexus.core;

/** A bid request that describes itself with Android's hidden LoadedApk: the class loads and
 *  reflecting on it works, but its toString() (what an agent converting it calls) fails on this
 *  device with NoClassDefFoundError, as SDK classes compiled against hidden APIs do on a phone. */
public final class BidRequest {
    private final String slot;
    private android.app.LoadedApk apk;

    public BidRequest(String slot) {
        this.slot = slot;
    }

    @Override
    public String toString() {
        return "BidRequest(" + slot + ", " + android.app.LoadedApk.class.getSimpleName() + ")";
    }
}
