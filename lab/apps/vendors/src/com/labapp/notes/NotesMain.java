package com.labapp.notes;

import android.content.Context;
import io.adnexus.core.AdLoader;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import net.pushlane.client.a.b;
import org.metricly.agent.Collector;
import com.quantbeacon.sdk.Tracker;
import privmon.lab.Lab;

/** An app whose SDKs no knowledge base names (docs/lab.md, "The vendors app"): each must keep its
 *  own identity. One reads the IMEI first and keeps it; another reads it again itself and sends
 *  it; a third sends the first one's copy without reading it; an obfuscated one sends the Android
 *  ID; one, loaded with its own class loader, hands a hooked API an object of its own class. */
public final class NotesMain {
    private NotesMain() {}

    public static void main(String[] args) throws Exception {
        Context context = new Context("com.labapp.notes");
        Tracker.start(context);
        Lab.pause(150);
        run("adnexus", () -> AdLoader.load(context));
        run("pushlane", () -> b.a(context));
        run("metricly", () -> Collector.flush());
        run("clipwatch", () -> {
            File dir = new File(System.getProperty("privmon.lab.pluginDir"));
            try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toURI().toURL()}, NotesMain.class.getClassLoader())) {
                Class<?> watcher = loader.loadClass("com.clipwatch.sdk.Watcher");
                watcher.getMethod("watch", Context.class).invoke(null, context);
            }
        });
        Lab.log("app: done");
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void run(String name, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            Lab.log(name + ": failed: " + e);
        }
    }
}
