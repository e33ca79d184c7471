"""The lab's simulated phone for the adb path: a small adbd speaking the ADB transport protocol
over TCP on loopback, so the real `adb` server and adbutils talk to it as to a phone
(`adb connect 127.0.0.1:PORT`). Shell commands run against monitor/lab/phone.py's state.
Lab only: labelled as such in its properties (ro.product.brand=privmon-lab).

Protocol: 24-byte little-endian headers (command, arg0, arg1, payload length, payload checksum,
command ^ 0xffffffff), CNXN handshake without AUTH, streams opened with OPEN and answered with
OKAY / WRTE / CLSE, each WRTE acknowledged by an OKAY. Services: `shell:` (the classic stream,
this device announces no shell_v2), `sync:` (STAT, SEND, RECV), `reverse:` (forward,
killforward, list-forward), `root:`, and streams the device opens itself (`tcp:PORT` towards the
host, what `adb reverse` carries), used by the simulated browser.
"""

from __future__ import annotations

import queue
import socket
import socketserver
import ssl
import struct
import threading
from contextlib import suppress

from .phone import DeviceState, Package

A_CNXN, A_OPEN, A_OKAY, A_CLSE, A_WRTE, A_AUTH = (
    0x4E584E43,
    0x4E45504F,
    0x59414B4F,
    0x45534C43,
    0x45545257,
    0x48545541,
)
AUTH_TOKEN = 1
VERSION = 0x01000001
MAX_DATA = 256 * 1024
HEADER = struct.Struct("<6I")
USER_CA_DIR = "/data/misc/user/0/cacerts-added"
SYSTEM_CA_DIR = "/system/etc/security/cacerts"

__all__ = ["DeviceState", "Package", "SimulatedAdbd", "lab_state"]


def _message(command: int, arg0: int, arg1: int, payload: bytes = b"") -> bytes:
    return (
        HEADER.pack(command, arg0, arg1, len(payload), sum(payload) & 0xFFFFFFFF, command ^ 0xFFFFFFFF)
        + payload
    )


class _Stream:
    def __init__(self, conn: "_Connection", local: int, remote: int) -> None:
        self.conn, self.local, self.remote = conn, local, remote
        self.inbox: queue.Queue[bytes | None] = queue.Queue()
        self.acked = threading.Event()
        self.opened = threading.Event()
        self.closed = False
        self._buffer = b""

    def write(self, data: bytes) -> bool:
        for i in range(0, len(data), MAX_DATA):
            if self.closed:
                return False
            self.acked.clear()
            self.conn.send(_message(A_WRTE, self.local, self.remote, data[i : i + MAX_DATA]))
            if not self.acked.wait(30):
                return False
        return True

    def read_exactly(self, n: int) -> bytes | None:
        while len(self._buffer) < n:
            chunk = self.inbox.get(timeout=30)
            if chunk is None:
                return None
            self._buffer += chunk
        data, self._buffer = self._buffer[:n], self._buffer[n:]
        return data

    def read_some(self) -> bytes:
        if self._buffer:
            data, self._buffer = self._buffer, b""
            return data
        chunk = self.inbox.get(timeout=30)
        return chunk or b""

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.conn.send(_message(A_CLSE, self.local, self.remote))
            self.conn.streams.pop(self.local, None)


class _Connection(socketserver.BaseRequestHandler):
    def setup(self) -> None:
        self.request.settimeout(None)
        self.streams: dict[int, _Stream] = {}
        self._ids = iter(range(1, 1 << 30))
        self._send_lock = threading.Lock()
        self.server.connections.append(self)  # type: ignore[attr-defined]

    def finish(self) -> None:
        with suppress(ValueError):
            self.server.connections.remove(self)  # type: ignore[attr-defined]
        for stream in list(self.streams.values()):
            stream.closed = True
            stream.inbox.put(None)
            stream.acked.set()

    def send(self, data: bytes) -> None:
        with self._send_lock:
            with suppress(OSError):
                self.request.sendall(data)

    def _exactly(self, n: int) -> bytes | None:
        data = b""
        while len(data) < n:
            try:
                chunk = self.request.recv(n - len(data))
            except OSError:
                return None
            if not chunk:
                return None
            data += chunk
        return data

    def handle(self) -> None:
        state: DeviceState = self.server.state  # type: ignore[attr-defined]
        while (header := self._exactly(HEADER.size)) is not None:
            command, arg0, arg1, length, _check, _magic = HEADER.unpack(header)
            payload = self._exactly(length) if length else b""
            if payload is None:
                return
            if command in (A_CNXN, A_AUTH) and not state.authorized:
                # A phone whose user has not accepted this computer's key: every signature is
                # refused and the prompt is never answered, so adb lists it as unauthorized.
                self.send(_message(A_AUTH, AUTH_TOKEN, 0, b"\x5a" * 20))
            elif command == A_CNXN:
                props = ";".join(
                    f"{k}={state.props.get(k, '')}"
                    for k in ("ro.product.name", "ro.product.model", "ro.product.device")
                )
                self.send(_message(A_CNXN, VERSION, MAX_DATA, f"device::{props};features=cmd".encode()))
            elif command == A_OPEN:
                stream = _Stream(self, next(self._ids), arg0)
                self.streams[stream.local] = stream
                service = payload.rstrip(b"\0").decode("utf-8", "replace")
                threading.Thread(target=self._serve, args=(state, stream, service), daemon=True).start()
            elif command == A_OKAY and arg1 in self.streams:
                stream = self.streams[arg1]
                if not stream.opened.is_set():
                    stream.remote = arg0
                    stream.opened.set()
                stream.acked.set()
            elif command == A_WRTE and arg1 in self.streams:
                self.send(_message(A_OKAY, arg1, arg0))
                self.streams[arg1].inbox.put(payload)
            elif command == A_CLSE and arg1 in self.streams:
                stream = self.streams.pop(arg1)
                stream.closed = True
                stream.inbox.put(None)
                stream.acked.set()
                stream.opened.set()

    def open_to_host(self, service: str) -> _Stream | None:
        """A stream the device opens (what adb reverse carries back to the host)."""
        stream = _Stream(self, next(self._ids), 0)
        self.streams[stream.local] = stream
        self.send(_message(A_OPEN, stream.local, 0, service.encode() + b"\0"))
        if not stream.opened.wait(10) or stream.closed:
            self.streams.pop(stream.local, None)
            return None
        return stream

    def _serve(self, state: DeviceState, stream: _Stream, service: str) -> None:
        stream.opened.set()
        with state.lock:
            state.services.append(service)
        if service.startswith("shell:"):
            self.send(_message(A_OKAY, stream.local, stream.remote))
            stream.write(state.shell(service[len("shell:") :]))
        elif service.startswith("sync:"):
            self.send(_message(A_OKAY, stream.local, stream.remote))
            _serve_sync(state, stream)
        elif service.startswith("reverse:"):
            self.send(_message(A_OKAY, stream.local, stream.remote))
            stream.write(_reverse(state, service[len("reverse:") :]))
        elif service.startswith("root:"):
            self.send(_message(A_OKAY, stream.local, stream.remote))
            allowed = state.props.get("ro.debuggable") == "1"
            with state.lock:
                state.adb_root = state.adb_root or allowed
            stream.write(
                b"restarting adbd as root\n" if allowed else b"adbd cannot run as root in production builds\n"
            )
        else:  # nothing listens there (e.g. tcp:27042 without frida-server): refuse the open
            stream.closed = True
            self.streams.pop(stream.local, None)
            self.send(_message(A_CLSE, 0, stream.remote))
            return
        stream.close()


def _reverse(state: DeviceState, request: str) -> bytes:
    with state.lock:
        if request == "list-forward":
            listing = "".join(f"host {remote} {local}\n" for remote, local in state.reverses.items()).encode()
            return f"{len(listing):04x}".encode() + listing
        if request.startswith("forward:"):
            spec = request[len("forward:") :].removeprefix("norebind:")
            remote, _, local = spec.partition(";")
            state.reverses[remote] = local
            return b"OKAY"
        if request.startswith("killforward:"):
            remote = request[len("killforward:") :]
            if remote not in state.reverses:
                message = f"listener '{remote}' not found".encode()
                return b"FAIL" + f"{len(message):04x}".encode() + message
            del state.reverses[remote]
            return b"OKAY"
        if request == "killforward-all":
            state.reverses.clear()
            return b"OKAY"
    message = b"unknown reverse request"
    return b"FAIL" + f"{len(message):04x}".encode() + message


def _serve_sync(state: DeviceState, stream: _Stream) -> None:
    while (head := stream.read_exactly(8)) is not None:
        command, length = head[:4], struct.unpack("<I", head[4:])[0]
        if command == b"QUIT":
            return
        path = (stream.read_exactly(length) or b"").decode("utf-8", "replace")
        if command == b"STAT":
            with state.lock:
                data = state.files.get(path)
                is_dir = data is None and any(p.startswith(path.rstrip("/") + "/") for p in state.files)
            mode = 0o100644 if data is not None else (0o040755 if is_dir else 0)
            stream.write(b"STAT" + struct.pack("<III", mode, len(data or b""), 1700000000 if mode else 0))
        elif command == b"SEND":
            target = path.rsplit(",", 1)[0]
            content = b""
            while (part := stream.read_exactly(8)) is not None:
                kind, size = part[:4], struct.unpack("<I", part[4:])[0]
                if kind == b"DONE":
                    break
                content += stream.read_exactly(size) or b""
            with state.lock:
                state.files[target] = content
            stream.write(b"OKAY" + struct.pack("<I", 0))
        elif command == b"RECV":
            with state.lock:
                data = state.files.get(path)
            if data is None:
                message = b"No such file or directory"
                stream.write(b"FAIL" + struct.pack("<I", len(message)) + message)
            else:
                for i in range(0, len(data), 64 * 1024):
                    chunk = data[i : i + 64 * 1024]
                    stream.write(b"DATA" + struct.pack("<I", len(chunk)) + chunk)
                stream.write(b"DONE" + struct.pack("<I", 0))
        else:
            return


class _StreamSocket:
    """A blocking byte pipe over a device-opened adb stream (for the simulated browser)."""

    def __init__(self, stream: _Stream) -> None:
        self.stream = stream

    def sendall(self, data: bytes) -> None:
        if not self.stream.write(data):
            raise OSError("adb stream closed")

    def recv(self, _n: int) -> bytes:
        return self.stream.read_some()


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True  # a phone that comes back on the same port (lost-cable tests)


class SimulatedAdbd:
    """`with SimulatedAdbd(state) as adbd:` listens on 127.0.0.1:adbd.port."""

    def __init__(self, state: DeviceState, port: int = 0) -> None:
        self.state = state
        self._server = _Server(("127.0.0.1", port), _Connection)
        self._server.daemon_threads = True
        self._server.state = state  # type: ignore[attr-defined]
        self._server.connections = []  # type: ignore[attr-defined]
        self.port = self._server.server_address[1]
        self.serial = f"127.0.0.1:{self.port}"
        self.fetched: list[dict] = []  # what the simulated browser did: {"url", "ok", "detail"}
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="privmon-sim-adbd", daemon=True
        )
        state.browser = self.browse
        state.serial = self.serial

    def __enter__(self) -> "SimulatedAdbd":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        for conn in list(self._server.connections):  # type: ignore[attr-defined]
            with suppress(OSError):
                conn.request.shutdown(socket.SHUT_RDWR)

    def disconnect_all(self) -> None:
        """Drop every adb connection (a pulled USB cable)."""
        for conn in list(self._server.connections):  # type: ignore[attr-defined]
            with suppress(OSError):
                conn.request.shutdown(socket.SHUT_RDWR)

    def browse(self, url: str) -> None:
        """The phone's browser: an HTTPS GET through the global proxy setting, over the adb
        reverse port when the proxy is on the phone's loopback, trusting the phone's CA stores."""
        result = {"url": url, "ok": False, "detail": ""}
        try:
            result["detail"] = self._fetch(url)
            result["ok"] = result["detail"].startswith("HTTP/1.1 2")
        except (OSError, ssl.SSLError, ValueError, queue.Empty) as exc:
            result["detail"] = f"{type(exc).__name__}: {exc}"
        self.fetched.append(result)

    def _fetch(self, url: str) -> str:
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        with self.state.lock:
            proxy = self.state.settings.get("global/http_proxy", "")
            cas = [
                data
                for path, data in self.state.files.items()
                if path.startswith((USER_CA_DIR + "/", SYSTEM_CA_DIR + "/"))
            ]
        host, _, port = proxy.partition(":")
        if not proxy or proxy == ":0" or host not in ("127.0.0.1", "localhost"):
            raise ValueError(f"no proxy the simulated phone can reach (http_proxy={proxy or 'unset'})")
        if f"tcp:{port}" not in self.state.reverses:
            raise ValueError(f"nothing listens on the phone's port {port} (no adb reverse)")
        connections = self._server.connections  # type: ignore[attr-defined]
        stream = connections[-1].open_to_host(self.state.reverses[f"tcp:{port}"]) if connections else None
        if stream is None:
            raise OSError("the host refused the reverse stream")
        pipe = _StreamSocket(stream)
        try:
            target = f"{parts.hostname}:{parts.port or 443}"
            pipe.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
            reply = b""
            while b"\r\n\r\n" not in reply:
                chunk = pipe.recv(4096)
                if not chunk:
                    raise OSError("the proxy closed the tunnel")
                reply += chunk
            status_line = reply.split(b"\r\n", 1)[0].decode("utf-8", "replace")
            if " 200" not in status_line:
                raise OSError(f"CONNECT refused: {status_line}")
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            for pem in cas:  # the phone's trust stores; unreadable entries are skipped as Android does
                with suppress(ssl.SSLError, ValueError):
                    context.load_verify_locations(cadata=pem.decode("ascii", "replace"))
            incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
            tls = context.wrap_bio(incoming, outgoing, server_hostname=parts.hostname)

            def pump(action):
                while True:
                    try:
                        return action()
                    except ssl.SSLWantReadError:
                        if outgoing.pending:
                            pipe.sendall(outgoing.read())
                        data = pipe.recv(65536)
                        if not data:
                            raise OSError("connection closed during TLS") from None
                        incoming.write(data)
                    finally:
                        if outgoing.pending:
                            pipe.sendall(outgoing.read())

            pump(tls.do_handshake)
            path = parts.path or "/"
            pump(
                lambda: tls.write(
                    f"GET {path} HTTP/1.1\r\nHost: {parts.hostname}\r\nConnection: close\r\n\r\n".encode()
                )
            )
            status = pump(lambda: tls.read(4096))
            return status.split(b"\r\n", 1)[0].decode("utf-8", "replace")
        finally:
            stream.close()


def lab_state(profile) -> DeviceState:
    """The simulated phone of a device profile (device_profiles/*.yaml)."""
    build = profile.build or {}
    ids = profile.identifiers
    props = {
        "ro.product.brand": "privmon-lab",
        "ro.product.name": build.get("product", "lab"),
        "ro.product.model": build.get("model", "Lab Phone"),
        "ro.product.device": build.get("device", "lab"),
        "ro.product.cpu.abi": build.get("abi", "arm64-v8a"),
        "ro.build.version.release": str(build.get("android_version", "13")),
        "ro.product.manufacturer": build.get("manufacturer", "privmon"),
        "ro.build.version.sdk": str(build.get("sdk", "33")),
        "ro.build.fingerprint": build.get("fingerprint", "privmon/lab"),
        "ro.serialno": ids.get("serial", "LAB0001"),
        "ro.debuggable": "0",
        "privmon.sim.imei": ids.get("imei", ""),
    }
    state = DeviceState(props)
    state.settings["secure/android_id"] = ids.get("android_id", "")
    if "bluetooth_mac" in ids:
        state.settings["secure/bluetooth_address"] = ids["bluetooth_mac"]
    if "wifi_mac" in ids:
        state.files["/sys/class/net/wlan0/address"] = (ids["wifi_mac"] + "\n").encode()
    if "advertising_id" in ids:
        state.files["/data/data/com.google.android.gms/shared_prefs/adid_settings.xml"] = (
            "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n"
            f'    <string name="adid_key">{ids["advertising_id"]}</string>\n</map>\n'
        ).encode()
    for name in ("zygote64", "zygote", "system_server"):
        state.start_process(name)
    state.files[f"{SYSTEM_CA_DIR}/3c9a4d3b.0"] = b"-----BEGIN CERTIFICATE-----\n(system root)\n"
    state.files["/apex/com.android.conscrypt/lib64/libssl.so"] = b"\x7fELF (lab stand-in for BoringSSL)"
    for package in profile.installed_packages:
        state.packages[package] = Package(package, apk=f"PK\x03\x04 lab apk of {package}".encode())
        state.files[f"/data/app/{package}-1/base.apk"] = state.packages[package].apk
    return state
