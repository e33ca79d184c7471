package cn.jpush.android.api;

import android.content.Context;

/** Stand-in for JPush's entry point. */
public class JPushInterface {
    public static void init(Context context) {}
    public static void setDebugMode(boolean debug) {}
}
