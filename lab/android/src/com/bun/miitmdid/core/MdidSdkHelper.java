package com.bun.miitmdid.core;

import android.content.Context;
import com.bun.miitmdid.interfaces.IIdentifierListener;
import com.bun.miitmdid.interfaces.IdSupplier;
import privmon.lab.Device;

/** Stand-in for the MSA OAID SDK's entry point. */
public class MdidSdkHelper {
    public static int InitSdk(Context context, boolean isLogOn, IIdentifierListener listener) {
        listener.OnSupport(true, new IdSupplier() {
            public boolean isSupported() { return true; }
            public String getOAID() { return Device.get("oaid", null); }
            public String getVAID() { return Device.get("vaid", null); }
            public String getAAID() { return Device.get("aaid", null); }
        });
        return 0;
    }
}
