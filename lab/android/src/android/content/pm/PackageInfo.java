package android.content.pm;

/** Stand-in for android.content.pm.PackageInfo. */
public class PackageInfo {
    public String packageName;

    public PackageInfo(String packageName) { this.packageName = packageName; }
    @Override public String toString() { return "PackageInfo{" + packageName + "}"; }
}
