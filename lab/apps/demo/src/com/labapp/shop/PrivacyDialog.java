package com.labapp.shop;

import android.app.Dialog;
import android.content.Context;
import android.view.View;
import android.widget.Button;

/** The first-launch privacy notice with its two buttons. Apps word their buttons as they like:
 *  -Dprivmon.lab.agreeText / refuseText give them texts no default vocabulary knows. */
final class PrivacyDialog extends Dialog {
    final Button agree = new Button(System.getProperty("privmon.lab.agreeText", "同意"));
    final Button refuse = new Button(System.getProperty("privmon.lab.refuseText", "不同意"));

    PrivacyDialog(Context context, View.OnClickListener onAgree, View.OnClickListener onRefuse) {
        super(context);
        setTitle("用户协议与隐私政策");
        agree.setOnClickListener(v -> { dismiss(); onAgree.onClick(v); });
        refuse.setOnClickListener(v -> { dismiss(); onRefuse.onClick(v); });
    }
}
