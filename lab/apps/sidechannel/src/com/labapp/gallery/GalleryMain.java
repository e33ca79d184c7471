package com.labapp.gallery;

import android.app.Activity;
import android.app.Dialog;
import android.widget.Button;
import java.io.FileInputStream;
import privmon.lab.Lab;
import com.catprobe.sdk.CatProbe;
import com.helperid.sdk.HelperId;
import cn.arpscan.router.RouterProbe;
import cn.utdid.share.SharedId;
import com.nativeid.sdk.NativeId;
import com.serialkit.probe.ShellProbe;
import com.wifisdk.mac.MacReader;
import io.applist.scan.PackageScan;

/** An app whose SDKs read identifiers without any Android API (docs/lab.md, "The side-channel
 *  app"): sysfs and /proc files, `getprop`, `pm` and `cat`, native code, a helper program of an
 *  SDK's own, and an ID file another SDK left on shared storage. All but the last read before the user consents. */
public final class GalleryMain {
    private GalleryMain() {}

    public static void main(String[] args) throws Exception {
        Activity activity = new Activity("com.labapp.gallery");
        activity.labResume();
        Lab.attempt("wifisdk", MacReader::report);
        Lab.attempt("arpscan", RouterProbe::probe);
        Lab.attempt("serialkit", ShellProbe::run);
        Lab.attempt("applist", PackageScan::scan);
        Lab.attempt("catprobe", CatProbe::run);
        Lab.attempt("nativeid", NativeId::collect);
        Lab.attempt("helperid", HelperId::run);
        Lab.attempt("own files", GalleryMain::ownFiles);
        Dialog notice = new Dialog(activity);
        notice.setTitle("用户协议与隐私政策");
        notice.show();
        Lab.pause(Lab.longProperty("privmon.lab.consentDelayMs", 500));
        Button agree = new Button("同意");
        agree.setOnClickListener(v -> { });
        agree.performClick();
        notice.dismiss();
        Lab.attempt("utdid", SharedId::sync);
        Lab.log("app: done");
    }

    /** The app's own file I/O of a path that is on no list: nothing to record. */
    private static void ownFiles() throws Exception {
        try (FileInputStream in = new FileInputStream("/sys/class/net/wlan0/mtu")) {
            Lab.log("gallery: mtu " + new String(in.readAllBytes()).trim());
        }
    }
}
