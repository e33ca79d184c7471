package com.labapp.shop;

import android.view.View;
import android.widget.Button;
import privmon.lab.Lab;

/** The first-launch privacy notice with its two buttons. */
final class PrivacyDialog {
    final Button agree = new Button("同意");
    final Button refuse = new Button("不同意");

    PrivacyDialog(View.OnClickListener onAgree, View.OnClickListener onRefuse) {
        agree.setOnClickListener(onAgree);
        refuse.setOnClickListener(onRefuse);
    }

    void show() {
        Lab.log("app: privacy notice shown (用户协议与隐私政策)");
    }
}
