"""The lab's simulated phone for the adb path: a small adbd speaking the ADB transport protocol
over TCP on loopback, so the real `adb` server and adbutils talk to it as to a phone
(`adb connect 127.0.0.1:PORT`). It answers shell commands from the device profile's state:
getprop, id / su, getenforce, settings get/put, pidof, echo. Lab only: labelled as such in its
properties (ro.product.brand=privmon-lab).

Protocol: 24-byte little-endian headers (command, arg0, arg1, payload length, payload checksum,
command ^ 0xffffffff), CNXN handshake without AUTH, streams opened with OPEN and answered with
OKAY / WRTE / CLSE (the shell protocol before shell_v2, which this device does not announce).
"""

from __future__ import annotations

import shlex
import socketserver
import struct
import threading
from dataclasses import dataclass, field

A_CNXN, A_OPEN, A_OKAY, A_CLSE, A_WRTE, A_AUTH = (0x4E584E43, 0x4E45504F, 0x59414B4F, 0x45534C43, 0x45545257,
                                                  0x48545541)
VERSION = 0x01000001
MAX_DATA = 256 * 1024
HEADER = struct.Struct("<6I")


@dataclass
class DeviceState:
    """What the simulated phone knows and what commands changed (settings)."""

    props: dict[str, str]
    rooted: bool = True
    selinux: str = "Enforcing"
    settings: dict[str, str] = field(default_factory=dict)  # "global/http_proxy" → value
    running: set[str] = field(default_factory=set)  # process names pidof finds
    lock: threading.Lock = field(default_factory=threading.Lock)

    def shell(self, command: str) -> bytes:
        try:
            argv = shlex.split(command)
        except ValueError:
            return f"/system/bin/sh: syntax error: {command}\n".encode()
        if not argv:
            return b""
        root = False
        if argv[0] == "su" and self.rooted:
            argv = shlex.split(argv[2]) if len(argv) > 2 and argv[1] == "-c" else argv[1:] or ["sh"]
            root = True
        elif argv[0] == "su":
            return b"/system/bin/sh: su: inaccessible or not found\n"
        name, args = argv[0], argv[1:]
        if name == "getprop":
            if args:
                return (self.props.get(args[0], "") + "\n").encode()
            return "".join(f"[{k}]: [{v}]\n" for k, v in sorted(self.props.items())).encode()
        if name == "id":
            return b"uid=0(root) gid=0(root) groups=0(root)\n" if root else b"uid=2000(shell) gid=2000(shell)\n"
        if name == "getenforce":
            return (self.selinux + "\n").encode()
        if name == "settings" and len(args) >= 3 and args[0] in ("get", "put", "delete"):
            key = f"{args[1]}/{args[2]}"
            with self.lock:
                if args[0] == "get":
                    return (self.settings.get(key, "null") + "\n").encode()
                if args[0] == "put" and len(args) >= 4:
                    self.settings[key] = args[3]
                else:
                    self.settings.pop(key, None)
            return b""
        if name == "pidof":
            return b"4242\n" if args and args[0] in self.running else b""
        if name == "echo":
            return (" ".join(args) + "\n").encode()
        return f"/system/bin/sh: {name}: inaccessible or not found\n".encode()


def _message(command: int, arg0: int, arg1: int, payload: bytes = b"") -> bytes:
    return HEADER.pack(command, arg0, arg1, len(payload), sum(payload) & 0xFFFFFFFF, command ^ 0xFFFFFFFF) + payload


class _Connection(socketserver.BaseRequestHandler):
    def setup(self) -> None:
        self.request.settimeout(30)
        self.next_id = 1

    def _read(self) -> tuple[int, int, int, bytes] | None:
        header = self._exactly(HEADER.size)
        if header is None:
            return None
        command, arg0, arg1, length, _check, _magic = HEADER.unpack(header)
        payload = self._exactly(length) if length else b""
        return None if payload is None else (command, arg0, arg1, payload)

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
        while (message := self._read()) is not None:
            command, arg0, _arg1, payload = message
            if command == A_CNXN:
                props = ";".join(f"{k}={state.props.get(k, '')}" for k in
                                 ("ro.product.name", "ro.product.model", "ro.product.device"))
                self.request.sendall(_message(A_CNXN, VERSION, MAX_DATA, f"device::{props};features=cmd".encode()))
            elif command == A_OPEN:
                self._stream(state, arg0, payload.rstrip(b"\0").decode("utf-8", "replace"))
            # OKAY and CLSE from the host need no answer here: each stream is written whole

    def _stream(self, state: DeviceState, remote: int, service: str) -> None:
        local = self.next_id
        self.next_id += 1
        if not service.startswith("shell:"):
            self.request.sendall(_message(A_CLSE, 0, remote))
            return
        output = state.shell(service[len("shell:"):])
        self.request.sendall(_message(A_OKAY, local, remote))
        for i in range(0, len(output), MAX_DATA):
            self.request.sendall(_message(A_WRTE, local, remote, output[i:i + MAX_DATA]))
            reply = self._read()  # the host acknowledges each write
            if reply is None or reply[0] != A_OKAY:
                return
        self.request.sendall(_message(A_CLSE, local, remote))


class SimulatedAdbd:
    """`with SimulatedAdbd(state) as adbd:` listens on 127.0.0.1:adbd.port."""

    def __init__(self, state: DeviceState, port: int = 0) -> None:
        self.state = state
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", port), _Connection)
        self._server.daemon_threads = True
        self._server.state = state  # type: ignore[attr-defined]
        self.port = self._server.server_address[1]
        self.serial = f"127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="privmon-sim-adbd", daemon=True)

    def __enter__(self) -> "SimulatedAdbd":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


def lab_state(profile) -> DeviceState:
    """The simulated phone of a device profile (device_profiles/*.yaml)."""
    build = profile.build or {}
    props = {
        "ro.product.brand": "privmon-lab", "ro.product.name": build.get("product", "lab"),
        "ro.product.model": build.get("model", "Lab Phone"), "ro.product.device": build.get("device", "lab"),
        "ro.product.cpu.abi": build.get("abi", "arm64-v8a"),
        "ro.build.version.release": str(build.get("android_version", "13")),
        "ro.product.manufacturer": build.get("manufacturer", "privmon"),
        "ro.build.version.sdk": str(build.get("sdk", "33")), "ro.build.fingerprint": build.get("fingerprint", "privmon/lab"),
        "ro.serialno": profile.identifiers.get("serial", "LAB0001"),
    }
    return DeviceState(props)


