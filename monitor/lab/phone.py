"""The state of the lab's simulated phone and the shell commands privmon sends it.

A test can inspect and change everything here (settings, files, mounts, processes, reverse
ports, packages). Commands are parsed like a POSIX shell (`;`, `&&`, `||`, a trailing `&`,
`> /dev/null`), run by small handlers, and touch only this state. `su` runs as root when
the phone is rooted; without root the privileged commands fail as on a phone.
"""

from __future__ import annotations

import hashlib
import re
import shlex
import struct
import threading
import zlib
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Callable

from ..drive.screens import ScreenGone

SIM_BINARY_MARK = b"PRIVMON-SIM-EXEC "
ELF_MACHINES = {"arm64-v8a": 183, "armeabi-v7a": 40, "x86_64": 62, "x86": 3}
PRIVILEGED = {"setenforce", "mount", "umount", "nsenter", "setprop", "kill", "chcon"}


@dataclass
class Package:
    name: str
    version_name: str = "1.0"
    version_code: int = 1
    installer: str | None = "com.android.vending"
    apk: bytes = b"PK\x03\x04lab-apk"
    data_files: int = 0  # files the app wrote; `pm clear` empties them


@dataclass
class DeviceState:
    """What the simulated phone knows; every command reads and changes this."""

    props: dict[str, str]
    rooted: bool = True
    authorized: bool = True  # False: the USB debugging prompt was never accepted
    adb_root: bool = False  # adbd already runs as root (userdebug builds, emulators)
    selinux: str = "Enforcing"
    settings: dict[str, str] = field(default_factory=dict)  # "global/http_proxy" → value
    files: dict[str, bytes] = field(default_factory=dict)
    mounts: list[dict] = field(default_factory=list)  # {"target", "kind", "source", "ns"}
    processes: dict[int, str] = field(default_factory=dict)  # pid → name
    reverses: dict[str, str] = field(default_factory=dict)  # "tcp:8080" → "tcp:8080"
    packages: dict[str, Package] = field(default_factory=dict)
    started: list[str] = field(default_factory=list)  # intents given to `am start`
    log: list[str] = field(default_factory=list)  # every shell command, in order
    services: list[str] = field(default_factory=list)  # every adb service opened (shell:, sync:, tcp:…)
    browser: Callable[[str], None] | None = None  # fetches URLs given to `am start -d`
    serial: str = ""  # how adb names this phone (set by SimulatedAdbd): the lab app's screen is found by it
    lock: threading.RLock = field(default_factory=threading.RLock)
    _shadowed: dict[str, dict[str, bytes]] = field(default_factory=dict)
    _next_pid: int = 4000

    # -- helpers the tests use as well ------------------------------------------------------
    def start_process(self, name: str) -> int:
        with self.lock:
            self._next_pid += 1
            self.processes[self._next_pid] = name
            return self._next_pid

    def pids(self, name: str) -> list[int]:
        return sorted(pid for pid, n in self.processes.items() if n == name)

    def visible(self, path: str, ns: int | None = None) -> str:
        """Where a path really is in mount namespace `ns` (bind mounts followed)."""
        for mount in reversed(self.mounts):
            if (
                mount["kind"] == "bind"
                and mount["ns"] == ns
                and (path == mount["target"] or path.startswith(mount["target"] + "/"))
            ):
                return mount["source"] + path[len(mount["target"]) :]
        return path

    # -- the shell ----------------------------------------------------------------------------
    def shell(self, command: str, as_root: bool | None = None) -> bytes:
        with self.lock:
            self.log.append(command)
            try:
                return self._run_line(command, self.adb_root if as_root is None else as_root)
            except ValueError:
                return f"/system/bin/sh: syntax error: {command[:200]}\n".encode()

    def _run_line(self, line: str, root: bool) -> bytes:
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|>")
        lexer.whitespace_split = True
        tokens = list(lexer)
        out, argv, status, skip = b"", [], 0, False
        i = 0
        while i <= len(tokens):
            token = tokens[i] if i < len(tokens) else ";"
            if token in (";", "&&", "||", "&"):
                if argv and not skip:
                    chunk, status = self._run(argv, root)
                    out += chunk
                skip = (token == "&&" and status != 0) or (token == "||" and status == 0)
                argv = []
            elif token.isdigit() and i + 1 < len(tokens) and tokens[i + 1].startswith(">"):
                pass  # the fd number of a redirection such as 2>&1
            elif token in (">", ">>", "2>", "2>&1"):
                i += 1  # output redirection: the target is dropped (only /dev/null is used)
            elif token.startswith(">") or token.endswith(">&1"):
                pass
            else:
                argv.append(token)
            i += 1
        return out

    def _run(self, argv: list[str], root: bool) -> tuple[bytes, int]:
        name, args = argv[0], argv[1:]
        if name == "su":
            if not self.rooted:
                return b"/system/bin/sh: su: inaccessible or not found\n", 127
            if args[:1] == ["-c"]:
                return self._run_line(" ".join(args[1:]), True), 0
            if args[:1] in (["0"], ["root"]):
                inner = args[1:] or ["sh"]
                if inner[:2] == ["sh", "-c"]:
                    return self._run_line(" ".join(inner[2:]), True), 0
                return self._run(inner, True)
            return b"su: unknown option\n", 1
        if name in ("[", "test"):
            return self._test(args[:-1] if name == "[" and args[-1:] == ["]"] else args, root)
        if name in PRIVILEGED and not root:
            return f"{name}: Permission denied\n".encode(), 1
        handler = getattr(self, "_cmd_" + name.replace("-", "_"), None)
        if handler is None:
            if name.startswith("/") and name in self.files:
                return self._exec(name, args, root)
            return f"/system/bin/sh: {name}: inaccessible or not found\n".encode(), 127
        result = handler(args, root)
        return result if isinstance(result, tuple) else (result, 0)

    def _test(self, args: list[str], root: bool) -> tuple[bytes, int]:
        if len(args) == 2 and args[0] in ("-e", "-f", "-d"):
            path = args[1]
            if path.startswith("/data/") and not path.startswith("/data/local/tmp") and not root:
                return b"", 1  # the shell user cannot see into /data
            found = (
                path in self.files
                if args[0] == "-f"
                else (path in self.files or any(p.startswith(path.rstrip("/") + "/") for p in self.files))
            )
            return b"", 0 if found else 1
        return b"test: unsupported here\n", 2

    # -- commands -------------------------------------------------------------------------------
    def _cmd_getprop(self, args, root):
        if args:
            return (self.props.get(args[0], "") + "\n").encode()
        return "".join(f"[{k}]: [{v}]\n" for k, v in sorted(self.props.items())).encode()

    def _cmd_setprop(self, args, root):
        if len(args) >= 2:
            self.props[args[0]] = args[1]
        return b""

    def _cmd_id(self, args, root):
        return b"uid=0(root) gid=0(root) groups=0(root)\n" if root else b"uid=2000(shell) gid=2000(shell)\n"

    def _cmd_getenforce(self, args, root):
        return (self.selinux + "\n").encode()

    def _cmd_setenforce(self, args, root):
        self.selinux = {"0": "Permissive", "1": "Enforcing"}.get(args[0] if args else "", self.selinux)
        return b""

    def _cmd_settings(self, args, root):
        if len(args) < 3 or args[0] not in ("get", "put", "delete"):
            return b"usage: settings get|put|delete NAMESPACE KEY [VALUE]\n", 1
        key = f"{args[1]}/{args[2]}"
        if args[0] == "get":
            return (self.settings.get(key, "null") + "\n").encode()
        if args[0] == "put" and len(args) >= 4:
            self.settings[key] = args[3]
        else:
            self.settings.pop(key, None)
        return b""

    def _cmd_pidof(self, args, root):
        pids = self.pids(args[0]) if args else []
        return (" ".join(map(str, pids)) + "\n").encode() if pids else (b"", 1)

    def _cmd_ps(self, args, root):
        return (
            "PID NAME\n" + "".join(f"{pid} {name}\n" for pid, name in sorted(self.processes.items()))
        ).encode()

    def _cmd_kill(self, args, root):
        for arg in args:
            if arg.isdigit():
                self.processes.pop(int(arg), None)
        return b""

    def _cmd_echo(self, args, root):
        return (" ".join(args) + "\n").encode()

    def _under(self, directory: str) -> list[str]:
        prefix = directory.rstrip("/") + "/"
        return sorted(p for p in self.files if p.startswith(prefix) and "/" not in p[len(prefix) :])

    def _cmd_ls(self, args, root, ns: int | None = None):
        paths = [a for a in args if not a.startswith("-")]
        out, status = b"", 0
        for path in paths:
            real = self.visible(path, ns)
            if real in self.files:
                out += (path + "\n").encode()
            elif self._under(real) or any(p.startswith(real.rstrip("/") + "/") for p in self.files):
                out += "".join(p.rsplit("/", 1)[1] + "\n" for p in self._under(real)).encode()
            else:
                out += f"ls: {path}: No such file or directory\n".encode()
                status = 1
        return out, status

    def _cmd_cat(self, args, root):
        out = b""
        for path in args:
            if path not in self.files:
                return out + f"cat: {path}: No such file or directory\n".encode(), 1
            out += self.files[path]
        return out

    def _cmd_sha256sum(self, args, root):
        out = b""
        for path in args:
            if path not in self.files:
                return f"sha256sum: {path}: No such file or directory\n".encode(), 1
            out += f"{hashlib.sha256(self.files[path]).hexdigest()}  {path}\n".encode()
        return out

    def _cmd_rm(self, args, root):
        for path in (a for a in args if not a.startswith("-")):
            for p in [p for p in self.files if p == path or p.startswith(path.rstrip("/") + "/")]:
                del self.files[p]
        return b""

    def _cmd_mkdir(self, args, root):
        return b""  # directories exist implicitly (a directory is the prefix of its files)

    def _cmd_chmod(self, args, root):
        return b""

    _cmd_chown = _cmd_chcon = _cmd_chmod

    def _cmd_cp(self, args, root):
        paths = [a for a in args if not a.startswith("-")]
        if len(paths) < 2:
            return b"cp: missing operand\n", 1
        *sources, dest = paths
        expanded = []
        for src in sources:
            expanded += self._under(src[:-2]) if src.endswith("/*") else [src]
        for src in expanded:
            if src not in self.files:
                return f"cp: {src}: No such file or directory\n".encode(), 1
            target = (
                dest.rstrip("/") + "/" + src.rsplit("/", 1)[1]
                if len(expanded) > 1 or dest.endswith("/") or self._under(dest)
                else dest
            )
            self.files[target] = self.files[src]
        return b""

    def _cmd_mount(self, args, root, ns: int | None = None):
        if "-t" in args and "tmpfs" in args:
            target = args[-1]
            self._shadowed[target] = {p: self.files.pop(p) for p in self._under(target)}
            self.mounts.append({"target": target, "kind": "tmpfs", "source": "tmpfs", "ns": ns})
            return b""
        if "--bind" in args or ("-o" in args and "bind" in args):
            source, target = [a for a in args if not a.startswith("-") and a != "bind"][-2:]
            self.mounts.append({"target": target, "kind": "bind", "source": source, "ns": ns})
            return b""
        if not args:
            return "".join(f"{m['source']} {m['target']} {m['kind']} rw 0 0\n" for m in self.mounts).encode()
        return b"mount: unsupported here\n", 1

    def _cmd_umount(self, args, root, ns: int | None = None):
        target = next((a for a in args if not a.startswith("-")), "")
        for mount in reversed(self.mounts):
            if mount["target"] == target and mount["ns"] == ns:
                self.mounts.remove(mount)
                if mount["kind"] == "tmpfs":
                    for p in self._under(target):
                        del self.files[p]
                    self.files.update(self._shadowed.pop(target, {}))
                return b""
        return f"umount: {target}: not mounted\n".encode(), 1

    def _cmd_nsenter(self, args, root):
        spec = next((a for a in args if a.startswith("--mount=")), "")
        match = re.fullmatch(r"--mount=/proc/(\d+)/ns/mnt", spec)
        if not match or int(match.group(1)) not in self.processes:
            return f"nsenter: cannot open {spec[8:]}: No such file or directory\n".encode(), 1
        inner = args[args.index("--") + 1 :] if "--" in args else args[1:]
        ns = int(match.group(1))
        handler = {"mount": self._cmd_mount, "umount": self._cmd_umount, "ls": self._cmd_ls}.get(
            inner[0] if inner else ""
        )
        if handler is None:
            return self._run(inner, root) if inner else (b"", 0)
        result = handler(inner[1:], root, ns=ns)
        return result if isinstance(result, tuple) else (result, 0)

    def _cmd_pm(self, args, root):
        sub = args[0] if args else ""
        if sub == "list" and args[1:2] == ["packages"]:
            return "".join(f"package:{p}\n" for p in sorted(self.packages)).encode()
        name = args[-1] if len(args) > 1 else ""
        if sub == "path":
            return (
                (f"package:/data/app/{name}-1/base.apk\n".encode(), 0) if name in self.packages else (b"", 1)
            )
        if sub == "clear":
            if name not in self.packages:
                return b"Failed\n", 1
            self.packages[name].data_files = 0
            return b"Success\n"
        if sub == "install":
            apk = self.files.get(name)
            if apk is None:
                return f"Failure [INSTALL_FAILED_INVALID_URI: {name}]\n".encode(), 1
            package = _installed_package(apk)
            if package is None:
                return b"Failure [INSTALL_PARSE_FAILED_NOT_APK]\n", 1
            self.packages[package.name] = package
            self.files[f"/data/app/{package.name}-1/base.apk"] = apk
            return b"Success\n"
        if sub == "uninstall":
            if name not in self.packages:
                return b"Failure [DELETE_FAILED_INTERNAL_ERROR]\n", 1
            del self.packages[name]
            self.files.pop(f"/data/app/{name}-1/base.apk", None)
            return b"Success\n"
        return b"pm: unsupported here\n", 1

    def _cmd_dumpsys(self, args, root):
        if args[:1] == ["package"] and len(args) > 1 and args[1] in self.packages:
            p = self.packages[args[1]]
            return (
                f"Packages:\n  Package [{p.name}] (abc123):\n    versionCode={p.version_code} minSdk=21 "
                f"targetSdk=33\n    versionName={p.version_name}\n    installerPackageName={p.installer}\n"
            ).encode()
        return b""

    def _cmd_am(self, args, root):
        if args[:1] == ["force-stop"]:
            for pid in [pid for pid, n in self.processes.items() if args[1:] and n.startswith(args[1])]:
                del self.processes[pid]
            screen = self._screen(args[1]) if len(args) > 1 else None
            if screen is not None:  # the lab app a run has on this phone: its JVM is ended
                with suppress(ScreenGone):
                    screen.close()
            return b""
        if args[:1] == ["start"]:
            self.started.append(" ".join(args[1:]))
            if "-d" in args and self.browser is not None:
                url = args[args.index("-d") + 1]
                threading.Thread(target=self.browser, args=(url,), daemon=True).start()
            return b"Starting: Intent { }\n"
        return b"am: unsupported here\n", 1

    def _screen(self, package: str | None = None):
        from .screen_link import screen_of

        return screen_of(self.serial, package)

    def _cmd_uiautomator(self, args, root):
        """`uiautomator dump [FILE]`: the lab app's current screen as uiautomator's XML."""
        if args[:1] != ["dump"]:
            return b"uiautomator: only dump is supported here\n", 1
        path = args[1] if len(args) > 1 and not args[1].startswith("-") else "/sdcard/window_dump.xml"
        screen = self._screen()
        try:
            xml = (screen.request("dump") if screen is not None else "") or _HOME_SCREEN
        except ScreenGone:
            xml = _HOME_SCREEN
        self.files[path] = xml.encode("utf-8")
        return f"UI hierchary dumped to: {path}\n".encode()

    def _cmd_input(self, args, root):
        """`input tap X Y` (a click of the lab app's view there) and `input keyevent CODE`."""
        screen = self._screen()
        if args[:1] == ["tap"] and len(args) == 3 and all(a.lstrip("-").isdigit() for a in args[1:]):
            if screen is not None:
                self._ask(screen, f"tap {int(args[1])} {int(args[2])}")
            return b""
        if args[:1] == ["keyevent"] and len(args) == 2:
            code = {"KEYCODE_HOME": "3", "KEYCODE_BACK": "4"}.get(args[1], args[1])
            if screen is not None and code.isdigit():
                self._ask(screen, f"key {code}")
            return b""
        return b"input: unsupported here\n", 1

    def _cmd_monkey(self, args, root):
        """`monkey -p PACKAGE -c android.intent.category.LAUNCHER 1`: the launcher brings the app back."""
        package = args[args.index("-p") + 1] if "-p" in args and args.index("-p") + 1 < len(args) else ""
        if package not in self.packages:
            return b"** No activities found to run, monkey aborted.\n", 251
        screen = self._screen()
        if screen is not None:
            with suppress(ScreenGone):
                screen.launch()  # to the foreground, or a new process after a force-stop
        self.started.append(f"monkey {package}")
        return b"Events injected: 1\n"

    @staticmethod
    def _ask(screen, line: str) -> None:
        with suppress(ScreenGone):
            screen.request(line)

    def _cmd_screencap(self, args, root):
        return _png(64, 128, (30, 120, 200))

    def _cmd_service(self, args, root):
        if args[:3] == ["call", "iphonesubinfo", "1"] and root and self.props.get("privmon.sim.imei"):
            return _parcel_string(self.props["privmon.sim.imei"])
        return b"Result: Parcel(ffffffff 0000004b 00650052 ... 'Permission denial')\n"

    def _exec(self, path: str, args: list[str], root: bool) -> tuple[bytes, int]:
        """A pushed program: the simulated phone runs frida-server stand-ins only (their header
        names the ABI and version); anything else is not executable here."""
        content = self.files[path]
        abi = self.props.get("ro.product.cpu.abi", "arm64-v8a")
        if content[:4] == b"\x7fELF" and len(content) > 20:
            machine = struct.unpack_from("<H", content, 18)[0]
            if machine != ELF_MACHINES.get(abi):
                return f"/system/bin/sh: {path}: not executable: wrong ELF machine {machine}\n".encode(), 126
        mark = content.find(SIM_BINARY_MARK)
        if mark < 0:
            return f"/system/bin/sh: {path}: not executable here\n".encode(), 126
        version = content[mark + len(SIM_BINARY_MARK) :].split(b"\n", 1)[0].decode()
        if "--version" in args:
            return (version + "\n").encode(), 0
        if not root:
            return b"Unable to start: Permission denied\n", 1
        self.start_process(path.rsplit("/", 1)[1])
        return b"", 0


_HOME_SCREEN = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\"><node index=\"0\" "
    'text="" resource-id="" class="android.widget.FrameLayout" package="com.android.launcher3" '
    'content-desc="" clickable="false" bounds="[0,0][1080,2340]"></node></hierarchy>'
)


def _installed_package(apk: bytes) -> Package | None:
    """What `pm install` reads of an APK: its manifest (androguard, as for a real one), or the
    lab's placeholder APKs' `package=` line."""
    import tempfile
    from pathlib import Path

    from ..apk import ApkError, apk_facts

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "base.apk"
        path.write_bytes(apk)
        try:
            facts = apk_facts(path)
        except ApkError:
            facts = None
    if facts is not None:
        code = int(facts.version_code) if (facts.version_code or "").isdigit() else 1
        return Package(facts.package, facts.version_name or "1.0", code, installer=None, apk=apk)
    match = re.search(rb"package=([\w.]+)", apk)
    return Package(match.group(1).decode(), apk=apk, installer=None) if match else None


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + bytes(rgb) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _parcel_string(text: str) -> bytes:
    """`service call` output of a String16 reply, as Android prints it."""
    words = [0, len(text)]
    data = text.encode("utf-16-le") + b"\0\0"
    data += b"\0" * (-len(data) % 4)
    words += [struct.unpack_from("<I", data, i)[0] for i in range(0, len(data), 4)]
    lines = []
    for i in range(0, len(words), 4):
        hexes = " ".join(f"{w:08x}" for w in words[i : i + 4])
        lines.append(f"  0x{i * 4:08x}: {hexes} '................'")
    return ("Result: Parcel(\n" + "\n".join(lines) + ")\n").encode()
