package com.labapp.vault;

import android.content.Context;
import com.baidu.mobstat.lab.SaltedId;
import com.igexin.lab.WrappedKeyChannel;
import com.sensorsdata.analytics.lab.OpaqueBeacon;
import com.tencent.bugly.lab.PackedReport;
import com.umeng.analytics.lab.SealedLog;
import com.xiaomi.push.lab.ShuffledToken;
import privmon.lab.Lab;

/** An app whose SDKs encrypt, hash or encode what they upload (docs/lab.md, "The crypto app"):
 *  no pattern list predicts those bytes, only the crypto calls the hooks saw link them to the
 *  identifiers inside. One SDK encrypts data that holds no identifier at all. */
public final class VaultMain {
    private VaultMain() {}

    public static void main(String[] args) throws Exception {
        Context context = new Context("com.labapp.vault");
        Lab.attempt("sealed", () -> SealedLog.upload(context));
        Lab.attempt("wrapped", () -> WrappedKeyChannel.register(context));
        Lab.attempt("packed", () -> PackedReport.send(context));
        Lab.attempt("salted", () -> SaltedId.report(context));
        Lab.attempt("shuffled", () -> ShuffledToken.hello(context));
        Lab.attempt("opaque", () -> OpaqueBeacon.beat(context));
        Lab.log("app: done");
    }
}
