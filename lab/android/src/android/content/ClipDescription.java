package android.content;

/** Stand-in for android.content.ClipDescription. */
public class ClipDescription {
    @Override public String toString() { return "ClipDescription { text/plain }"; }
}
