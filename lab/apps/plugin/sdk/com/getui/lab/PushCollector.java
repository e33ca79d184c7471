package com.getui.lab;

import android.content.Context;
import android.telephony.TelephonyManager;

/** A lab "SDK" that is not on the app's class path: the app loads it at run time through its
 *  own class loader, as plugin frameworks and hot-fix SDKs do with DexClassLoader. */
public class PushCollector {
    public String collect(Context context) {
        TelephonyManager tm = (TelephonyManager) context.getSystemService(Context.TELEPHONY_SERVICE);
        return "cid=" + tm.getSubscriberId();
    }
}
