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
        Lab.attempt("adnexus", () -> AdLoader.load(context));
        Lab.attempt("pushlane", () -> b.a(context));
        Lab.attempt("metricly", () -> Collector.flush());
        Lab.attempt("clipwatch", () -> {
            File dir = new File(System.getProperty("privmon.lab.pluginDir"));
            try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toURI().toURL()}, NotesMain.class.getClassLoader())) {
                Class<?> watcher = loader.loadClass("com.clipwatch.sdk.Watcher");
                watcher.getMethod("watch", Context.class).invoke(null, context);
            }
        });
        Lab.log("app: done");
    }
}
