import Java from "frida-java-bridge";
import { enqueue, nextSeq } from "./batch";
import { convert, plain } from "./values";
import { javaStack, threadName } from "./stack";

export interface CatalogueEntry {
  id: string;
  class: string;
  method: string;
  pi_category?: string | null;
  pi_type?: string | null;
  signal?: string;
  when?: { arg: number; equals: string[] };
  ret?: string;
  self?: string;
}

export interface InstallResult {
  id: string;
  state: "installed" | "not_installed";
  overloads: number;
  reason?: string;
}

function matchesFilter(entry: CatalogueEntry, args: any[]): boolean {
  if (!entry.when) return true;
  const value = args[entry.when.arg];
  return value !== null && value !== undefined && entry.when.equals.indexOf(String(value)) >= 0;
}

function record(entry: CatalogueEntry, tsMs: number, self: any, args: any[], ret: any): void {
  const event: any = {
    seq: nextSeq(),
    ts_ms: tsMs,
    entry: entry.id,
    api: `${entry.class}.${entry.method}`,
    pi_category: entry.pi_category ?? null,
    pi_type: entry.pi_type ?? null,
    signal: entry.signal ?? null,
    args: args.map(plain),
    ret: convert(entry.ret, ret),
    stack: javaStack(),
    thread: threadName(),
  };
  if (entry.self) event.self = convert(entry.self, self);
  enqueue(event);
}

export function installEntry(entry: CatalogueEntry): InstallResult {
  let klass: any;
  try {
    klass = Java.use(entry.class);
  } catch (e: any) {
    return { id: entry.id, state: "not_installed", overloads: 0, reason: `class not found: ${entry.class}` };
  }
  const method = klass[entry.method];
  if (method === undefined || method.overloads === undefined) {
    return { id: entry.id, state: "not_installed", overloads: 0, reason: `no method ${entry.method} in ${entry.class}` };
  }
  let installed = 0;
  const failures: string[] = [];
  for (const overload of method.overloads) {
    try {
      overload.implementation = function (this: any, ...args: any[]) {
        // The call's time is when it began: a click's listener runs inside performClick.
        const tsMs = Date.now();
        const ret = overload.apply(this, args);
        try {
          if (matchesFilter(entry, args)) record(entry, tsMs, this, args, ret);
        } catch (e: any) {
          send({ type: "agent:error", entry: entry.id, error: String(e), stack: e.stack ?? null });
        }
        return ret;
      };
      installed += 1;
    } catch (e: any) {
      failures.push(`${overload.argumentTypes.map((t: any) => t.className).join(",")}: ${e}`);
    }
  }
  if (installed === 0) {
    return { id: entry.id, state: "not_installed", overloads: 0, reason: failures.join("; ") || "no overloads" };
  }
  return { id: entry.id, state: "installed", overloads: installed, reason: failures.length ? failures.join("; ") : undefined };
}
