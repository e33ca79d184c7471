package android.widget;

/** Stand-in for android.widget.Button. */
public class Button extends TextView {
    public Button(CharSequence text) {
        super(text);
    }
}
