package android.widget;

import android.content.Context;
import android.view.ViewGroup;

/** Stand-in for android.widget.LinearLayout (vertical). */
public class LinearLayout extends ViewGroup {
    public LinearLayout(Context context) {}
}
