"""How the simulated phone finds the screen of the lab app it stands for.

On the lab's simulated phone the app process is a lab JVM started by the `privmon run` process,
while the phone answers adb in another (`privmon lab phone`). The run publishes the JVM's screen
port under the phone's serial; the phone's `uiautomator dump`, `input` and `monkey` read it."""

from __future__ import annotations

import re
import tempfile
from contextlib import suppress
from pathlib import Path

from ..drive.screens import LabScreen


def _path(serial: str) -> Path:
    return Path(tempfile.gettempdir()) / "privmon-lab-screens" / re.sub(r"[^\w.-]", "_", serial)


def publish(serial: str, port: int) -> None:
    path = _path(serial)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(str(port))
    partial.replace(path)


def withdraw(serial: str) -> None:
    with suppress(OSError):
        _path(serial).unlink()


def screen_of(serial: str) -> LabScreen | None:
    """The screen of the lab app now running on the simulated phone `serial`, if any."""
    try:
        return LabScreen(int(_path(serial).read_text().strip()))
    except (OSError, ValueError):
        return None
