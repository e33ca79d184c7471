import Java from "frida-java-bridge";
import { flush } from "./batch";
import { CatalogueEntry, InstallOptions, InstallResult, configure, installEntry, watchLateClasses } from "./install";
import { initStack } from "./stack";
import { post } from "./messages";
import { initValues } from "./values";
import { NetOptions, installNet } from "./net";
import { installTls } from "./tls";
import { SideOptions, finishOutputs, installSideChannels } from "./sidechannel";
import { NetResult } from "./messages";
import { UnpinResult, unpin } from "./unpin";

// The host drives the agent through RPC: it measures the clock offset with now(), installs
// the catalogue it loaded from hooks/catalogue.yaml, and flushes pending events before detaching.
rpc.exports = {
  now(): number {
    return Date.now();
  },
  javaAvailable(): boolean {
    return Java.available;
  },
  install(entries: CatalogueEntry[], opts: InstallOptions): Promise<InstallResult[]> {
    return new Promise((resolve, reject) => {
      if (!Java.available) {
        reject(new Error("no Java runtime in this process (is the JVM/ART started?)"));
        return;
      }
      Java.perform(() => {
        configure(opts);
        initStack();
        initValues();
        const results: InstallResult[] = [];
        const late: CatalogueEntry[] = [];
        for (const entry of entries) {
          let result: InstallResult;
          try {
            result = installEntry(entry);
          } catch (e: any) {
            result = { id: entry.id, state: "not_installed", overloads: 0, reason: String(e) };
          }
          if (result.state === "not_installed" && result.reason?.startsWith("class not found")) late.push(entry);
          results.push(result);
        }
        try {
          watchLateClasses(late);
        } catch (e: any) {
          post({ type: "agent:error", entry: "late-class-watch", error: String(e) });
        }
        resolve(results);
      });
    });
  },
  net(options: NetOptions): NetResult[] {
    return installNet(options);
  },
  tls(cap: number, unpin: boolean): NetResult[] {
    return installTls(cap, unpin);
  },
  side(options: SideOptions): NetResult[] {
    return installSideChannels(options);
  },
  flush(): number {
    finishOutputs(); // a command output the app never read to its end
    return flush();
  },
  unpin(): Promise<UnpinResult[]> {
    return new Promise((resolve) => Java.perform(() => resolve(unpin())));
  },
};
