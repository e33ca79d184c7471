package com.baidu.mapapi;

import android.content.Context;

/** Stand-in for Baidu Map SDK's initialiser. */
public class SDKInitializer {
    public static void setAgreePrivacy(Context context, boolean isAgree) {}
    public static void initialize(Context context) {}
}
