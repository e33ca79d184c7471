package android.view;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Stand-in for android.view.ViewGroup: views laid out one under another. */
public class ViewGroup extends View {
    private final List<View> children = new ArrayList<>();

    public void addView(View child) {
        children.add(child);
    }

    public List<View> labChildren() {
        return Collections.unmodifiableList(children);
    }
}
