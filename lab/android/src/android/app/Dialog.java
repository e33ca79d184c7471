package android.app;

import android.content.Context;
import android.view.View;
import privmon.lab.Screen;

/** Stand-in for android.app.Dialog: shown on the lab phone's screen (privmon.lab.Screen) with its
 *  title and content, where a tap from outside (`input tap`) clicks its buttons. */
public class Dialog {
    private final String packageName;
    private CharSequence title = "";
    private View content;
    private volatile boolean showing;

    public Dialog(Context context) {
        this.packageName = context == null ? "android" : context.getPackageName();
    }

    public void setTitle(CharSequence title) { this.title = title; }
    public void setContentView(View view) { this.content = view; }
    public CharSequence labTitle() { return title; }
    public View labContent() { return content; }
    public String labPackage() { return packageName; }

    public void show() {
        showing = true;
        Screen.show(this);
    }

    public void dismiss() {
        showing = false;
        Screen.hide(this);
    }

    public boolean isShowing() { return showing; }
    @Override public String toString() { return "Dialog{title=" + title + "}"; }
}
