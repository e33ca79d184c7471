import { NetResult, post } from "./messages";
import { localPort, redirectedPorts } from "./net";

// TLS plaintext at the TLS library (docs/traffic.md, capture path "tls-plaintext"). Native code
// that does its own TLS may pin, and no CA on the phone helps; so on a connection the agent
// redirected, the handshake's start is announced to the host (synchronously: the proxy must know
// before the ClientHello reaches it), the proxy passes that connection through untouched, and
// what the app writes and reads through SSL_write/SSL_read here is sent to the host, which makes
// flows of it. Libraries loaded later (Python's _ssl, an SDK's own .so) are hooked as they load.

const DEFAULT_CAP = 1024 * 1024; // bytes per direction of one connection, beyond that counted only
const LIBRARY = /^(libssl\.so|libssl\.so\.\d+|libboringssl\.so)/;

interface Tracked {
  port: number;
  sent: number;
  received: number;
}

let cap = DEFAULT_CAP;
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
    if (tracked.has(key) || (isServer !== null && isServer(ssl) === 1)) return;
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

export function installTls(bodyCap: number | undefined): NetResult[] {
  if (bodyCap !== undefined) cap = bodyCap;
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
