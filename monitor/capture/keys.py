"""Keys pressed in the running terminal: `c` marks consent, `r` a refusal, `q` stops the run."""

from __future__ import annotations

import os
import select
import sys
import threading
from typing import Callable

KEY_HELP = "keys: [c] mark consent  [r] mark refusal  [q] stop"


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
