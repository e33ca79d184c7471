import { enqueue, flush, nextSeq } from "./batch";
import { HookEvent, NetResult, post } from "./messages";
import { stackHere, threadLabel } from "./native_stack";
import { nativeRedirect, Redirect } from "./socks_native";

// Capture that does not depend on the app honouring a proxy (docs/traffic.md, "Capture paths").
// connect() in libc is replaced: every outgoing TCP connection of this process goes to privmon's
// SOCKS5 listener, with the original destination in the handshake, written inside connect()
// with the socket's blocking mode restored (as proxychains does; in C, socks_native.ts; the
// listener sends no replies, so connect() does not wait for the proxy). Each connection is a
// hook event ("net.connect") with the stack of the code that opened it; the host ties flows to it
// by the socket's local port. UDP to refused ports (QUIC: 443) fails (EPERM, as a firewall would) so clients
// fall back to TCP; other UDP is recorded as a blind spot.

export interface Endpoint {
  host: string;
  port: number;
}

export interface NetOptions {
  socks: Endpoint; // privmon's SOCKS5 listener
  proxies: Endpoint[]; // privmon's own proxy listeners: connections to them are proxy-aware already
  exempt: Endpoint[]; // connections privmon and frida need, left alone and not recorded
  refuse_udp_ports: number[];
  // Names the process resolves without getaddrinfo (the lab JVM reads a hosts file): address → name.
  hosts?: { [address: string]: string };
}

const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOL_SOCKET = 1;
const SO_TYPE = 3;
const ECONNREFUSED = 111;
const EPERM = 1; // what a firewall that drops the datagram gives (unconnected UDP ignores ECONNREFUSED)
const UDP_REPORT_EVERY = 50; // datagrams between two blind-spot records of one destination

let opts: NetOptions | null = null;
let redirect: Redirect | null = null;
export const redirectedPorts = new Set<number>(); // local ports of the connections redirected here
const hostsByAddress = new Map<string, string>(); // learned from getaddrinfo: "127.9.0.3" → "api.x.cn"
const udpSeen = new Map<string, { datagrams: number; bytes: number }>();

function libc(name: string, ret: NativeFunctionReturnType, args: NativeFunctionArgumentType[]): any {
  const address = Module.findGlobalExportByName(name);
  return address === null ? null : new NativeFunction(address, ret, args);
}

const connectAddress = Module.findGlobalExportByName("connect");
const connectFn: any = connectAddress === null ? null : new SystemFunction(connectAddress, "int", ["int", "pointer", "uint"]);

// The original connect(), its errno handed to the caller as the app would have seen it.
function originalConnect(context: any, fd: number, sa: NativePointer, len: number): number {
  const r = connectFn(fd, sa, len);
  if (r.value !== 0) context.errno = r.errno;
  return r.value;
}
const getsockoptFn = libc("getsockopt", "int", ["int", "int", "int", "pointer", "pointer"]);
const getsocknameFn = libc("getsockname", "int", ["int", "pointer", "pointer"]);

interface Address {
  family: number;
  ip: string;
  port: number;
}

function readAddress(sa: NativePointer, len: number): Address | null {
  if (sa.isNull() || len < 8) return null;
  const family = sa.readU16();
  const port = (sa.add(2).readU8() << 8) | sa.add(3).readU8();
  if (family === AF_INET) {
    const b = sa.add(4).readByteArray(4);
    return b === null ? null : { family, port, ip: Array.from(new Uint8Array(b)).join(".") };
  }
  if (family === AF_INET6 && len >= 24) {
    const raw = sa.add(8).readByteArray(16);
    if (raw === null) return null;
    const b = new Uint8Array(raw);
    const mapped = b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
    if (mapped) return { family, port, ip: Array.from(b.slice(12)).join(".") };
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(((b[i] << 8) | b[i + 1]).toString(16));
    return { family, port, ip: groups.join(":") };
  }
  return null;
}

function isV4(ip: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(ip);
}

function same(address: Address, endpoints: Endpoint[]): boolean {
  return endpoints.some((e) => e.port === address.port && (e.host === address.ip || (e.host === "0.0.0.0" && isV4(address.ip))));
}

function socketType(fd: number): number {
  const value = Memory.alloc(4);
  const len = Memory.alloc(4);
  len.writeU32(4);
  return getsockoptFn(fd, SOL_SOCKET, SO_TYPE, value, len) === 0 ? value.readS32() : -1;
}

export function localPort(fd: number): number | null {
  const sa = Memory.alloc(128);
  const len = Memory.alloc(4);
  len.writeU32(128);
  if (getsocknameFn(fd, sa, len) !== 0) return null;
  const address = readAddress(sa, len.readU32());
  return address === null ? null : address.port;
}

// The SOCKS listener's address in the socket's own family (an IPv6 socket needs ::ffff:a.b.c.d),
// built once per family and options (connect() only reads it).
const socksAddresses = new Map<number, NativePointer>();

function socksAddress(family: number): NativePointer {
  let sa = socksAddresses.get(family);
  if (sa === undefined) {
    sa = buildSocksAddress(family);
    socksAddresses.set(family, sa);
  }
  return sa;
}

function buildSocksAddress(family: number): NativePointer {
  const socks = opts!.socks;
  const octets = socks.host.split(".").map((x) => parseInt(x, 10));
  if (family === AF_INET) {
    const sa = Memory.alloc(16);
    sa.writeU16(AF_INET);
    sa.add(2).writeU8(socks.port >> 8);
    sa.add(3).writeU8(socks.port & 0xff);
    sa.add(4).writeByteArray(octets);
    return sa;
  }
  const sa = Memory.alloc(28);
  sa.writeU16(AF_INET6);
  sa.add(2).writeU8(socks.port >> 8);
  sa.add(3).writeU8(socks.port & 0xff);
  sa.add(8).writeByteArray([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...octets]);
  return sa;
}

function record(
  api: string,
  args: unknown[],
  ret: unknown,
  context: CpuContext,
  signal: string,
  stack?: string[],
  seq?: number,
): void {
  const event: HookEvent = {
    seq: seq ?? nextSeq(),
    ts_ms: Date.now(),
    entry: api,
    api,
    pi_category: null,
    pi_type: null,
    sensitive: false,
    signal,
    args,
    ret,
    stack: stack ?? stackHere(context),
    thread: threadLabel(),
  };
  enqueue(event);
  flush(); // the host ties the connection's flows to this event: it must not wait for a batch
}

function onConnect(this: any, fd: number, sa: NativePointer, len: number): number {
  const dest = readAddress(sa, len);
  const o = opts;
  if (o === null || dest === null) return originalConnect(this, fd, sa, len);
  const type = socketType(fd);
  if (type === SOCK_DGRAM) return onUdpConnect.call(this, fd, sa, len, dest);
  if (type !== SOCK_STREAM || same(dest, o.exempt)) return originalConnect(this, fd, sa, len);
  const host = hostsByAddress.get(dest.ip) ?? null;
  const destination = { ip: dest.ip, port: dest.port, host };
  if (same(dest, o.proxies)) {
    const rc = originalConnect(this, fd, sa, len);
    if (rc === 0 || this.errno === 115) {
      record("net.connect", [destination], { capture_path: "proxy-aware", local_port: localPort(fd) }, this.context, "network");
    }
    return rc;
  }
  const seq = nextSeq(); // the connection's event, named in the SOCKS credentials
  const socksLength = dest.family === AF_INET ? 16 : 28;
  const { localPort: port, error } = redirect!(fd, socksAddress(dest.family), socksLength, sa, host, seq);
  if (port !== null) redirectedPorts.add(port);
  const ret = { capture_path: "redirected", local_port: port, error };
  record("net.connect", [destination], ret, this.context, "network", undefined, seq);
  if (error !== null) {
    this.errno = ECONNREFUSED;
    return -1;
  }
  return 0;
}

function udpRefused(dest: Address): boolean {
  return opts !== null && opts.refuse_udp_ports.indexOf(dest.port) >= 0;
}

function onUdpConnect(this: any, fd: number, sa: NativePointer, len: number, dest: Address): number {
  if (!udpRefused(dest)) return originalConnect(this, fd, sa, len);
  record("net.udp", [{ ip: dest.ip, port: dest.port, host: hostsByAddress.get(dest.ip) ?? null }],
    { refused: true, datagrams: 0, bytes: 0 }, this.context, "network");
  this.errno = EPERM;
  return -1;
}

function installSendto(): NetResult {
  const address = Module.findGlobalExportByName("sendto");
  if (address === null) return { id: "net.udp", state: "not_installed", reason: "no sendto in this process" };
  const original = new NativeFunction(address, "ssize_t", ["int", "pointer", "size_t", "int", "pointer", "uint"]);
  Interceptor.replace(address, new NativeCallback(function (this: any, fd, buf, size, flags, sa, len) {
    const dest = sa.isNull() ? null : readAddress(sa, len);
    if (dest === null || dest.port === 53 || socketType(fd) !== SOCK_DGRAM) return original(fd, buf, size, flags, sa, len);
    const key = `${dest.ip}:${dest.port}`;
    const seen = udpSeen.get(key) ?? { datagrams: 0, bytes: 0 };
    seen.datagrams += 1;
    seen.bytes += Number(size);
    udpSeen.set(key, seen);
    const refused = udpRefused(dest);
    if (seen.datagrams === 1 || seen.datagrams % UDP_REPORT_EVERY === 0) {
      record("net.udp", [{ ip: dest.ip, port: dest.port, host: hostsByAddress.get(dest.ip) ?? null }],
        { refused, datagrams: seen.datagrams, bytes: seen.bytes }, this.context, "network");
    }
    if (refused) {
      this.errno = EPERM;
      return -1;
    }
    return original(fd, buf, size, flags, sa, len);
  }, "ssize_t", ["int", "pointer", "size_t", "int", "pointer", "uint"]));
  return { id: "net.udp", state: "installed" };
}

// Who started a child process: its connections' stacks are native, the code that forked it is not.
function installFork(): NetResult {
  const address = Module.findGlobalExportByName("fork");
  if (address === null) return { id: "net.fork", state: "not_installed", reason: "no fork in this process" };
  Interceptor.attach(address, {
    onEnter(this: any) {
      this.stack = stackHere(this.context);
      this.parent = Process.id;
    },
    onLeave(this: any, retval) {
      const child = retval.toInt32();
      if (child > 0 && Process.id === this.parent) {
        record("process.fork", [], { child_pid: child }, this.context, "process", this.stack);
      }
    },
  });
  return { id: "net.fork", state: "installed" };
}

// Names the app resolved, so the SOCKS request carries the host it asked for.
function installGetaddrinfo(): NetResult {
  const address = Module.findGlobalExportByName("getaddrinfo");
  if (address === null) return { id: "net.dns", state: "not_installed", reason: "no getaddrinfo in this process" };
  Interceptor.attach(address, {
    onEnter(args) {
      const node = args[0].isNull() ? null : args[0].readUtf8String();
      this.node = node !== null && !isV4(node) && !node.includes(":") ? node : null; // names, not numbers
      this.res = args[3];
    },
    onLeave(rc) {
      if (rc.toInt32() !== 0 || this.node === null) return;
      let ai = this.res.readPointer();
      for (let i = 0; i < 64 && !ai.isNull(); i++) {
        // struct addrinfo: flags, family, socktype, protocol (ints), addrlen, addr, canonname, next
        const addrlen = ai.add(16).readU32();
        const sa = ai.add(24).readPointer();
        const a = readAddress(sa, addrlen);
        if (a !== null) hostsByAddress.set(a.ip, this.node);
        ai = ai.add(40).readPointer();
      }
    },
  });
  return { id: "net.dns", state: "installed" };
}

// Names resolved without getaddrinfo (the lab JVM's hosts file), given by the host. Hooking the
// Java runtime's InetAddress lookups instead deadlocks HotSpot at a safepoint under Frida (a class
// definition's deoptimization handshake never completes; frida/frida#1996), and on Android
// InetAddress resolves through getaddrinfo, which net.dns sees.
function installKnownHosts(): NetResult {
  const hosts = opts?.hosts ?? {};
  const addresses = Object.keys(hosts);
  for (const address of addresses) hostsByAddress.set(address, hosts[address]);
  if (addresses.length === 0) return { id: "net.dns.hosts", state: "not_installed", reason: "no hosts table (names resolve through getaddrinfo)" };
  return { id: "net.dns.hosts", state: "installed" };
}

export function installNet(options: NetOptions): NetResult[] {
  socksAddresses.clear();
  if (opts !== null) {
    opts = options;
    return [];
  }
  opts = options;
  const results: NetResult[] = [];
  const connect = Module.findGlobalExportByName("connect");
  const missing = ["connect", "getsockopt", "getsockname"].filter((n) => Module.findGlobalExportByName(n) === null);
  const native = connect === null ? null : nativeRedirect(connect);
  if (missing.length > 0 || typeof native === "string") {
    const reason = missing.length > 0 ? `missing in libc: ${missing.join(", ")}` : native as string;
    results.push({ id: "net.connect", state: "not_installed", reason });
  } else {
    redirect = native;
    Interceptor.replace(connect!, new NativeCallback(onConnect, "int", ["int", "pointer", "uint"]));
    results.push({ id: "net.connect", state: "installed" });
  }
  for (const install of [installSendto, installGetaddrinfo, installKnownHosts, installFork]) {
    try {
      results.push(install());
    } catch (e) {
      post({ type: "agent:error", entry: "net", error: String(e) });
    }
  }
  return results;
}
