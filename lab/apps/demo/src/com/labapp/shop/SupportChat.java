package com.labapp.shop;

import android.content.Context;
import android.provider.Settings;
import privmon.lab.Lab;
import privmon.lab.Net;

/** The app's customer-service chat: a WebSocket that introduces the device by its Android ID. */
final class SupportChat {
    private SupportChat() {}

    static void open(Context context) throws Exception {
        String deviceId = Settings.Secure.getString(context.getContentResolver(), Settings.Secure.ANDROID_ID);
        int answers = Net.websocket("wss://im.labshop.cn/chat",
                "{\"type\":\"hello\",\"did\":\"" + deviceId + "\"}",
                "{\"type\":\"text\",\"body\":\"你好\"}");
        Lab.log("app: support chat (" + answers + " answers)");
    }
}
