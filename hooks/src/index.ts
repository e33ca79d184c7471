import Java from "frida-java-bridge";
import { flush } from "./batch";
import { CatalogueEntry, InstallResult, installEntry } from "./install";

// The host drives the agent through RPC: it measures the clock offset with now(), installs
// the catalogue it loaded from hooks/catalogue.json, and flushes pending events before detaching.
rpc.exports = {
  now(): number {
    return Date.now();
  },
  javaAvailable(): boolean {
    return Java.available;
  },
  install(entries: CatalogueEntry[]): Promise<InstallResult[]> {
    return new Promise((resolve, reject) => {
      if (!Java.available) {
        reject(new Error("no Java runtime in this process (is the JVM/ART started?)"));
        return;
      }
      Java.perform(() => {
        const results: InstallResult[] = [];
        for (const entry of entries) {
          try {
            results.push(installEntry(entry));
          } catch (e: any) {
            results.push({ id: entry.id, state: "not_installed", overloads: 0, reason: String(e) });
          }
        }
        resolve(results);
      });
    });
  },
  flush(): number {
    return flush();
  },
};
