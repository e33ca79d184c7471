package android.app.usage;

/** Stand-in for android.app.usage.UsageStats. */
public final class UsageStats {
    private final String packageName;
    public UsageStats(String packageName) { this.packageName = packageName; }
    public String getPackageName() { return packageName; }
    @Override public String toString() { return "UsageStats{" + packageName + "}"; }
}
