import Java from "frida-java-bridge";
import { enqueue, flush, nextSeq } from "./batch";
import { HookEvent, NetResult, post } from "./messages";
import { nativeFrame, stackHere, threadLabel } from "./native_stack";

// Reads no Java API hook sees (docs/hooks.md, "Side channels"): open()/openat() of identifier files,
// system property lookups, and the output of commands the app runs. The per-call filter is native
// (a CModule comparing the path or name with the rules' literal prefixes), so an unlisted open costs
// one string comparison per prefix; only a candidate enters JavaScript, which checks the rule, reads
// the value, takes the stack and records the event.

export interface SideRule {
  id: string;
  kind: "file" | "property" | "command";
  pattern: string;
  regex: string;
  prefix: string;
  pi_category: string;
  pi_type: string;
  sensitive: boolean;
  extract: string | null;
}

export interface SideOptions {
  rules: SideRule[];
  window_ms: number; // one event per (target, caller) within this window
  path_map: { root: string; prefixes: string[] } | null; // the lab: identifier paths opened from root
  started_by?: string[] | null; // a child process: the stack of the code that started it
}

const MAX_VALUE_BYTES = 4096;
const MAX_OUTPUT_BYTES = 16384;
const MAX_FDS = 4096;
const MAX_PREFIXES = 64;
const SHELLS = ["sh", "bash", "su", "mksh"];
const MULTICALL = ["toybox", "busybox"]; // `toybox getprop ro.serialno`
const PLATFORM_FRAMES = ["java.", "javax.", "jdk.", "sun.", "android.", "com.android.", "dalvik.", "libcore."];
const PLATFORM_LIBRARIES = /^(libc\.so.*|ld-linux.*|libjvm\.so|libjava\.so|libnio\.so|libnet\.so|libart\.so|libandroid_runtime\.so|libbase\.so|libcutils\.so|libutils\.so|linker64?|frida-agent.*)$/;

const NATIVE_FILTER = `
#include <gum/guminterceptor.h>

extern const char * file_prefixes[${MAX_PREFIXES}];
extern guint file_prefix_lengths[${MAX_PREFIXES}];
extern guint file_prefix_count;
extern const char * property_prefixes[${MAX_PREFIXES}];
extern guint property_prefix_lengths[${MAX_PREFIXES}];
extern guint property_prefix_count;
extern guint8 tracked_fds[${MAX_FDS}];

extern int on_open_enter (const char * path, const char ** replacement, gpointer caller);
extern void on_open_leave (int token, int fd);
extern int on_property_enter (const char * name, gpointer caller);
extern void on_property_leave (int token, const char * value, int length);
extern void on_output (int fd, const void * data, int length);
extern int * errno_location (void);

typedef struct { int token; char * value; int fd; } State;

static int
starts_with_any (const char * s, const char ** prefixes, guint * lengths, guint count)
{
  guint i, j;
  if (s == NULL)
    return 0;
  for (i = 0; i != count; i++)
  {
    const char * p = prefixes[i];
    for (j = 0; j != lengths[i] && s[j] == p[j]; j++)
      ;
    if (j == lengths[i])
      return 1;
  }
  return 0;
}

static void
open_enter_at (GumInvocationContext * ic, guint path_arg)
{
  State * state = GUM_IC_GET_INVOCATION_DATA (ic, State);
  const char * path = gum_invocation_context_get_nth_argument (ic, path_arg);
  const char * replacement = NULL;
  state->token = 0;
  if (!starts_with_any (path, file_prefixes, file_prefix_lengths, file_prefix_count))
    return;
  state->token = on_open_enter (path, &replacement, gum_invocation_context_get_return_address (ic));
  if (replacement != NULL)
    gum_invocation_context_replace_nth_argument (ic, path_arg, (gpointer) replacement);
}

void open_enter (GumInvocationContext * ic) { open_enter_at (ic, 0); }
void openat_enter (GumInvocationContext * ic) { open_enter_at (ic, 1); }

void
open_leave (GumInvocationContext * ic)
{
  State * state = GUM_IC_GET_INVOCATION_DATA (ic, State);
  int error;
  if (state->token == 0)
    return;
  error = *errno_location ();
  on_open_leave (state->token, (int) (gssize) gum_invocation_context_get_return_value (ic));
  *errno_location () = error;
}

/* A lookup of a listed property name at depth 0 (not __system_property_get's own find()); the
 * value is read from get()'s buffer at leave, or, for find(), by the agent. */
static void
property_enter (GumInvocationContext * ic, char * value)
{
  State * state = GUM_IC_GET_INVOCATION_DATA (ic, State);
  const char * name = gum_invocation_context_get_nth_argument (ic, 0);
  state->token = 0;
  if (gum_invocation_context_get_depth (ic) != 0)
    return;
  if (!starts_with_any (name, property_prefixes, property_prefix_lengths, property_prefix_count))
    return;
  state->value = value;
  state->token = on_property_enter (name, gum_invocation_context_get_return_address (ic));
}

void property_get_enter (GumInvocationContext * ic) { property_enter (ic, gum_invocation_context_get_nth_argument (ic, 1)); }
void property_find_enter (GumInvocationContext * ic) { property_enter (ic, NULL); }

void
property_get_leave (GumInvocationContext * ic)
{
  State * state = GUM_IC_GET_INVOCATION_DATA (ic, State);
  if (state->token == 0)
    return;
  on_property_leave (state->token, state->value, (int) (gssize) gum_invocation_context_get_return_value (ic));
}

void
read_enter (GumInvocationContext * ic)
{
  State * state = GUM_IC_GET_INVOCATION_DATA (ic, State);
  int fd = (int) (gssize) gum_invocation_context_get_nth_argument (ic, 0);
  state->token = 0;
  if (fd < 0 || fd >= ${MAX_FDS} || !tracked_fds[fd])
    return;
  state->token = 1;
  state->fd = fd;
  state->value = gum_invocation_context_get_nth_argument (ic, 1);
}

void
read_leave (GumInvocationContext * ic)
{
  State * state = GUM_IC_GET_INVOCATION_DATA (ic, State);
  int error;
  if (state->token == 0)
    return;
  error = *errno_location ();
  on_output (state->fd, state->value, (int) (gssize) gum_invocation_context_get_return_value (ic));
  *errno_location () = error;
}

void
close_enter (GumInvocationContext * ic)
{
  int fd = (int) (gssize) gum_invocation_context_get_nth_argument (ic, 0);
  if (fd >= 0 && fd < ${MAX_FDS} && tracked_fds[fd])
    on_output (fd, NULL, 0);
}
`;

interface Pending {
  native_stack?: string[]; // a child process's own backtrace, when `stack` is its starter's
  rule: SideRule;
  channel: "file" | "property" | "command"; // how it was read (a command may fall under a file rule)
  target: string; // the path, property name or command line
  via: string;
  stack: string[];
  thread: string | null;
  tsMs: number;
}

interface Output extends Pending {
  chunks: number[];
}

let opts: SideOptions | null = null;
let rules: { rule: SideRule; regex: RegExp; extract: RegExp | null }[] = [];
const pending = new Map<number, Pending>();
const outputs = new Map<number, Output>();
const lastSeen = new Map<string, number>();
let nextToken = 1;
let keep: any[] = []; // CModule, callbacks and buffers: alive as long as the hooks
let trackedFds: NativePointer | null = null;
let preadFn: any = null;
let propertyGetFn: any = null;
let filenoFn: any = null;
const mappedPaths = new Map<string, NativePointer>();

function ruleFor(kind: string, target: string): SideRule | null {
  for (const r of rules) if (r.rule.kind === kind && r.regex.test(target)) return r.rule;
  return null;
}

/** The rule a command line falls under: `getprop NAME` by the property rules, `cat PATH` by the
 *  file rules, anything else by the command rules. */
export function commandRule(command: string): SideRule | null {
  const words = command.trim().split(/\s+/);
  const program = (words[0] ?? "").split("/").pop() ?? "";
  // `sh -c "getprop ro.serialno"`, `su -c …`: the command the shell runs
  if (SHELLS.indexOf(program) >= 0 && words[1] === "-c" && words.length > 2) {
    return commandRule(words.slice(2).join(" ").replace(/^["']|["']$/g, ""));
  }
  if (MULTICALL.indexOf(program) >= 0 && words.length > 1) return commandRule(words.slice(1).join(" "));
  const line = [program, ...words.slice(1)].join(" ");
  if (program === "getprop" && words.length === 2) return ruleFor("property", words[1]);
  if (program === "cat" && words.length >= 2) {
    for (const path of words.slice(1)) {
      const rule = ruleFor("file", path);
      if (rule !== null) return rule;
    }
    return null;
  }
  return ruleFor("command", line);
}

function isNative(frame: string): boolean {
  return !frame.includes("(");
}

// A call the platform made for itself (the runtime reading /proc at start-up), not the app: every
// Java frame is the platform's, or, for a native backtrace, every library is (privmon's own frames
// left out).
function isPlatformCall(stack: string[]): boolean {
  const frames = stack.filter((f) => !f.startsWith("frida-agent") && !f.startsWith("0x"));
  if (frames.length === 0) return true;
  return frames.every((f) =>
    isNative(f) ? PLATFORM_LIBRARIES.test(f.split(/[!+]/)[0]) : PLATFORM_FRAMES.some((p) => f.startsWith(p)),
  );
}

function callerKey(stack: string[]): string {
  const own = stack.find((f) => !PLATFORM_FRAMES.some((p) => f.startsWith(p)));
  return (own ?? stack[0] ?? "").replace(/\(.*$/, "");
}

// `caller`: the return address of the hooked call (the native filter has it; a backtrace taken in
// its callback starts inside Frida), put first in a native backtrace.
function begin(rule: SideRule, target: string, via: string, context?: CpuContext, caller?: NativePointer): Pending | null {
  let stack = stackHere(context);
  if (caller && !caller.isNull() && stack.every(isNative)) {
    const first = nativeFrame(caller);
    stack = [first, ...stack.filter((f) => f !== first && !/^(ld-linux|frida-agent|0x)/.test(f))];
  }
  let nativeStack: string[] | undefined;
  const startedBy = opts!.started_by;
  if (startedBy && startedBy.length > 0 && stack.every(isNative)) {
    // a program the app started: its read is the starter's (the child's own frames kept as detail)
    nativeStack = stack;
    stack = startedBy;
  }
  if (isPlatformCall(stack)) return null;
  const key = `${rule.kind} ${target} ${callerKey(stack)}`;
  const now = Date.now();
  const seen = lastSeen.get(key);
  if (seen !== undefined && now - seen < opts!.window_ms) return null;
  lastSeen.set(key, now);
  return { rule, channel: channelOf(via, rule), target, via, stack, thread: threadLabel(), tsMs: now, native_stack: nativeStack };
}

function channelOf(via: string, rule: SideRule): "file" | "property" | "command" {
  return via === "ProcessBuilder.start" || via === "popen" || via.startsWith("posix_spawn") ? "command" : rule.kind;
}

function valueOf(rule: SideRule, text: string): string | string[] | null {
  const compiled = rules.find((r) => r.rule === rule)?.extract ?? null;
  if (compiled === null) {
    const trimmed = text.trim();
    return trimmed.length > 0 ? trimmed : null;
  }
  const found: string[] = [];
  compiled.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = compiled.exec(text)) !== null && found.length < 500) {
    const value = m.slice(1).find((g) => g !== undefined); // the first group that took part
    if (value !== undefined && found.indexOf(value) < 0) found.push(value);
    if (m[0].length === 0) compiled.lastIndex += 1;
  }
  return found.length === 0 ? null : found.length === 1 ? found[0] : found;
}

function utf8(bytes: ArrayBuffer | number[]): string {
  const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : Uint8Array.from(bytes);
  let out = "";
  for (let i = 0; i < view.length; i++) out += String.fromCharCode(view[i]);
  try {
    return decodeURIComponent(escape(out));
  } catch (e) {
    return out; // not UTF-8: bytes as Latin-1
  }
}

function record(p: Pending, value: unknown, details: { [k: string]: unknown }): void {
  const event: HookEvent = {
    seq: nextSeq(),
    ts_ms: p.tsMs,
    entry: p.rule.id,
    api: `${p.channel} ${p.target}`,
    pi_category: p.rule.pi_category,
    pi_type: p.rule.pi_type,
    sensitive: p.rule.sensitive,
    signal: null,
    args: [p.target, { via: p.via, ...(p.native_stack ? { process: Process.id, native_stack: p.native_stack } : {}), ...details }],
    ret: value,
    stack: p.stack,
    thread: p.thread,
  };
  enqueue(event);
  flush(); // rare, and a helper program may be gone before a batch would leave
}

function guarded<T>(what: string, fallback: T, body: () => T): T {
  try {
    return body();
  } catch (e: any) {
    post({ type: "agent:error", entry: `side.${what}`, error: String(e), stack: e.stack ?? null });
    return fallback;
  }
}

// -- files ---------------------------------------------------------------------------------------

function mapped(path: string): NativePointer | null {
  const map = opts?.path_map;
  if (!map || !map.prefixes.some((p) => path.startsWith(p))) return null;
  let replacement = mappedPaths.get(path);
  if (replacement === undefined) {
    replacement = Memory.allocUtf8String(map.root + path);
    if (mappedPaths.size < 10000) mappedPaths.set(path, replacement);
  }
  return replacement;
}

// NativeCallbacks called by the native filter: `this.context` is the CPU state there, `caller` the
// hooked call's return address.
function onOpenEnter(this: any, pathPtr: NativePointer, replacementOut: NativePointer, caller: NativePointer): number {
  const context = this?.context;
  return guarded("open", 0, () => {
    const path = pathPtr.readUtf8String() ?? "";
    const replacement = mapped(path);
    if (replacement !== null) replacementOut.writePointer(replacement);
    const rule = ruleFor("file", path);
    if (rule === null) return 0;
    const p = begin(rule, path, "open", context, caller);
    if (p === null) return 0;
    const token = nextToken++;
    pending.set(token, p);
    return token;
  });
}

function onOpenLeave(token: number, fd: number): void {
  const p = pending.get(token);
  pending.delete(token);
  if (p === undefined) return;
  guarded("open", undefined, () => {
    if (fd < 0) {
      record(p, null, { error: "not opened" });
      return;
    }
    const buf = Memory.alloc(MAX_VALUE_BYTES);
    const n = Number(preadFn(fd, buf, MAX_VALUE_BYTES, 0));
    const text = n > 0 ? utf8(buf.readByteArray(n)!) : "";
    record(p, valueOf(p.rule, text), { bytes: Math.max(n, 0) });
  });
}

// -- system properties ---------------------------------------------------------------------------

function onPropertyEnter(this: any, namePtr: NativePointer, caller: NativePointer): number {
  const context = this?.context;
  return guarded("property", 0, () => {
    const name = namePtr.readUtf8String() ?? "";
    const rule = ruleFor("property", name);
    if (rule === null) return 0;
    const p = begin(rule, name, "__system_property_get", context, caller);
    if (p === null) return 0;
    const token = nextToken++;
    pending.set(token, p);
    return token;
  });
}

function onPropertyLeave(token: number, valuePtr: NativePointer, length: number): void {
  const p = pending.get(token);
  pending.delete(token);
  if (p === undefined) return;
  guarded("property", undefined, () => {
    let value: string | null = null;
    if (!valuePtr.isNull() && length > 0) {
      value = valuePtr.readUtf8String(length);
    } else if (valuePtr.isNull() && propertyGetFn !== null) {
      // __system_property_find(): the value the caller is about to read
      p.via = "__system_property_find";
      const buf = Memory.alloc(92); // PROP_VALUE_MAX
      const n = Number(propertyGetFn(Memory.allocUtf8String(p.target), buf));
      value = n > 0 ? buf.readUtf8String(n) : null;
    }
    record(p, value === null ? null : valueOf(p.rule, value), {});
  });
}

// -- command output ------------------------------------------------------------------------------

function track(fd: number, p: Pending): void {
  if (trackedFds === null || fd < 0 || fd >= MAX_FDS) return;
  outputs.set(fd, { ...p, chunks: [] });
  trackedFds.add(fd).writeU8(1);
}

function finish(fd: number): void {
  const out = outputs.get(fd);
  outputs.delete(fd);
  if (trackedFds !== null && fd >= 0 && fd < MAX_FDS) trackedFds.add(fd).writeU8(0);
  if (out === undefined) return;
  const text = utf8(out.chunks);
  record(out, valueOf(out.rule, text), { bytes: out.chunks.length });
}

function onOutput(fd: number, data: NativePointer, length: number): void {
  guarded("output", undefined, () => {
    const out = outputs.get(fd);
    if (out === undefined) return;
    if (data.isNull() || length <= 0) {
      if (length === 0 || data.isNull()) finish(fd); // EOF or close()
      return;
    }
    const room = MAX_OUTPUT_BYTES - out.chunks.length;
    if (room > 0) {
      const bytes = new Uint8Array(data.readByteArray(Math.min(room, length))!);
      for (let i = 0; i < bytes.length; i++) out.chunks.push(bytes[i]);
    }
    if (out.chunks.length >= MAX_OUTPUT_BYTES) finish(fd);
  });
}

/** The stdout of a Java Process (ProcessBuilder.start's result): its file descriptor, found through
 *  the stream's wrappers (OpenJDK names the int `fd`, Android `descriptor`). */
function processStdoutFd(process: any): number {
  const FilterInputStream = Java.use("java.io.FilterInputStream");
  const FileInputStream = Java.use("java.io.FileInputStream");
  let stream = Java.cast(process, Java.use("java.lang.Process")).getInputStream();
  for (let i = 0; i < 4 && FilterInputStream.class.isInstance(stream); i++) {
    stream = Java.cast(stream, FilterInputStream).in.value;
  }
  if (!FileInputStream.class.isInstance(stream)) return -1;
  const descriptor = Java.cast(stream, FileInputStream).getFD();
  for (const field of ["fd", "descriptor"]) {
    const f = descriptor[field];
    if (f !== undefined && typeof f.value === "number") return f.value;
  }
  return -1;
}

/** Called by the catalogue's ProcessBuilder.start hook (install.ts): a command on the list has its
 *  output recorded as the app reads it, as one event with the stack of the code that started it. */
export function trackProcessOutput(process: any, command: string, stack: string[], tsMs: number): void {
  if (opts === null || process === null || typeof command !== "string") return;
  const rule = commandRule(command);
  if (rule === null || isPlatformCall(stack)) return;
  const fd = processStdoutFd(process);
  if (fd < 0) return;
  track(fd, { rule, channel: "command", target: command.trim(), via: "ProcessBuilder.start", stack, thread: threadLabel(), tsMs });
}

export function finishOutputs(): void {
  for (const fd of Array.from(outputs.keys())) finish(fd);
}

// -- installation --------------------------------------------------------------------------------

function prefixTable(prefixes: string[]): { list: NativePointer; lengths: NativePointer; count: NativePointer } {
  const unique = Array.from(new Set(prefixes)).slice(0, MAX_PREFIXES);
  const list = Memory.alloc(MAX_PREFIXES * Process.pointerSize);
  const lengths = Memory.alloc(MAX_PREFIXES * 4);
  unique.forEach((p, i) => {
    const s = Memory.allocUtf8String(p);
    keep.push(s);
    list.add(i * Process.pointerSize).writePointer(s);
    lengths.add(i * 4).writeU32(unescape(encodeURIComponent(p)).length); // UTF-8 bytes: the filter compares bytes
  });
  const count = Memory.alloc(4);
  count.writeU32(unique.length);
  return { list, lengths, count };
}

function exported(...names: string[]): { name: string; address: NativePointer }[] {
  const out: { name: string; address: NativePointer }[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    const address = Module.findGlobalExportByName(name);
    if (address !== null && !seen.has(address.toString())) {
      seen.add(address.toString());
      out.push({ name, address });
    }
  }
  return out;
}

// bionic's property functions, in whichever library exports them (a library loaded without
// RTLD_GLOBAL is not seen by a global lookup).
function exportedByAnyModule(name: string): { name: string; address: NativePointer }[] {
  const global = exported(name);
  if (global.length > 0) return global;
  for (const module of Process.enumerateModules()) {
    const address = module.findExportByName(name);
    if (address !== null) return [{ name, address }];
  }
  return [];
}

export function installSideChannels(options: SideOptions): NetResult[] {
  if (opts !== null) {
    return [];
  }
  opts = options;
  rules = options.rules.map((rule) => ({
    rule,
    regex: new RegExp(rule.regex),
    extract: rule.extract ? new RegExp(rule.extract, "g") : null,
  }));
  const fileRules = options.rules.filter((r) => r.kind === "file");
  const propertyRules = options.rules.filter((r) => r.kind === "property");
  const files = prefixTable([...fileRules.map((r) => r.prefix), ...(options.path_map?.prefixes ?? [])]);
  const properties = prefixTable(propertyRules.map((r) => r.prefix));
  trackedFds = Memory.alloc(MAX_FDS);
  const callbacks = {
    on_open_enter: new NativeCallback(onOpenEnter, "int", ["pointer", "pointer", "pointer"]),
    on_open_leave: new NativeCallback(onOpenLeave, "void", ["int", "int"]),
    on_property_enter: new NativeCallback(onPropertyEnter, "int", ["pointer", "pointer"]),
    on_property_leave: new NativeCallback(onPropertyLeave, "void", ["int", "pointer", "int"]),
    on_output: new NativeCallback(onOutput, "void", ["int", "pointer", "int"]),
  };
  const errnoLocation = Module.findGlobalExportByName("__errno_location") ?? Module.findGlobalExportByName("__errno");
  if (errnoLocation === null) return [{ id: "side.open", state: "not_installed", reason: "no errno location in this libc" }];
  const cm = new CModule(NATIVE_FILTER, {
    errno_location: errnoLocation,
    file_prefixes: files.list,
    file_prefix_lengths: files.lengths,
    file_prefix_count: files.count,
    property_prefixes: properties.list,
    property_prefix_lengths: properties.lengths,
    property_prefix_count: properties.count,
    tracked_fds: trackedFds,
    ...callbacks,
  });
  keep.push(cm, callbacks, files, properties);
  const pread = Module.findGlobalExportByName("pread64") ?? Module.findGlobalExportByName("pread");
  preadFn = pread === null ? null : new NativeFunction(pread, "int64", ["int", "pointer", "uint64", "int64"]);
  const fileno = Module.findGlobalExportByName("fileno");
  filenoFn = fileno === null ? null : new NativeFunction(fileno, "int", ["pointer"]);

  const results: NetResult[] = [];
  const attach = (targets: { address: NativePointer }[], enter: NativePointer, leave?: NativePointer) => {
    if (targets.length === 0) return false;
    for (const t of targets) Interceptor.attach(t.address, leave ? { onEnter: enter, onLeave: leave } : { onEnter: enter });
    return true;
  };

  const opens = exported("open", "open64", "__open_2", "__open64_2");
  const openats = exported("openat", "openat64", "__openat_2", "__openat64_2");
  const fileHooked = preadFn !== null && attach(opens, cm.open_enter, cm.open_leave);
  if (fileHooked) attach(openats, cm.openat_enter, cm.open_leave); // absent in some libcs: open() is enough
  results.push(fileHooked
    ? { id: "side.open", state: "installed" }
    : { id: "side.open", state: "not_installed", reason: "no open()/pread() in this process" });

  const propertyGet = exportedByAnyModule("__system_property_get");
  const propertyFind = exportedByAnyModule("__system_property_find");
  propertyGetFn = propertyGet.length > 0 ? new NativeFunction(propertyGet[0].address, "int", ["pointer", "pointer"]) : null;
  const propertyHooked = attach(propertyGet, cm.property_get_enter, cm.property_get_leave);
  attach(propertyFind, cm.property_find_enter, cm.property_get_leave);
  results.push(propertyHooked
    ? { id: "side.property", state: "installed" }
    : { id: "side.property", state: "not_installed", reason: "no __system_property_get in this process (not bionic)" });

  const reads = exported("read");
  const closes = exported("close");
  const outputHooked = attach(reads, cm.read_enter, cm.read_leave) && attach(closes, cm.close_enter);
  results.push(outputHooked
    ? { id: "side.output", state: "installed" }
    : { id: "side.output", state: "not_installed", reason: "no read()/close() in this process" });

  results.push(installPopen());
  results.push(installSpawn());
  for (const r of options.rules) {
    const hooked = r.kind === "file" ? fileHooked : r.kind === "property" ? propertyHooked : outputHooked;
    results.push(hooked ? { id: r.id, state: "installed" } : { id: r.id, state: "not_installed", reason: `no ${r.kind} hook in this process` });
  }
  return results;
}

// popen(): native code running a command and reading its output through the FILE*.
function installPopen(): NetResult {
  const targets = exported("popen");
  if (targets.length === 0 || filenoFn === null) return { id: "side.popen", state: "not_installed", reason: "no popen() in this process" };
  Interceptor.attach(targets[0].address, {
    onEnter(args) {
      this.p = null;
      guarded("popen", undefined, () => {
        const command = args[0].isNull() ? "" : args[0].readUtf8String() ?? "";
        const mode = args[1].isNull() ? "" : args[1].readUtf8String() ?? "";
        const rule = mode.startsWith("r") ? commandRule(command) : null;
        if (rule !== null) this.p = begin(rule, command.trim(), "popen", this.context);
      });
    },
    onLeave(ret) {
      if (this.p === null || ret.isNull()) return;
      guarded("popen", undefined, () => track(filenoFn(ret), this.p));
    },
  });
  return { id: "side.popen", state: "installed" };
}

// posix_spawn(): a command started natively whose output privmon cannot see (popen's own spawn is
// popen's event).
function installSpawn(): NetResult {
  const targets = exported("posix_spawn", "posix_spawnp");
  if (targets.length === 0) return { id: "side.spawn", state: "not_installed", reason: "no posix_spawn() in this process" };
  for (const t of targets) {
    Interceptor.attach(t.address, {
      onEnter(args) {
        if (this.depth > 0) return;
        guarded("spawn", undefined, () => {
          const argv: string[] = [];
          for (let i = 0; i < 32; i++) {
            const a = args[3].add(i * Process.pointerSize).readPointer();
            if (a.isNull()) break;
            argv.push(a.readUtf8String() ?? "");
          }
          const command = argv.join(" ");
          const rule = commandRule(command);
          const p = rule === null ? null : begin(rule, command, t.name, this.context);
          if (p !== null) record(p, null, { output: "not read by privmon (started natively)" });
        });
      },
    });
  }
  return { id: "side.spawn", state: "installed" };
}
