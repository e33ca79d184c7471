package android.app;

import android.content.Intent;
import android.content.pm.ApplicationInfo;
import android.content.pm.PackageInfo;
import android.content.pm.PackageManager;
import android.content.pm.ResolveInfo;
import java.util.ArrayList;
import java.util.List;

/** Stand-in for android.app.ApplicationPackageManager, the PackageManager apps really get. */
public class ApplicationPackageManager extends PackageManager {
    @Override
    public List<PackageInfo> getInstalledPackages(int flags) {
        List<PackageInfo> result = new ArrayList<>();
        for (String name : installed()) result.add(new PackageInfo(name));
        return result;
    }

    @Override
    public List<ApplicationInfo> getInstalledApplications(int flags) {
        List<ApplicationInfo> result = new ArrayList<>();
        for (String name : installed()) result.add(new ApplicationInfo(name));
        return result;
    }

    @Override
    public List<ResolveInfo> queryIntentActivities(Intent intent, int flags) {
        List<ResolveInfo> result = new ArrayList<>();
        for (String name : installed()) result.add(new ResolveInfo(name));
        return result;
    }

    @Override
    public ApplicationInfo getApplicationInfo(String packageName, int flags) throws NameNotFoundException {
        if (!installed().contains(packageName)) throw new NameNotFoundException(packageName);
        return new ApplicationInfo(packageName);
    }

    public PackageInfo getPackageInfoAsUser(String packageName, int flags, int userId) throws NameNotFoundException {
        if (!installed().contains(packageName)) throw new NameNotFoundException(packageName);
        return new PackageInfo(packageName);
    }

    @Override
    public String getInstallerPackageName(String packageName) { return "com.android.vending"; }
}
