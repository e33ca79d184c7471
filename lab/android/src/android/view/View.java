package android.view;

/** Stand-in for android.view.View with its click plumbing. */
public class View {
    public interface OnClickListener {
        void onClick(View v);
    }

    private OnClickListener listener;

    public void setOnClickListener(OnClickListener listener) {
        this.listener = listener;
    }

    public boolean performClick() {
        if (listener == null) {
            return false;
        }
        listener.onClick(this);
        return true;
    }
}
