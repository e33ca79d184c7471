package com.android.id.impl;

import android.content.Context;
import privmon.lab.Device;

/** Stand-in for Xiaomi's identifier provider (MIUI). */
public class IdProviderImpl {
    public String getUDID(Context context) { return Device.get("udid", null); }
    public String getOAID(Context context) { return Device.get("oaid", null); }
    public String getVAID(Context context) { return Device.get("vaid", null); }
    public String getAAID(Context context) { return Device.get("aaid", null); }
}
