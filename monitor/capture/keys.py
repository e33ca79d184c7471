"""Keys pressed in the running terminal: `c` marks consent, `r` a refusal, `q` stops the run."""

from __future__ import annotations

import os
import select
import sys
import threading
from typing import Callable

from ..language import tr


def key_help() -> str:
    return tr(
        "keys: [c] mark consent  [r] mark refusal  [q] stop", "按键：[c] 标记同意  [r] 标记拒绝  [q] 停止"
    )


class KeyReader:
    def __init__(self, on_key: Callable[[str], None]) -> None:
        self.on_key = on_key
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._saved = None

    @staticmethod
    def available() -> bool:
        return sys.stdin is not None and sys.stdin.isatty() and os.name == "posix"

    def __enter__(self) -> "KeyReader":
        if not self.available():
            return self
        import termios
        import tty

        fd = sys.stdin.fileno()
        self._saved = termios.tcgetattr(fd)
        tty.setcbreak(fd)
        self._thread = threading.Thread(target=self._loop, args=(fd,), name="privmon-keys", daemon=True)
        self._thread.start()
        return self

    def _loop(self, fd: int) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                ch = os.read(fd, 1).decode(errors="ignore").lower()
                if ch:
                    self.on_key(ch)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(1)
        if self._saved is not None:
            import termios

            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, self._saved)


class TesterKeys:
    """What the run's keys do: [c]/[r] store a consent/refusal event marked by the tester (and
    hand it to `on_consent`, e.g. for a screenshot), [q] sets `stop`, `extra` adds more
    (key → (label, action))."""

    def __init__(
        self,
        session_id: str,
        writer,
        progress: Callable[[str], None],
        on_consent: Callable | None = None,
        extra: dict | None = None,
    ) -> None:
        self.session_id, self.writer, self.progress = session_id, writer, progress
        self.on_consent = on_consent
        self.extra = extra or {}
        self.stop = threading.Event()

    @property
    def help(self) -> str:
        return " — " + key_help() + "".join(f"  [{k}] {label}" for k, (label, _action) in self.extra.items())

    def __call__(self, ch: str) -> None:
        from .. import events as ev
        from ..timeutil import now_us

        if ch in ("c", "r"):
            kind = "consent" if ch == "c" else "refuse"
            event = ev.ConsentEvent(self.session_id, now_us(), kind, "key", detail="marked in the terminal")
            self.writer.submit(event)
            if self.on_consent is not None:
                self.on_consent(event)
            self.progress(tr(f"marked {kind} (key)", f"已标记 {kind}（按键）"))
        elif ch == "q":
            self.stop.set()
        elif ch in self.extra:
            self.extra[ch][1]()
