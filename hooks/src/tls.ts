import { NetResult, post } from "./messages";
import { localPort, redirectedPorts } from "./net";

// TLS plaintext at the TLS library (docs/traffic.md, capture path "tls-plaintext"). Native code
// that does its own TLS may pin, and no CA on the phone helps; so on a connection the agent
// redirected, the handshake's start is announced to the host (synchronously: the proxy must know
// before the ClientHello reaches it), the proxy passes that connection through untouched, and
// what the app writes and reads through SSL_write/SSL_read here is sent to the host, which makes
// flows of it. Libraries loaded later (Python's _ssl, an SDK's own .so) are hooked as they load.

// With --unpin the agent also replaces the library's certificate checks (SSL_CTX_set_verify and
// SSL_set_verify, BoringSSL's custom verify, OpenSSL's cert verify callback, SSL_get_verify_result)
// with ones that accept any chain. A connection whose check privmon replaced is left to the proxy,
// which intercepts it like any HTTPS connection (HTTP/2 and WebSocket parsed, responses kept);
// one that set no check (a pin compared after the handshake, or none) is passed through and read
// here as before, since no verify callback stands between it and its own comparison.

const DEFAULT_CAP = 1024 * 1024; // bytes per direction of one connection, beyond that counted only
const SSL_VERIFY_PEER = 1;
const LIBRARY = /^(libssl\.so|libssl\.so\.\d+|libboringssl\.so)/;
// Android's own libssl (Conscrypt's, in its APEX or /system) carries the Java runtime's HTTPS,
// which the proxy intercepts and parses (HTTP/2 included; --unpin works there): it is not read
// in plaintext. An SDK's own TLS library ships in the app (/data/app/…) and is.
const PLATFORM = /^\/(apex|system)\//;

interface Tracked {
  port: number;
  sent: number;
  received: number;
}

let cap = DEFAULT_CAP;
let unpinNative = false;
// Whose certificate check privmon replaced (true) or left as set (false), by SSL_CTX and by SSL.
const unpinnedContexts = new Map<string, boolean>();
const unpinnedSessions = new Map<string, boolean>();
// Made once and kept for the life of the process: the library calls them long after installing.
type Accept = NativeCallback<"int", ["int", "pointer"]> | NativeCallback<"int", ["pointer", "pointer"]>;
let accepting: { chain: Accept; custom: Accept; certVerify: Accept } | null = null;
const tracked = new Map<string, Tracked>();
const hooked = new Set<string>();
const results: NetResult[] = [];

function report(port: number, outgoing: boolean, buf: NativePointer, length: number, t: Tracked): void {
  const used = outgoing ? t.sent : t.received;
  const take = Math.max(0, Math.min(length, cap - used));
  if (outgoing) t.sent += length;
  else t.received += length;
  const bytes = take > 0 ? buf.readByteArray(take) : null;
  post({ type: "net:tls-data", local_port: port, outgoing, size: length, ts_ms: Date.now() }, bytes);
}

function hookLibrary(module: Module): void {
  if (hooked.has(module.path)) return;
  hooked.add(module.path);
  const find = (name: string) => module.findExportByName(name);
  const unpinned = unpinNative ? hookVerify(module, find) : () => false;
  if (PLATFORM.test(module.path)) {
    results.push({ id: `tls.${module.name}`, state: "not_installed", reason: `the platform's TLS (${module.path}): intercepted at the proxy` });
    post({ type: "net:tls-library", result: results[results.length - 1] });
    return;
  }
  const getFdAddress = find("SSL_get_fd");
  const missing = ["SSL_get_fd", "SSL_write", "SSL_read"].filter((n) => find(n) === null);
  if (getFdAddress === null || missing.length > 0) {
    results.push({ id: `tls.${module.name}`, state: "not_installed", reason: `no ${missing.join(", ")} (stripped?)` });
    post({ type: "net:tls-library", result: results[results.length - 1] });
    return;
  }
  const getFd = new NativeFunction(getFdAddress, "int", ["pointer"]);
  const isServerAddress = find("SSL_is_server");
  const isServer = isServerAddress === null ? null : new NativeFunction(isServerAddress, "int", ["pointer"]);

  const claim = (ssl: NativePointer): void => {
    const key = ssl.toString();
    if (tracked.has(key) || (isServer !== null && isServer(ssl) === 1) || unpinned(ssl)) return;
    const fd = getFd(ssl);
    const port = fd < 0 ? null : localPort(fd);
    if (port === null || !redirectedPorts.has(port)) return;
    tracked.set(key, { port, sent: 0, received: 0 });
    post({ type: "net:tls-native", local_port: port, library: module.name });
    recv("net:tls-native-ack", () => {}).wait();
  };
  for (const name of ["SSL_connect", "SSL_do_handshake"]) {
    const address = find(name);
    if (address !== null) Interceptor.attach(address, { onEnter(args) { claim(args[0]); } });
  }
  const onWrite = {
    onEnter(this: any, args: NativePointer[]) {
      const t = tracked.get(args[0].toString());
      if (t !== undefined) report(t.port, true, args[1], args[2].toInt32(), t);
    },
  };
  Interceptor.attach(find("SSL_write")!, onWrite);
  const writeEx = find("SSL_write_ex");
  if (writeEx !== null) Interceptor.attach(writeEx, onWrite);
  Interceptor.attach(find("SSL_read")!, {
    onEnter(this: any, args) {
      this.t = tracked.get(args[0].toString());
      this.buf = args[1];
    },
    onLeave(this: any, retval) {
      const n = retval.toInt32();
      if (this.t !== undefined && n > 0) report(this.t.port, false, this.buf, n, this.t);
    },
  });
  const readEx = find("SSL_read_ex");
  if (readEx !== null) {
    Interceptor.attach(readEx, {
      onEnter(this: any, args) {
        this.t = tracked.get(args[0].toString());
        this.buf = args[1];
        this.count = args[3];
      },
      onLeave(this: any, retval) {
        if (this.t === undefined || retval.toInt32() !== 1 || this.count.isNull()) return;
        const n = this.count.readULong();
        if (n > 0) report(this.t.port, false, this.buf, Number(n), this.t);
      },
    });
  }
  const free = find("SSL_free");
  if (free !== null) {
    Interceptor.attach(free, {
      onEnter(args) {
        const key = args[0].toString();
        unpinnedSessions.delete(key);
        const t = tracked.get(key);
        if (t === undefined) return;
        tracked.delete(key);
        post({ type: "net:tls-end", local_port: t.port });
      },
    });
  }
  results.push({ id: `tls.${module.name}`, state: "installed" });
  post({ type: "net:tls-library", result: results[results.length - 1] });
}

function unpinReport(id: string): void {
  post({ type: "unpin:bypassed", id });
}

// Replaces the library's certificate checks (--unpin) and says, for an SSL, whether its check was
// replaced: its own setting if it has one, else its context's.
function hookVerify(module: Module, find: (name: string) => NativePointer | null): (ssl: NativePointer) => boolean {
  accepting ??= {
    chain: new NativeCallback(() => 1, "int", ["int", "pointer"]),
    custom: new NativeCallback(() => 0, "int", ["pointer", "pointer"]), // ssl_verify_ok
    certVerify: new NativeCallback(() => 1, "int", ["pointer", "pointer"]),
  };
  const accept = accepting;
  const hooked: string[] = [];
  const setter = (name: string, owners: Map<string, boolean>, callbackArg: number, replacement: Accept,
    replaces: (args: InvocationArguments) => boolean) => {
    const address = find(name);
    if (address === null) return;
    hooked.push(name);
    Interceptor.attach(address, {
      onEnter(args) {
        const replaced = replaces(args);
        owners.set(args[0].toString(), replaced);
        if (!replaced) return;
        args[callbackArg] = replacement;
        unpinReport(`native.${name}`);
      },
    });
  };
  const peerChecked = (args: InvocationArguments) => (args[1].toInt32() & SSL_VERIFY_PEER) !== 0;
  setter("SSL_CTX_set_verify", unpinnedContexts, 2, accept.chain, peerChecked);
  setter("SSL_set_verify", unpinnedSessions, 2, accept.chain, peerChecked);
  setter("SSL_CTX_set_custom_verify", unpinnedContexts, 2, accept.custom, peerChecked);
  setter("SSL_set_custom_verify", unpinnedSessions, 2, accept.custom, peerChecked);
  setter("SSL_CTX_set_cert_verify_callback", unpinnedContexts, 1, accept.certVerify, (args) => !args[1].isNull());
  const getContextAddress = find("SSL_get_SSL_CTX");
  const getContext = getContextAddress === null ? null : new NativeFunction(getContextAddress, "pointer", ["pointer"]);
  const unpinned = (ssl: NativePointer): boolean => {
    const own = unpinnedSessions.get(ssl.toString());
    if (own !== undefined) return own;
    return getContext !== null && unpinnedContexts.get(getContext(ssl).toString()) === true;
  };
  const verifyResult = find("SSL_get_verify_result");
  if (verifyResult !== null) {
    hooked.push("SSL_get_verify_result");
    Interceptor.attach(verifyResult, {
      onEnter(args) {
        this.replace = unpinned(args[0]);
      },
      onLeave(retval) {
        if (this.replace && !retval.isNull()) {
          retval.replace(ptr(0)); // X509_V_OK
          unpinReport("native.SSL_get_verify_result");
        }
      },
    });
  }
  const freeContext = find("SSL_CTX_free");
  if (freeContext !== null) Interceptor.attach(freeContext, { onEnter(args) { unpinnedContexts.delete(args[0].toString()); } });
  results.push(hooked.length > 0
    ? { id: `unpin.${module.name}`, state: "installed", reason: `replaced: ${hooked.join(", ")}` }
    : { id: `unpin.${module.name}`, state: "not_installed", reason: "no certificate check to replace (stripped?)" });
  post({ type: "net:tls-library", result: results[results.length - 1] });
  return unpinned;
}

export function installTls(bodyCap: number | undefined, unpin = false): NetResult[] {
  if (bodyCap !== undefined) cap = bodyCap;
  unpinNative = unpin;
  for (const module of Process.enumerateModules()) {
    if (LIBRARY.test(module.name)) hookLibrary(module);
  }
  Process.attachModuleObserver({
    onAdded(module) {
      if (LIBRARY.test(module.name)) {
        try {
          hookLibrary(module);
        } catch (e) {
          post({ type: "agent:error", entry: `tls.${module.name}`, error: String(e) });
        }
      }
    },
  });
  // the watch for TLS libraries loaded later; each library hooked is reported as it is
  return [{ id: "tls.plaintext", state: "installed" }, ...results];
}
