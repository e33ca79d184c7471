"""How the simulated phone finds the screen of the lab app it stands for.

On the lab's simulated phone the app process is a lab JVM started by the `privmon run` process,
while the phone answers adb in another (`privmon lab phone`). The run publishes its control port
(run/lab_control.py: the screen of whichever JVM of the app runs now, "stop", "launch") and the
app's package under the phone's serial; the phone's `uiautomator dump`, `input`, `monkey` and
`am force-stop` use it."""

from __future__ import annotations

import re
import tempfile
from contextlib import suppress
from pathlib import Path

from ..drive.screens import LabScreen


def _path(serial: str) -> Path:
    return Path(tempfile.gettempdir()) / "privmon-lab-screens" / re.sub(r"[^\w.-]", "_", serial)


def publish(serial: str, port: int, package: str) -> None:
    path = _path(serial)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(f"{port}\n{package}\n")
    partial.replace(path)


def withdraw(serial: str) -> None:
    with suppress(OSError):
        _path(serial).unlink()


def screen_of(serial: str, package: str | None = None) -> LabScreen | None:
    """The screen of the lab app on the simulated phone `serial` (of `package`, when given), if
    a run has one there."""
    try:
        port, _, published = _path(serial).read_text().strip().partition("\n")
        screen = LabScreen(int(port))
    except (OSError, ValueError):
        return None
    return screen if package is None or package == published.strip() else None
