package android.content.pm;

/** Stand-in for android.content.pm.ResolveInfo. */
public class ResolveInfo {
    private final String packageName;

    public ResolveInfo(String packageName) { this.packageName = packageName; }
    @Override public String toString() { return "ResolveInfo{" + packageName + "}"; }
}
