package android.content;

/** Stand-in for android.content.Intent. */
public class Intent {
    private String action;
    private String packageName;
    private ComponentName component;

    public Intent() {}
    public Intent(String action) { this.action = action; }

    public Intent setPackage(String packageName) { this.packageName = packageName; return this; }
    public Intent setComponent(ComponentName component) { this.component = component; return this; }
    public Intent setClassName(String packageName, String className) { return setComponent(new ComponentName(packageName, className)); }
    public String getPackage() { return packageName; }
    public ComponentName getComponent() { return component; }
    public String getAction() { return action; }
    @Override public String toString() {
        return "Intent { act=" + action + " pkg=" + packageName + " cmp=" + component + " }";
    }
}
