"""The live line a run prints while it captures (counts only; the analysis is authoritative), and
the findings so far. The run owns these; capture only counts."""

from __future__ import annotations

from typing import Callable

from ..language import tr


class LiveCounts:
    def __init__(self, progress: Callable[[str], None], prefix: str = "", findings: object = None) -> None:
        self.progress = progress
        self.prefix = prefix
        self.findings = findings
        self._shown: tuple | None = None

    def update(self, hook_events: int, flows: int, signals: int, identifiers_seen: int) -> None:
        found = getattr(self.findings, "count", None)
        now = (hook_events, flows, signals, identifiers_seen, found)
        if now != self._shown:
            self._shown = now
            self.progress(
                self.prefix
                + tr(
                    f"{hook_events} hook events · {flows} flows · {signals} consent signals · "
                    f"{identifiers_seen} watched values seen in traffic",
                    f"{hook_events} 条调用记录 · {flows} 个网络请求 · {signals} 个同意信号 · "
                    f"流量中出现 {identifiers_seen} 个被监视的值",
                )
                + (tr(f" · {found} findings so far", f" · 目前 {found} 项发现") if found is not None else "")
            )


class LiveFindings:
    """Verdicts while the app runs: the analysis pass over what is stored, re-run in the background
    (one process, no forking inside a capturing process) as soon as something new is stored. The
    display keeps the session's rows between passes (analysis/session_rows.py KeptRows): a pass
    reads what was stored since the last and matches only the flows whose matches can have changed.
    Passes are at least half a second apart and take at most half the time, so that the capture
    keeps the other half; each finding is printed when it first appears, and when a later pass takes
    it back. Nothing is stored: the analysis at the end is the session's."""

    CHECK_S = 0.25  # how often the store is asked whether anything new was stored
    MIN_GAP_S = 0.5
    SHARE = 1  # a pass that took d seconds waits SHARE * d before the next
    SETTLE_S = 2.0  # at the end: how long to wait for the store to stop changing before the last pass

    def __init__(self, db_path, session_id: str, progress: Callable[[str], None] | None = None, prefix=""):
        import threading

        self.db_path = db_path
        self.session_id = session_id
        self.progress = progress
        self.prefix = prefix
        self.count: int | None = None
        self.stopped = False  # the display stopped on an unexpected error: what it shows is not current
        self.shown: dict[str, object] = {}  # fingerprint → the finding shown (events.Finding)
        self._seen_state: tuple | None = None  # what was stored when the last pass ran
        self._store = None  # StoreReader, opened on first use by _reader()
        self._rows = None  # the session's rows kept between passes (KeptRows), made with the store
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="privmon-live-findings", daemon=True)

    def start(self) -> "LiveFindings":
        self._thread.start()
        return self

    def finish(self) -> None:
        """The last pass, once the store has settled: the run calls it when everything is stored."""
        import time

        self._stop.set()
        self._thread.join(timeout=30)
        # one last pass once the store has settled (what the app did last is still being written),
        # so that the live view ends where the data ends
        state, deadline = None, time.monotonic() + self.SETTLE_S
        while time.monotonic() < deadline:
            now = self._stored_state()
            if now is not None and now == state:
                break
            state = now
            time.sleep(self.CHECK_S)
        if state is not None and state != self._seen_state:
            self._pass(state)
        if self._store is not None:
            self._store.close()

    def _reader(self):
        """One read-only store for the display's life (it is asked four times a second)."""
        from ..analysis.session_rows import KeptRows
        from ..storage.queries import StoreReader

        if self._store is None:
            self._store = StoreReader(self.db_path)
            self._rows = KeptRows(self._store, self.session_id)
        return self._store

    def _stored_state(self) -> tuple | None:
        from ..storage.queries import SessionNotFound

        try:
            return _stored_state(self._reader(), self.session_id)
        except (SessionNotFound, ValueError, KeyError, OSError):
            return None
        except Exception:  # noqa: BLE001 — a progress display must never end a run
            return None

    def _loop(self) -> None:
        import time

        next_pass = 0.0
        while not self._stop.wait(self.CHECK_S):
            if time.monotonic() < next_pass:
                continue
            state = self._stored_state()
            if state is None or state == self._seen_state:
                continue
            started = time.monotonic()
            if not self._pass(state):
                return
            next_pass = time.monotonic() + max(self.MIN_GAP_S, self.SHARE * (time.monotonic() - started))

    def _pass(self, state: tuple) -> bool:
        """One analysis of what is stored; False when the display must stop (an unexpected error)."""
        from ..analysis.analyze import analyze_session
        from ..storage.queries import SessionNotFound

        try:
            reader = self._reader()
            findings = analyze_session(reader, self.session_id, workers=1, rows=self._rows).findings
        except (SessionNotFound, ValueError, KeyError, OSError):
            return True  # mid-write: next time
        except Exception:  # noqa: BLE001 — a progress display must never end a run
            self.stopped = True
            return False
        self._seen_state = state
        self.count = len(findings)
        now = {f.fingerprint for f in findings}
        # a verdict on what was stored so far can be taken back by what is stored next (a read
        # inside a click handler is stored before the click, which is stored when it returns)
        for fingerprint in [fp for fp in self.shown if fp not in now]:
            self._say(tr("finding withdrawn", "发现撤回"), fingerprint, self.shown.pop(fingerprint))
        for finding in sorted(findings, key=lambda f: f.ts):
            if finding.fingerprint not in self.shown:
                self.shown[finding.fingerprint] = finding
                self._say(tr("new finding", "新发现"), finding.fingerprint, finding)
        return True

    def _say(self, what: str, fingerprint: str, finding) -> None:
        if self.progress is not None:
            # the fingerprint's head: what `privmon review` takes, and what the end's findings keep
            title = tr(finding.title, finding.title_zh or finding.title)
            self.progress(f"{self.prefix}{what} {fingerprint[:10]} [{finding.severity}] {title}")


def _stored_state(reader, session_id: str) -> tuple:
    """What changes when anything the analysis reads is stored (cheap: the writer's tallies and
    indexed counts)."""
    counts = reader.counts(session_id)
    return (counts["hook_events"], counts["flows"], counts["consent_events"], counts["websocket_messages"])
