package com.labapp.shop;

import android.app.Dialog;
import android.content.Context;
import android.view.View;
import android.widget.Button;
import android.widget.LinearLayout;
import android.widget.TextView;
import privmon.lab.Lab;
import privmon.lab.Net;

/** The first-launch privacy notice with its two buttons. Apps word their buttons as they like:
 *  -Dprivmon.lab.agreeText / refuseText give them texts no default vocabulary knows. */
final class PrivacyDialog extends Dialog {
    static final String NOTICE = "欢迎使用 Lab Shop！我们依据《隐私政策》收集设备信息与位置信息，用于商品推荐与附近门店查询。"
            + "我们接入了友盟统计 SDK。请您仔细阅读《用户协议》和《隐私政策》。";
    final Button agree;
    final Button refuse;

    PrivacyDialog(Context context, View.OnClickListener onAgree, View.OnClickListener onRefuse) {
        this(context, "用户协议与隐私政策", NOTICE, System.getProperty("privmon.lab.agreeText", "同意"),
                System.getProperty("privmon.lab.refuseText", "不同意"), onAgree, onRefuse);
    }

    PrivacyDialog(Context context, String title, String text, String agreeText, String refuseText,
                  View.OnClickListener onAgree, View.OnClickListener onRefuse) {
        super(context);
        setTitle(title);
        agree = new Button(agreeText);
        refuse = new Button(refuseText);
        LinearLayout content = new LinearLayout(context);
        content.addView(new TextView(text));
        TextView policyLink = new TextView("《隐私政策》");
        policyLink.setOnClickListener(v -> new Thread(() -> Lab.attempt("policy page",  // as a WebView loads it
                () -> Lab.log("app: policy page (" + Net.send("GET", "https://api.labshop.cn/legal/privacy.html", null, null) + ")")),
                "policy-page").start());
        content.addView(policyLink);
        content.addView(agree);
        content.addView(refuse);
        setContentView(content);
        agree.setOnClickListener(v -> { onAgree.onClick(v); dismiss(); });
        refuse.setOnClickListener(v -> { onRefuse.onClick(v); dismiss(); });
    }
}
