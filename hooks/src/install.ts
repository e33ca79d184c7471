import Java from "frida-java-bridge";
import { enqueue, nextSeq } from "./batch";
import { convert, hasConverter, plain, unconverted } from "./values";
import { commandRule, trackProcessOutput } from "./sidechannel";
import { HookEvent, InstallResult, post } from "./messages";
import { javaStack, naiveStack, threadName } from "./stack";

export interface CatalogueEntry {
  id: string;
  class: string;
  method: string;
  pi_category?: string | null;
  pi_type?: string | null;
  sensitive?: boolean;
  signal?: string;
  when?: any;
  classify?: { arg: number; by: string };
  ret?: string;
  self?: string;
  skip_callers?: string[];
  consent_arg?: number;
  output?: "process"; // ProcessBuilder.start: the started command's output is a side-channel read
}

export interface InstallOptions {
  app_package: string | null;
  stack?: "fast" | "naive" | "none";
  authorities: { [authority: string]: { pi_category: string; pi_type: string; sensitive: boolean } };
}

export type { InstallResult };

let options: InstallOptions = { app_package: null, authorities: {} };
// Calls made while an event is being recorded (our own converters calling, say,
// Location.getLatitude) are the agent's, not the app's: never recorded. Per thread: the JS lock is
// let go while a converter or the stack capture runs Java, and another thread's calls in that
// time are the app's (a global flag lost them).
const recording = new Set<number>();
const active = new Set<string>();

export function configure(opts: InstallOptions): void {
  options = opts;
}

function authorityOf(value: any): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  const m = /^content:\/\/([^/?#]+)/.exec(text);
  if (m) return m[1].replace(/^\d+@/, "");
  return /^[\w.-]+$/.test(text) ? text : null;
}

function intentPackage(intent: any): string | null {
  if (intent === null || intent === undefined) return null;
  const pkg = intent.getPackage();
  if (pkg !== null) return String(pkg);
  const component = intent.getComponent();
  return component === null ? null : String(component.getPackageName());
}

function otherPackage(pkg: string | null): boolean {
  return pkg !== null && pkg !== options.app_package;
}

// Returns the PI classification for this call, or null when the call is not recorded.
function classify(entry: CatalogueEntry, self: any, args: any[]): { pi_category: any; pi_type: any; sensitive: boolean } | null {
  const when = entry.when;
  if (when) {
    if (when.self) {
      if (!new RegExp(when.matches).test(String(convert(when.self, self)))) return null;
    } else {
      const value = args[when.arg];
      if (when.equals && !(value !== null && value !== undefined && when.equals.indexOf(String(value)) >= 0)) return null;
      if (when.matches && !(value !== null && value !== undefined && new RegExp(when.matches).test(String(value)))) return null;
      if (when.other_package && !otherPackage(value === null || value === undefined ? null : String(value))) return null;
      if (when.intent_other_package && !otherPackage(intentPackage(value))) return null;
    }
  }
  if (entry.classify) {
    const authority = authorityOf(args[entry.classify.arg]);
    const pi = authority === null ? undefined : options.authorities[authority];
    if (!pi) return null;
    return { pi_category: pi.pi_category, pi_type: pi.pi_type, sensitive: !!pi.sensitive };
  }
  return { pi_category: entry.pi_category ?? null, pi_type: entry.pi_type ?? null, sensitive: !!entry.sensitive };
}

function frameMethod(frame: string): string {
  // "java.base/java.net.InetAddress.getHostName(Native Method)" → "java.net.InetAddress.getHostName"
  let head = frame.split("(")[0];
  const slash = head.indexOf("/");
  if (slash >= 0) head = head.substring(slash + 1);
  return head;
}

function calledFrom(stack: string[], prefixes: string[]): boolean {
  // The hooked method's own frames come first (a replaced method can show twice); the first
  // frame of another method is the caller.
  const self = stack.length > 0 ? frameMethod(stack[0]) : "";
  let i = 1;
  while (i < stack.length && frameMethod(stack[i]) === self) i++;
  const caller = i < stack.length ? frameMethod(stack[i]) : "";
  return prefixes.some((p) => caller.startsWith(p));
}

// What an event cannot be without: a part that fails (a stack the runtime will not walk, a thread
// name) is recorded as a mark, like a value that cannot be converted.
function safely<T>(part: () => T, fallback: (e: any) => T): T {
  try {
    return part();
  } catch (e) {
    return fallback(e);
  }
}

// A started process whose command is on the side-channel list (ProcessBuilder.start, `output:
// process`): its output is recorded as the app reads it (sidechannel.ts), whatever this entry's own
// filters decide about the start itself.
function trackOutput(self: any, ret: any, tsMs: number): void {
  const command = convert("process_command", self);
  if (typeof command !== "string" || commandRule(command) === null) return;
  trackProcessOutput(ret, command, options.stack === "none" ? [] : javaStack(), tsMs);
}

function record(entry: CatalogueEntry, tsMs: number, self: any, args: any[], ret: any): void {
  if (entry.output === "process") safely(() => trackOutput(self, ret, tsMs), () => undefined);
  // A classification that cannot be decided (its `when` reads an argument that cannot be converted)
  // keeps the call, unclassified beyond the entry's own PI: never dropped.
  const pi = safely(() => classify(entry, self, args), () => ({ pi_category: entry.pi_category ?? null, pi_type: entry.pi_type ?? null, sensitive: !!entry.sensitive }));
  if (pi === null) return;
  const stack = safely(() => (options.stack === "none" ? [] : options.stack === "naive" ? naiveStack() : javaStack()), (e) => [`<stack not available: ${e}>`]);
  if (entry.skip_callers && calledFrom(stack, entry.skip_callers)) return;
  const event: HookEvent = {
    seq: nextSeq(),
    ts_ms: tsMs,
    entry: entry.id,
    api: `${entry.class}.${entry.method}`,
    pi_category: pi.pi_category,
    pi_type: pi.pi_type,
    sensitive: pi.sensitive,
    signal: entry.signal ?? null,
    args: args.map((a) => plain(a)),
    ret: safely(() => convert(entry.ret, ret), (e) => unconverted(ret, e)),
    stack,
    thread: safely(() => threadName(), () => null as any),
  };
  if (entry.self) event.self = safely(() => convert(entry.self, self), (e) => unconverted(self, e));
  enqueue(event);
}

function hookMethod(entry: CatalogueEntry, klass: any): InstallResult {
  const method = klass[entry.method];
  if (method === undefined || method.overloads === undefined) {
    return { id: entry.id, state: "not_installed", overloads: 0, reason: `no method ${entry.method} in ${entry.class}` };
  }
  let installed = 0;
  const failures: string[] = [];
  for (const overload of method.overloads) {
    try {
      overload.implementation = function (this: any, ...args: any[]) {
        const thread = Process.getCurrentThreadId();
        if (recording.has(thread)) return overload.apply(this, args);
        // One event per call: an overload delegating to another overload of the same entry
        // (Runtime.exec(String) → exec(String[], …)) is the same call.
        const key = `${entry.id}@${thread}`;
        if (active.has(key)) return overload.apply(this, args);
        // The call's time is when it began: a click's listener runs inside performClick.
        const tsMs = Date.now();
        active.add(key);
        let ret: any;
        try {
          ret = overload.apply(this, args);
        } finally {
          active.delete(key);
        }
        recording.add(thread);
        try {
          record(entry, tsMs, this, args, ret);
        } catch (e: any) {
          post({ type: "agent:error", entry: entry.id, error: String(e), stack: e.stack ?? null });
        } finally {
          recording.delete(thread);
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

export function installEntry(entry: CatalogueEntry, factory: any = Java): InstallResult {
  if (!hasConverter(entry.ret) || !hasConverter(entry.self)) {
    return { id: entry.id, state: "not_installed", overloads: 0, reason: `unknown converter in ${entry.id}` };
  }
  let klass: any;
  try {
    klass = factory.use(entry.class);
  } catch (e: any) {
    return { id: entry.id, state: "not_installed", overloads: 0, reason: `class not found: ${entry.class}` };
  }
  return hookMethod(entry, klass);
}

// Classes that were not loadable at install time (SDKs with their own class loaders, plugins,
// hot fixes) are hooked when a new class loader appears: right after its constructor returns,
// each pending class is looked up through it (loaded, not initialised), before the app can
// call into it. Android only: on HotSpot, frida-java-bridge cannot use classes of a custom
// loader (ClassFactory.get(loader).use() hangs the JVM), and hooking ClassLoader.loadClass
// crashes it, so the lab reports such classes as not installed.
const pending = new Map<string, CatalogueEntry[]>();
let watching = false;
const LOADER_CLASSES = ["dalvik.system.BaseDexClassLoader"];

function tryPending(loader: any): void {
  const factory = Java.ClassFactory.get(loader);
  for (const [name, entries] of Array.from(pending.entries())) {
    try {
      factory.use(name);
    } catch (e) {
      continue;  // not in this loader
    }
    pending.delete(name);
    for (const entry of entries) {
      let result: InstallResult;
      try {
        result = installEntry(entry, factory);
      } catch (e: any) {
        result = { id: entry.id, state: "not_installed", overloads: 0, reason: String(e) };
      }
      post({ type: "hooks:late-install", result });
    }
  }
}

export function watchLateClasses(entries: CatalogueEntry[]): void {
  for (const entry of entries) {
    const list = pending.get(entry.class) ?? [];
    list.push(entry);
    pending.set(entry.class, list);
  }
  if (pending.size === 0 || watching) return;
  watching = true;
  for (const loaderClass of LOADER_CLASSES) {
    let klass: any;
    try {
      klass = Java.use(loaderClass);
    } catch (e) {
      continue;  // not this runtime's loader class
    }
    for (const init of klass.$init.overloads) {
      init.implementation = function (this: any, ...args: any[]) {
        const ret = init.apply(this, args);
        const thread = Process.getCurrentThreadId();
        if (pending.size > 0 && !recording.has(thread)) {
          recording.add(thread);
          try {
            tryPending(Java.retain(this));  // a global ref: the factory outlives this call
          } catch (e: any) {
            post({ type: "agent:error", entry: "late-class-watch", error: String(e) });
          } finally {
            recording.delete(thread);
          }
        }
        return ret;
      };
    }
  }
}
