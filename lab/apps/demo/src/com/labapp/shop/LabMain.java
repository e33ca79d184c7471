package com.labapp.shop;

import android.app.Activity;
import android.content.SharedPreferences;
import com.umeng.commonsdk.UMConfigure;
import privmon.lab.Lab;

/** The demo lab app. First launch: the analytics SDK initialises at once (before consent), the
 *  privacy notice is shown, the user taps 同意 (or 不同意 with -Dprivmon.lab.scenario=refuse)
 *  after -Dprivmon.lab.consentDelayMs (or privmon taps one, -Dprivmon.lab.driver=privmon), and
 *  only after 同意 the app uses the location. The answer 同意 is kept in the app's preferences: a
 *  later launch does not ask again. Driven by privmon, it stays open until it is ended. */
public final class LabMain {
    private LabMain() {}

    public static void main(String[] args) throws Exception {
        Activity context = new Activity("com.labapp.shop");
        context.labResume();
        UMConfigure.init(context, "5f8a1c2b3d4e5f6a7b8c9d0e", "lab", 1, null);

        SharedPreferences prefs = context.getSharedPreferences("labshop_settings", 0);
        if ("true".equals(prefs.getString("onboarding_done", null))) {
            Lab.log("app: the privacy policy was agreed to on an earlier launch");
            LocationReporter.reportNearbyStores(context);
            SupportChat.open(context);
            Lab.log("app: done");
            Lab.stayOpen();
            return;
        }
        String[] choice = {null};
        PrivacyDialog dialog = new PrivacyDialog(context, v -> choice[0] = "agree", v -> choice[0] = "refuse");
        dialog.show();
        boolean refuse = "refuse".equals(System.getProperty("privmon.lab.scenario"));
        Lab.userAnswers(dialog, refuse ? dialog.refuse : dialog.agree, 2000);
        if ("refuse".equals(choice[0])) {
            // as many apps do: a second chance, worded its own way
            PrivacyDialog again = new PrivacyDialog(context, "温馨提示", "您需要同意《隐私政策》后才能使用 Lab Shop 的完整功能。",
                    "同意并继续", "仍不同意", v -> choice[0] = "agree", v -> choice[0] = "refuse");
            again.show();
            Lab.userAnswers(again, again.refuse, 500);
        }
        if ("agree".equals(choice[0])) {
            prefs.edit().putString("onboarding_done", "true").apply();
            LocationReporter.reportNearbyStores(context);
            SupportChat.open(context);
        } else if ("refuse".equals(choice[0])) {
            Lab.log("app: user refused; running in basic mode");
        }
        Lab.log("app: done");
        Lab.stayOpen();
    }
}
