package androidx.fragment.app;

/** Stand-in for androidx.fragment.app.Fragment. */
public class Fragment {
    public final void requestPermissions(String[] permissions, int requestCode) {}
}
