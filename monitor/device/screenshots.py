"""Screenshots during a phone run (`screencap`): at every UI/consent signal the hooks see (a click,
a dialog, an SDK privacy call; the analysis decides later which is a consent event), at the
tester's consent marks, and on the [s] key. Taken
on a worker thread (never on Frida's), stored under the session's folder and recorded with
their SHA-256 as `device:screenshot` messages, so bundles can carry and verify them."""

from __future__ import annotations

import hashlib
import queue
import re
import threading
from pathlib import Path

from .. import events as ev
from ..consent import CONSENT_SIGNALS
from ..language import tr
from ..timeutil import now_us
from .adb import Phone
from .devices import DeviceError

MAX_SCREENSHOTS = 200
SCREENSHOT_SIGNALS = CONSENT_SIGNALS - {"pref_write"}  # preference writes are too many to photograph


class Screenshots:
    def __init__(self, phone: Phone, folder: Path, writer, session_id: str, progress=lambda _m: None) -> None:
        self.phone, self.folder, self.writer, self.session_id = phone, folder, writer, session_id
        self.progress = progress
        self.taken = 0
        self._queue: queue.Queue[tuple[str, int, dict] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="privmon-screencap", daemon=True)

    def __enter__(self) -> "Screenshots":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._queue.put(None)
        self._thread.join(30)

    def request(self, reason: str, about: dict | None = None) -> None:
        self._queue.put((reason, now_us(), about or {}))

    def on_mark(self, event: ev.ConsentEvent) -> None:
        """The screen as the tester marked consent; the finding page shows it beside the event."""
        self.request(
            f"{event.kind} ({event.source})", {"consent_ts_us": event.ts, "consent_kind": event.kind}
        )

    def on_signal(self, event: ev.HookEvent) -> None:
        """The screen as the app saw a click, a dialog or an SDK privacy call: a consent event the
        analysis finds at this hook event is shown beside this screenshot (same time)."""
        if event.signal not in SCREENSHOT_SIGNALS:
            return
        reason = f"{event.signal} {event.api.rsplit('.', 1)[-1]}"
        self.request(reason, {"consent_ts_us": event.ts, "hook_seq": event.seq, "pid": event.pid})

    def _loop(self) -> None:
        while (item := self._queue.get()) is not None:
            reason, asked_at, about = item
            if self.taken >= MAX_SCREENSHOTS:
                continue
            try:
                png = self.phone.screencap()
            except DeviceError as exc:
                self.writer.submit(
                    ev.AgentMessage(
                        self.session_id,
                        now_us(),
                        ev.MSG_SCREENSHOT_FAILED,
                        {"reason": reason, "error": str(exc)[:300]},
                    )
                )
                continue
            self.taken += 1
            self.folder.mkdir(parents=True, exist_ok=True)
            name = f"{self.taken:03d}-{re.sub(r'[^a-z0-9]+', '-', reason.lower()).strip('-')[:40]}.png"
            (self.folder / name).write_bytes(png)
            self.writer.submit(
                ev.AgentMessage(
                    self.session_id,
                    now_us(),
                    ev.MSG_SCREENSHOT,
                    {
                        "file": f"screenshots/{name}",
                        "sha256": hashlib.sha256(png).hexdigest(),
                        "bytes": len(png),
                        "reason": reason,
                        "asked_at_us": asked_at,
                        **about,
                    },
                )
            )
            self.progress(tr(f"screenshot {name} ({reason})", f"截图 {name}（{reason}）"))
