"""The screens privmon reads and taps: a phone's, through adb's own `uiautomator dump` and
`input` (nothing installed on the phone), and a lab app's, through its loopback screen socket."""

from __future__ import annotations

import shlex
import socket
from typing import Protocol

from .ui import UiNode, parse_dump

KEY_HOME = 3
KEY_BACK = 4
LAUNCH_TIMEOUT_S = 90.0  # a lab app launched again starts a JVM under the agent: seconds, more when loaded
DUMP_PATH = "/sdcard/window_dump.xml"
MAX_REPLY_BYTES = 8 * 1024 * 1024


class ScreenGone(RuntimeError):
    """The screen cannot be reached (the app or the phone is gone)."""


class Screen(Protocol):
    def dump(self) -> list[UiNode]: ...
    def tap(self, x: int, y: int) -> None: ...
    def key(self, code: int) -> None: ...
    def launch(self) -> None: ...
    def close(self) -> None: ...


class AdbScreen:
    """A phone's screen over adb."""

    def __init__(self, phone, package: str) -> None:
        self.phone = phone
        self.package = package

    def _shell(self, command: str) -> str:
        try:
            return self.phone.shell(command, timeout=30)
        except Exception as exc:  # noqa: BLE001 - adb's errors vary by transport; all mean gone
            raise ScreenGone(f"adb: {exc}") from None

    def dump(self) -> list[UiNode]:
        said = self._shell(f"uiautomator dump {DUMP_PATH} >/dev/null && cat {DUMP_PATH}")
        return parse_dump(said)

    def tap(self, x: int, y: int) -> None:
        self._shell(f"input tap {int(x)} {int(y)}")

    def key(self, code: int) -> None:
        self._shell(f"input keyevent {int(code)}")

    def launch(self) -> None:
        self._shell(f"monkey -p {shlex.quote(self.package)} -c android.intent.category.LAUNCHER 1")

    def close(self) -> None:
        """Ends the app's process as the system does (`am force-stop`); its data stays."""
        self._shell(f"am force-stop {shlex.quote(self.package)}")


class LabScreen:
    """A lab app's screen (lab/android/src/privmon/lab/Screen.java) on 127.0.0.1:port."""

    def __init__(self, port: int) -> None:
        self.port = port

    def request(self, line: str, timeout: float = 10) -> str:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as conn:
                conn.sendall(line.encode() + b"\n")
                chunks, size = [], 0
                while size <= MAX_REPLY_BYTES and (chunk := conn.recv(65536)):
                    chunks.append(chunk)
                    size += len(chunk)
        except OSError as exc:
            raise ScreenGone(f"the lab app's screen: {exc}") from None
        return b"".join(chunks).decode("utf-8", "replace")

    def dump(self) -> list[UiNode]:
        said = self.request("dump")
        if not said.strip():  # the run's control: no process of the app is on the screen now
            raise ScreenGone("the lab app has no screen now")
        return parse_dump(said)

    def tap(self, x: int, y: int) -> None:
        self.request(f"tap {int(x)} {int(y)}")

    def key(self, code: int) -> None:
        self.request(f"key {int(code)}")

    def launch(self) -> None:
        self.request("launch", LAUNCH_TIMEOUT_S)

    def close(self) -> None:
        self.request("stop", LAUNCH_TIMEOUT_S)
