package com.labapp.bypass;

import android.content.Context;
import com.xiaomi.push.lab.BeaconChannel;
import com.sensorsdata.analytics.lab.DirectUploader;
import com.bytedance.sdk.openadsdk.lab.QuicClient;
import com.baidu.mobstat.lab.SocketReporter;
import com.tencent.bugly.lab.NativeReporter;
import privmon.lab.Lab;

/** An app whose SDKs do not use the proxy: each sends identifiers its own way (docs/lab.md,
 *  "The bypass app"). A second process on the same proxy (Neighbour) sends the same identifiers
 *  at the same time; only this app's traffic belongs to the session. */
public final class BypassMain {
    private BypassMain() {}

    public static void main(String[] args) throws Exception {
        Context context = new Context("com.labapp.bypass");
        Lab.pause(1500); // the neighbour (another JVM) is sending by now
        Lab.attempt("direct", () -> DirectUploader.upload(context));
        Lab.attempt("socket", () -> SocketReporter.report(context));
        Lab.attempt("quic", () -> QuicClient.sync(context));
        Lab.attempt("beacon", () -> BeaconChannel.hello(context));
        Lab.attempt("native", () -> NativeReporter.report(context));
    }
}
