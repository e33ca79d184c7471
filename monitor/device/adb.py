"""Choosing a phone and talking to it: shell (as the shell user or as root), push, reverse ports,
screenshots. Every failure becomes a DeviceError with one line saying what to do."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

from ..config import env

# What the adb server answers when the phone itself is gone (not a failed command).
LOST_MARKERS = ("offline", "device '", "device not found", "no devices", "closed", "unauthorized")
SU_FORMS = ("su -c {cmd}", "su 0 sh -c {cmd}", "su root sh -c {cmd}")


class DeviceError(RuntimeError):
    pass


class DeviceLost(DeviceError):
    """The phone went away (cable pulled, adb server gone) in the middle of something."""


def adb_client():
    import adbutils

    adb = shutil.which("adb")
    if adb is None:
        raise DeviceError("adb is not installed (Debian package adb; `make setup` installs it)")
    started = subprocess.run([adb, "start-server"], capture_output=True, text=True, timeout=60)
    if started.returncode != 0:
        raise DeviceError(f"the adb server did not start: {started.stderr.strip()[:300]}")
    port = env("ANDROID_ADB_SERVER_PORT") or "5037"  # adb's own variable, honoured as adb does
    if not port.isdigit():
        raise DeviceError(f"ANDROID_ADB_SERVER_PORT must be a port number, not {port!r}")
    return adbutils.AdbClient(host="127.0.0.1", port=int(port))


def adb_devices(client) -> dict[str, str]:
    """serial → state ("device", "unauthorized", "offline", …), as `adb devices` lists them."""
    import adbutils

    try:
        return {e.serial: e.state for e in client.list()}
    except (adbutils.AdbError, OSError) as exc:
        raise DeviceError(f"cannot talk to the adb server: {exc}") from exc


def select_device(serial: str | None = None) -> "Phone":
    """By serial, else $ANDROID_SERIAL, else the only device adb sees."""
    client = adb_client()
    wanted = serial or env("ANDROID_SERIAL")
    entries = adb_devices(client)
    if wanted is None:
        if not entries:
            raise DeviceError(
                "no device: connect a phone with USB debugging on, or start an emulator "
                "(`adb devices` lists nothing)"
            )
        if len(entries) > 1:
            raise DeviceError(
                f"{len(entries)} devices ({', '.join(sorted(entries))}): say which with --device "
                "SERIAL or ANDROID_SERIAL"
            )
        wanted = next(iter(entries))
    state = entries.get(wanted)
    if state is None:
        raise DeviceError(f"no device {wanted!r} (adb sees: {', '.join(sorted(entries)) or 'none'})")
    if state in ("unauthorized", "authorizing"):
        raise DeviceError(
            f"{wanted} has not authorized this computer (adb: {state}): unlock the phone and accept the USB "
            "debugging prompt "
            "(tick 'Always allow'), then try again"
        )
    if state == "connecting":
        raise DeviceError(f"{wanted} is still connecting: try again in a few seconds")
    if state != "device":
        raise DeviceError(f"{wanted} is {state}: reconnect the cable or run `adb reconnect`")
    return Phone(client.device(wanted), wanted)


@dataclass
class Phone:
    device: object  # adbutils.AdbDevice
    serial: str

    @contextmanager
    def _adb(self, what: str):
        """adbutils' errors as one-line DeviceErrors; a broken connection as DeviceLost."""
        import adbutils

        try:
            yield
        except adbutils.AdbError as exc:
            if any(marker in str(exc).lower() for marker in LOST_MARKERS):
                raise DeviceLost(
                    f"{self.serial}: gone during {what} ({exc}); reconnect it and run "
                    "`privmon doctor --restore`"
                ) from exc
            raise DeviceError(f"{self.serial}: {what} failed ({exc})") from exc
        except (OSError, EOFError) as exc:
            raise DeviceLost(
                f"{self.serial}: the connection was lost during {what} ({exc}); reconnect it "
                "and run `privmon doctor --restore`"
            ) from exc

    def shell(self, command: str, timeout: float = 60) -> str:
        with self._adb("a shell command"):
            return self.device.shell(command, timeout=timeout)

    def shell_bytes(self, command: str, timeout: float = 60) -> bytes:
        with self._adb("a shell command"):
            return self.device.shell(command, timeout=timeout, encoding=None, rstrip=False)

    def prop(self, key: str) -> str:
        return self.shell(f"getprop {shlex.quote(key)}").strip()

    def props(self) -> dict[str, str]:
        """Every system property, in one adb round trip (`getprop` lists them as `[key]: [value]`)."""
        return {
            m.group(1): m.group(2)
            for m in re.finditer(r"^\[([^\]\n]+)\]: \[([^\n]*)\]\r?$", self.shell("getprop"), re.MULTILINE)
        }

    @cached_property
    def root_form(self) -> str | None:
        """How this phone gives root: "adb root", one of SU_FORMS, or None."""
        if "uid=0" in self.shell("id"):
            return "adb root"
        for form in SU_FORMS:
            if "uid=0" in self.shell(form.format(cmd="id")):
                return form
        return None

    def root(self, command: str, timeout: float = 60) -> str:
        form = self.root_form
        if form is None:
            raise DeviceError(
                f"{self.serial} is not rooted: this needs root (see docs/devices.md, 'without root')"
            )
        if form == "adb root":
            return self.shell(command, timeout)
        return self.shell(form.format(cmd=shlex.quote(command)), timeout)

    def sdk(self) -> int:
        value = self.prop("ro.build.version.sdk")
        return int(value) if value.isdigit() else 0

    @property
    def is_lab(self) -> bool:
        return self.prop("ro.product.brand") == "privmon-lab"

    def push(self, data: bytes, remote: str, mode: int = 0o644) -> None:
        with self._adb(f"push to {remote}"):
            self.device.sync.push(data, remote, mode=mode)

    def exists(self, path: str, as_root: bool = False) -> bool:
        """`test -e` as the shell user (or as root: /data is closed to the shell user; a path it
        may not see counts as missing, never as present)."""
        command = f"[ -e {shlex.quote(path)} ] && echo yes || echo no"
        out = self.root(command) if as_root and self.root_form is not None else self.shell(command)
        return out.strip().splitlines()[-1:] == ["yes"]

    def reverse(self, port: int) -> None:
        with self._adb(f"adb reverse tcp:{port}"):
            self.device.reverse(f"tcp:{port}", f"tcp:{port}")

    def reverse_remove(self, remote: str) -> None:
        try:
            with self._adb(f"removing reverse {remote}"):
                self.device.reverse_remove(remote)
        except DeviceLost:
            raise
        except DeviceError as exc:
            if not ("listener" in str(exc) and "not found" in str(exc)):
                raise

    def forward(self, port: int) -> None:
        """Host port → the same phone port (lives in this machine's adb server, not on the phone)."""
        with self._adb(f"adb forward tcp:{port}"):
            self.device.forward(f"tcp:{port}", f"tcp:{port}")

    def forward_remove(self, port: int) -> None:
        try:
            with self._adb(f"removing forward tcp:{port}"):
                self.device.forward_remove(f"tcp:{port}")
        except DeviceError:
            pass  # already gone with the device or the adb server

    def screencap(self) -> bytes:
        png = self.shell_bytes("screencap -p", timeout=30)
        if not png.startswith(b"\x89PNG"):
            raise DeviceError(f"{self.serial}: screencap gave no PNG ({png[:80]!r})")
        return png

    def alive(self) -> bool:
        try:
            return self.shell("echo ok", timeout=10).strip() == "ok"
        except DeviceError:
            return False
