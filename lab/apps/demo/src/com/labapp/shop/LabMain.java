package com.labapp.shop;

import android.app.Activity;
import com.umeng.commonsdk.UMConfigure;
import privmon.lab.Lab;

/** The demo lab app. First launch: the analytics SDK initialises at once (before consent), the
 *  privacy notice is shown, the user taps 同意 (or 不同意 with -Dprivmon.lab.scenario=refuse)
 *  after -Dprivmon.lab.consentDelayMs, and only then the app uses the location. */
public final class LabMain {
    private LabMain() {}

    public static void main(String[] args) throws Exception {
        Activity context = new Activity("com.labapp.shop");
        context.labResume();
        UMConfigure.init(context, "5f8a1c2b3d4e5f6a7b8c9d0e", "lab", 1, null);

        PrivacyDialog dialog = new PrivacyDialog(context,
                v -> {
                    try {
                        LocationReporter.reportNearbyStores(context);
                        SupportChat.open(context);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                },
                v -> Lab.log("app: user refused; running in basic mode"));
        dialog.show();
        Lab.pause(Lab.longProperty("privmon.lab.consentDelayMs", 2000));
        boolean refuse = "refuse".equals(System.getProperty("privmon.lab.scenario"));
        (refuse ? dialog.refuse : dialog.agree).performClick();
        Lab.log("app: done");
    }
}
