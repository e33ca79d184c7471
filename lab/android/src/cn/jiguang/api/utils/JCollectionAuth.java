package cn.jiguang.api.utils;

import android.content.Context;

/** Stand-in for JPush's data-collection authorisation switch. */
public class JCollectionAuth {
    public static void setAuth(Context context, boolean auth) {}
}
