import Java from "frida-java-bridge";

// Converts Java values into JSON the host can store. Values from the app are bounded here so a
// huge return value cannot flood the channel.
const MAX_STRING = 4096;
// Class wrappers used by converters, resolved once inside Java.perform at install time: a hook
// running in a JDK class's context cannot look up app classes by name (NoClassDefFoundError).
const wrappers: { [name: string]: any } = {};
const WRAPPED = [
  "java.lang.String", "java.util.List", "java.util.Collection", "java.lang.System", "java.lang.ProcessBuilder",
  "android.content.pm.PackageInfo", "android.content.pm.ApplicationInfo", "android.content.ClipData",
  "android.widget.TextView",
];

let valueOf: any = null;

export function initValues(): void {
  for (const name of WRAPPED) {
    try {
      wrappers[name] = Java.use(name);
    } catch (e) {
      wrappers[name] = null;
    }
  }
  valueOf = wrappers["java.lang.String"].valueOf.overload("java.lang.Object");
}

// Java's own toString(): a wrapper typed as an interface (List, Cursor…) has no toString of its own
// on the JS side.
function javaString(value: any): string {
  return valueOf !== null ? String(valueOf.call(wrappers["java.lang.String"], value)) : String(value);
}

function use(name: string): any {
  const w = wrappers[name];
  if (!w) throw new Error(`class not available: ${name}`);
  return w;
}
const MAX_ITEMS = 500;
const MAX_BYTES = 4096;

export function bounded(s: string): string {
  return s.length > MAX_STRING ? s.substring(0, MAX_STRING) + `…[${s.length} chars]` : s;
}

function isByteArray(value: any): boolean {
  return Array.isArray(value) && value.length > 0 && value.every((b: any) => typeof b === "number" && b >= -128 && b <= 255);
}

/** frida-java-bridge hands primitive arrays (int[], byte[], …) over as PrimitiveArray proxies:
 *  their elements, and whether they are bytes, or null for anything else. */
function primitiveArray(value: any): { items: () => any[]; bytes: boolean } | null {
  if (typeof value !== "object" || value.$h === undefined || typeof value.length !== "number") return null;
  if (typeof value.toJSON !== "function") return null;
  try {
    const type = value.$t;
    const name = type === undefined || type === null ? "" : String(type.name ?? type.className ?? type);
    return { items: () => Array.from(value.toJSON() as ArrayLike<any>), bytes: name === "byte" || name === "B" || name === "[B" };
  } catch (e) {
    return null;
  }
}

/** A byte[] proxy's bytes in one copy: indexing the proxy element by element copies the whole
 *  array from the runtime for each element (milliseconds for a kilobyte). */
function bulkBytes(value: any): Uint8Array | null {
  if (value === null || typeof value !== "object" || typeof value.withElements !== "function") return null;
  const n = value.length;
  if (typeof n !== "number") return null;
  if (n === 0) return new Uint8Array(0);
  const buffer = value.withElements((elements: NativePointer) => elements.readByteArray(n));
  return buffer === null ? null : new Uint8Array(buffer);
}

/** A value the agent could not convert (its class cannot be loaded from the hooked class's
 *  loader, a proxy that throws…): kept in the event as a mark, never dropping the event. */
export function unconverted(value: any, error: any): any {
  let type: string = typeof value;
  try {
    if (value !== null && typeof value === "object" && typeof value.$className === "string") type = value.$className;
  } catch (e) {
    // the class name is not available either
  }
  return { unconverted: type, error: String(error) };
}

export function plain(value: any): any {
  try {
    return plainValue(value);
  } catch (e) {
    return unconverted(value, e);
  }
}

/** A Java long (frida-java-bridge hands it over as an Int64): a number while exact, else its
 *  decimal text. */
function javaLong(value: Int64 | UInt64): number | string {
  const n = value.toNumber();
  return Number.isSafeInteger(n) ? n : value.toString();
}

function plainValue(value: any): any {
  if (value === null || value === undefined) return null;
  const t = typeof value;
  if (t === "number" || t === "boolean") return value;
  if (t === "string") return bounded(value);
  if (value instanceof Int64 || value instanceof UInt64) return javaLong(value);
  if (Array.isArray(value)) {
    if (isByteArray(value)) return bytesValue(value);
    return value.slice(0, MAX_ITEMS).map(plain);
  }
  const primitives = primitiveArray(value);
  if (primitives !== null) {
    return primitives.bytes ? bytesValue(value) : primitives.items().slice(0, MAX_ITEMS);
  }
  return bounded(javaString(value)); // a toString() that throws is an unconverted value (plain)
}

function hex(bytes: ArrayLike<number>): string {
  let out = "";
  const n = Math.min(bytes.length, MAX_BYTES);
  for (let i = 0; i < n; i++) out += ((bytes[i] & 0xff) + 0x100).toString(16).substring(1);
  return out;
}

// Bytes beyond MAX_BYTES are not sent; their SHA-256 still identifies the whole array (an
// encrypted upload's ciphertext is matched to the request that carried it by its prefix and hash).
function bytesValue(value: any): any {
  if (value === null || typeof value === "number") return value; // an overload returning a length
  const bulk = bulkBytes(value);
  const bytes: ArrayLike<number> = bulk ?? Array.from(value as ArrayLike<number>);
  if (bytes.length <= MAX_BYTES) return { hex: hex(bytes), length: bytes.length, truncated: false };
  const whole = bulk !== null ? (bulk.buffer as ArrayBuffer) : Array.from(bytes, (b) => b & 0xff);
  return { hex: hex(bytes), length: bytes.length, truncated: true, sha256: Checksum.compute("sha256", whole) };
}

function macBytes(value: any): any {
  if (value === null) return null;
  const h = hex(bulkBytes(value) ?? Array.from(value as ArrayLike<number>));
  return h.match(/../g)?.join(":") ?? h;
}

function ipv4Int(value: any): any {
  const n = Number(value);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join(".");
}

function javaList(value: any): any[] {
  const list = Java.cast(value, use("java.util.List"));
  const out: any[] = [];
  const n = Math.min(list.size(), MAX_ITEMS);
  for (let i = 0; i < n; i++) out.push(list.get(i));
  return out;
}

function list(value: any): any {
  if (value === null) return null;
  if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map(plain);
  const Collection = use("java.util.Collection");
  if (Collection.class.isInstance(value)) {
    const items = Java.cast(value, Collection).toArray();
    const out: any[] = [];
    for (let i = 0; i < Math.min(items.length, MAX_ITEMS); i++) out.push(plain(items[i]));
    return out;
  }
  return plain(value);
}

function location(value: any): any {
  if (value === null) return null;
  return { latitude: value.getLatitude(), longitude: value.getLongitude() };
}

function packageList(value: any): any {
  if (value === null) return null;
  const PackageInfo = use("android.content.pm.PackageInfo");
  return javaList(value).map((item) => String(Java.cast(item, PackageInfo).packageName.value));
}

function applicationList(value: any): any {
  if (value === null) return null;
  const ApplicationInfo = use("android.content.pm.ApplicationInfo");
  return javaList(value).map((item) => String(Java.cast(item, ApplicationInfo).packageName.value));
}

function clip(value: any): any {
  if (value === null) return null;
  const data = Java.cast(value, use("android.content.ClipData"));
  const texts: string[] = [];
  const n = Math.min(data.getItemCount(), MAX_ITEMS);
  for (let i = 0; i < n; i++) {
    const text = data.getItemAt(i).getText();
    texts.push(text === null ? "" : bounded(text.toString()));
  }
  return texts.length === 1 ? texts[0] : texts;
}

function viewText(view: any): any {
  const TextView = use("android.widget.TextView");
  if (!TextView.class.isInstance(view)) return null;
  const text = Java.cast(view, TextView).getText();
  return text === null ? null : bounded(text.toString());
}

function dialogText(dialog: any): any {
  return { dialog: String(dialog.getClass().getName()), text: plain(javaString(dialog)) };
}

function className(self: any): any {
  return String(self.getClass().getName());
}

function identity(self: any): any {
  return use("java.lang.System").identityHashCode(self);
}

/** A MessageDigest, Cipher or Mac: its identity (to pair update() calls with the call that
 *  finishes them) and its algorithm ("AES/CBC/PKCS5Padding"). */
function cryptoObject(self: any): any {
  const id = identity(self);
  try {
    return { id, algorithm: String(self.getAlgorithm()) };
  } catch (e) {
    return { id, algorithm: null };
  }
}

function toStringValue(self: any): any {
  return plain(javaString(self));
}

function processCommand(self: any): any {
  // "[cat, /proc/net/arp]" → "cat /proc/net/arp"
  const text = javaString(self.command());
  return text.replace(/^\[|\]$/g, "").split(", ").join(" ");
}

function okhttpUrl(self: any): any {
  return plain(self.request().url().toString());
}

const converters: { [name: string]: (v: any) => any } = {
  bytes: bytesValue,
  mac_bytes: macBytes,
  ipv4_int: ipv4Int,
  list,
  location,
  package_list: packageList,
  application_list: applicationList,
  clip,
  view_text: viewText,
  dialog_text: dialogText,
  class_name: className,
  identity,
  crypto_object: cryptoObject,
  to_string: toStringValue,
  process_command: processCommand,
  okhttp_url: okhttpUrl,
};

export function hasConverter(kind: string | undefined): boolean {
  return kind === undefined || kind in converters;
}

export function convert(kind: string | undefined, value: any): any {
  if (!kind) return plain(value);
  const fn = converters[kind];
  if (!fn) return plain(value);
  try {
    return fn(value);
  } catch (e: any) {
    return unconverted(value, e);
  }
}
