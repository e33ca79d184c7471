package android.content.pm;

import java.util.ArrayList;
import java.util.List;
import privmon.lab.Device;

/** Stand-in for android.content.pm.PackageManager; packages come from the device profile. */
public class PackageManager {
    public List<PackageInfo> getInstalledPackages(int flags) {
        List<PackageInfo> result = new ArrayList<>();
        for (String name : Device.get("installed_packages", "").split(",")) {
            if (!name.isEmpty()) {
                result.add(new PackageInfo(name.trim()));
            }
        }
        return result;
    }
}
