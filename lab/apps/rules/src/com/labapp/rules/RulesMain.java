package com.labapp.rules;

import android.app.Activity;
import android.app.AlarmManager;
import android.app.Dialog;
import android.content.Context;
import android.content.Intent;
import android.content.SharedPreferences;
import android.location.Location;
import android.location.LocationManager;
import android.net.Uri;
import android.provider.Settings;
import android.telephony.TelephonyManager;
import android.widget.Button;
import android.widget.LinearLayout;
import android.widget.TextView;
import com.igexin.lab.PushSdk;
import com.tendcloud.lab.Analytics;
import privmon.lab.Lab;
import privmon.lab.Net;

/** The rule lab: one app, two behaviours, three scenarios.
 *
 *  -Dprivmon.lab.variant=clean       a careful app: notice first, nothing before consent, one
 *                                    permission when its feature needs it, first-party HTTPS only,
 *                                    nothing after a refusal or in the background.
 *  -Dprivmon.lab.variant=violations  an app that breaks every rule it can.
 *  -Dprivmon.lab.variant=silent      an SDK that collects in a run that never shows a notice.
 *  -Dprivmon.lab.scenario=agree | refuse | background   what the lab's user does. */
public final class RulesMain {
    private static final String PKG = "com.labapp.rules";

    private RulesMain() {}

    public static void main(String[] args) throws Exception {
        String variant = System.getProperty("privmon.lab.variant", "clean");
        String scenario = System.getProperty("privmon.lab.scenario", "agree");
        Activity activity = new Activity(PKG);
        activity.labResume();
        if ("silent".equals(variant)) {
            PushSdk.deviceId(activity);
            Lab.log("rules: silent run done");
            return;
        }
        boolean violations = "violations".equals(variant);
        if (violations && System.getProperty("privmon.lab.deny") == null) {
            System.setProperty("privmon.lab.deny", "android.permission.READ_CONTACTS");  // what the lab user denies
        }
        if (violations) {
            beforeConsent(activity);
        }
        Dialog notice = new Dialog(activity);
        notice.setTitle("用户协议与隐私政策");
        String[] choice = {null};
        Button agree = new Button("同意");
        agree.setOnClickListener(v -> { choice[0] = "agree"; notice.dismiss(); });
        Button refuse = new Button("不同意");
        refuse.setOnClickListener(v -> { choice[0] = "refuse"; notice.dismiss(); });
        LinearLayout content = new LinearLayout(activity);
        content.addView(new TextView("我们会收集您的设备标识符用于消息推送与统计分析，详见《隐私政策》。"));
        content.addView(agree);
        content.addView(refuse);
        notice.setContentView(content);
        notice.show();
        Lab.userAnswers(notice, "refuse".equals(scenario) ? refuse : agree, 1500);
        if ("refuse".equals(choice[0])) {
            afterRefusal(activity, violations);
        } else if ("agree".equals(choice[0])) {
            afterConsent(activity, violations);
            if ("background".equals(scenario)) {
                inBackground(activity, violations);
            }
        }
        Lab.log("rules: " + variant + "/" + scenario + " done");
    }

    /** Everything here happens before the notice is even shown. */
    private static void beforeConsent(Activity activity) throws Exception {
        PushSdk.register(activity);  // an SDK reads and sends the IMEI at once
        // three dangerous permissions at first launch, one of them denied by the lab user
        androidx.core.app.ActivityCompat.requestPermissions(activity, new String[] {
                "android.permission.READ_PHONE_STATE", "android.permission.ACCESS_FINE_LOCATION",
                "android.permission.READ_CONTACTS"}, 1);
    }

    private static void afterConsent(Activity activity, boolean violations) throws Exception {
        if (!violations) {
            androidx.core.app.ActivityCompat.requestPermissions(activity,
                    new String[] {"android.permission.ACCESS_FINE_LOCATION"}, 7);
            Location fix = location(activity);
            Net.send("POST", "https://api.labrules.cn/v1/city", "application/x-www-form-urlencoded",
                    "lat=" + fix.getLatitude() + "&lng=" + fix.getLongitude());
            return;
        }
        TelephonyManager tm = (TelephonyManager) activity.getSystemService(Context.TELEPHONY_SERVICE);
        // reflection hides the IMSI read from static scanners
        String imsi = (String) TelephonyManager.class.getMethod("getSubscriberId").invoke(tm);
        String androidId = Settings.Secure.getString(activity.getContentResolver(), Settings.Secure.ANDROID_ID);
        // SMS without ever asking for READ_SMS
        activity.getContentResolver().query(Uri.parse("content://sms/inbox"), null, null, null, null);
        // the denied permission, asked for again
        androidx.core.app.ActivityCompat.requestPermissions(activity,
                new String[] {"android.permission.READ_CONTACTS"}, 2);
        SharedPreferences prefs = activity.getSharedPreferences("device", Context.MODE_PRIVATE);
        prefs.edit().putString("imsi", imsi).apply();
        // plain HTTP, and a server abroad
        Net.send("GET", "http://stat.labrules.cn/collect?aid=" + androidId, null, null);
        Net.send("POST", "https://graph.facebook.com/v12.0/activities", "application/x-www-form-urlencoded",
                "event=CUSTOM_APP_EVENTS&advertiser_id=" + androidId);
        activity.startActivity(new Intent().setClassName("com.tencent.mm", "com.tencent.mm.ui.LauncherUI"));
        ((AlarmManager) activity.getSystemService(Context.ALARM_SERVICE)).set(0, System.currentTimeMillis() + 60_000, null);
        Analytics.pollLocation(activity, 8, 400);  // far more often than the profile allows
    }

    private static void afterRefusal(Activity activity, boolean violations) {
        if (!violations) {
            Lab.log("rules: basic mode without personal information");
            return;
        }
        Lab.pause(1500);
        PushSdk.deviceId(activity);  // still reading after the refusal, past the grace period
        activity.finish();  // and then the app closes itself
    }

    private static void inBackground(Activity activity, boolean violations) {
        if (!Lab.userLeaves(activity)) {
            Lab.log("rules: the app was never sent to the background");
            return;
        }
        Lab.pause(1500);
        if (violations) {
            location(activity);
        }
        Lab.log("rules: background done");
        Lab.userReturns(activity);
    }

    private static Location location(Activity activity) {
        LocationManager locations = (LocationManager) activity.getSystemService(Context.LOCATION_SERVICE);
        return locations.getLastKnownLocation(LocationManager.GPS_PROVIDER);
    }
}
