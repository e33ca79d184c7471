package android.content.pm;

import android.content.ComponentName;
import android.content.Intent;
import java.util.ArrayList;
import java.util.List;
import privmon.lab.Device;

/** Stand-in for android.content.pm.PackageManager. On Android its methods are abstract and
 *  ApplicationPackageManager implements them; here they are concrete so that both the
 *  catalogue's PackageManager and ApplicationPackageManager entries can be exercised. */
public class PackageManager {
    public static class NameNotFoundException extends Exception {
        public NameNotFoundException(String name) { super(name); }
    }

    protected static List<String> installed() {
        List<String> names = new ArrayList<>();
        for (String name : Device.get("installed_packages", "").split(",")) {
            if (!name.isEmpty()) names.add(name.trim());
        }
        return names;
    }

    public List<PackageInfo> getInstalledPackages(int flags) {
        List<PackageInfo> result = new ArrayList<>();
        for (String name : installed()) result.add(new PackageInfo(name));
        return result;
    }

    public List<ApplicationInfo> getInstalledApplications(int flags) {
        List<ApplicationInfo> result = new ArrayList<>();
        for (String name : installed()) result.add(new ApplicationInfo(name));
        return result;
    }

    public List<PackageInfo> getInstalledPackagesAsUser(int flags, int userId) { return getInstalledPackages(flags); }
    public List<ApplicationInfo> getInstalledApplicationsAsUser(int flags, int userId) { return getInstalledApplications(flags); }

    public List<ResolveInfo> queryIntentActivities(Intent intent, int flags) {
        List<ResolveInfo> result = new ArrayList<>();
        for (String name : installed()) result.add(new ResolveInfo(name));
        return result;
    }

    public List<ResolveInfo> queryIntentActivityOptions(ComponentName caller, Intent[] specifics, Intent intent, int flags) {
        return queryIntentActivities(intent, flags);
    }

    public List<ResolveInfo> queryIntentServices(Intent intent, int flags) { return queryIntentActivities(intent, flags); }
    public List<ResolveInfo> queryIntentContentProviders(Intent intent, int flags) { return queryIntentActivities(intent, flags); }
    public List<PackageInfo> getPackagesHoldingPermissions(String[] permissions, int flags) { return getInstalledPackages(flags); }

    public PackageInfo getPackageInfo(String packageName, int flags) throws NameNotFoundException {
        if (!installed().contains(packageName)) throw new NameNotFoundException(packageName);
        return new PackageInfo(packageName);
    }

    public ApplicationInfo getApplicationInfo(String packageName, int flags) throws NameNotFoundException {
        if (!installed().contains(packageName)) throw new NameNotFoundException(packageName);
        return new ApplicationInfo(packageName);
    }

    public String getInstallerPackageName(String packageName) { return "com.android.vending"; }
}
