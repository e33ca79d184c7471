package com.labapp.welcome;

import android.app.Activity;
import android.app.Dialog;
import android.widget.Button;
import android.widget.LinearLayout;
import android.widget.TextView;
import com.umeng.commonsdk.UMConfigure;
import privmon.lab.Lab;

/** An app whose privacy notice words its buttons its own way (开始体验 / 再想想): no built-in
 *  vocabulary knows them, so privmon's driver cannot tell which one agrees until an app profile's
 *  agree_texts / refuse_texts say so; a run it drives without them ends incomplete. */
public final class WelcomeMain {
    private WelcomeMain() {}

    public static void main(String[] args) throws Exception {
        Activity activity = new Activity("com.labapp.welcome");
        activity.labResume();
        UMConfigure.init(activity, "60aa1c2b3d4e5f6a7b8c9d0e", "lab", 1, null);
        Dialog notice = new Dialog(activity);
        notice.setTitle("欢迎来到 Welcome");
        String[] choice = {null};
        Button start = new Button("开始体验");
        start.setOnClickListener(v -> { choice[0] = "agree"; notice.dismiss(); });
        Button later = new Button("再想想");
        later.setOnClickListener(v -> { choice[0] = "refuse"; notice.dismiss(); });
        LinearLayout content = new LinearLayout(activity);
        content.addView(new TextView("请阅读并了解《用户服务协议》与《个人信息保护政策》，我们会收集设备标识用于统计。"));
        content.addView(start);
        content.addView(later);
        notice.setContentView(content);
        notice.show();
        Lab.userAnswers(notice, "refuse".equals(System.getProperty("privmon.lab.scenario")) ? later : start, 800);
        Lab.log("app: welcome " + choice[0]);
    }
}
