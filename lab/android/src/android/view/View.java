package android.view;

/** Stand-in for android.view.View with its click plumbing. */
public class View {
    public interface OnClickListener {
        void onClick(View v);
    }

    private OnClickListener listener;
    private String resourceId = "";

    public void setOnClickListener(OnClickListener listener) {
        this.listener = listener;
    }

    public boolean isClickable() {
        return listener != null;
    }

    public boolean performClick() {
        if (listener == null) {
            return false;
        }
        listener.onClick(this);
        return true;
    }

    /** A click the system makes for a window outside the app (no hooked performClick). */
    public void labClickAsSystem() {
        if (listener != null) {
            listener.onClick(this);
        }
    }

    /** The lab's stand-in for an android:id: "package:id/name" in a uiautomator dump. */
    public void labSetResourceId(String id) {
        this.resourceId = id;
    }

    public String labResourceId() {
        return resourceId;
    }
}
