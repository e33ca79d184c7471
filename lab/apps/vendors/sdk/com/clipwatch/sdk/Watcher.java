package com.clipwatch.sdk;

import android.content.ClipboardManager;
import android.content.Context;
import privmon.lab.Lab;

/** An SDK loaded with its own class loader that registers a clipboard listener of its own class:
 *  the hooked API receives an object whose class the agent cannot load by name. */
public final class Watcher implements ClipboardManager.OnPrimaryClipChangedListener {
    public static void watch(Context context) {
        ClipboardManager clipboard = (ClipboardManager) context.getSystemService(Context.CLIPBOARD_SERVICE);
        clipboard.addPrimaryClipChangedListener(new Watcher());
        Lab.log("clipwatch: listening");
    }

    @Override
    public void onPrimaryClipChanged() {}
}
