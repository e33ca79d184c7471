package android.app;

import android.content.Context;

/** Stand-in for android.app.Dialog. */
public class Dialog {
    private CharSequence title = "";
    private boolean showing;

    public Dialog(Context context) {}

    public void setTitle(CharSequence title) { this.title = title; }
    public void show() { showing = true; }
    public void dismiss() { showing = false; }
    public boolean isShowing() { return showing; }
    @Override public String toString() { return "Dialog{title=" + title + "}"; }
}
