package com.labapp.plugin;

import android.content.Context;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import privmon.lab.Lab;

/** Loads an SDK from a separate directory (-Dprivmon.lab.pluginDir) with its own class loader
 *  and calls it: hooks on the SDK's classes must be installed when the class appears. */
public final class PluginMain {
    private PluginMain() {}

    public static void main(String[] args) throws Exception {
        File dir = new File(System.getProperty("privmon.lab.pluginDir"));
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toURI().toURL()}, PluginMain.class.getClassLoader())) {
            Class<?> sdk = loader.loadClass("com.getui.lab.PushCollector");
            Object collector = sdk.getDeclaredConstructor().newInstance();
            Object result = sdk.getMethod("collect", Context.class).invoke(collector, new Context("com.labapp.plugin"));
            Lab.log("plugin: " + result);
        }
    }
}
