package net.pushlane.client.a;

import android.content.Context;
import android.provider.Settings;
import privmon.lab.Lab;
import privmon.lab.Net;

/** A push SDK shipped obfuscated (ProGuard names): reads the Android ID and registers with it. */
public final class b {
    private b() {}

    public static void a(Context c) throws Exception {
        String d = Settings.Secure.getString(c.getContentResolver(), Settings.Secure.ANDROID_ID);
        int s = Net.send("POST", "http://push.pushlane.net/r", "application/json", "{\"t\":\"" + d + "\"}");
        Lab.log("pushlane: registered (" + s + ")");
    }
}
