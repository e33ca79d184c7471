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
    """Findings so far, for the live line: the analysis pass over what is stored, re-run in the
    background (one process, no forking inside a capturing process) and backing off on large
    sessions so that it never competes with the capture for long. Nothing is stored."""

    MIN_INTERVAL_S = 10.0

    def __init__(self, db_path, session_id: str) -> None:
        import threading

        self.db_path = db_path
        self.session_id = session_id
        self.count: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="privmon-live-findings", daemon=True)

    def __enter__(self) -> "LiveFindings":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()

    def _loop(self) -> None:
        import time

        from ..analysis.analyze import analyze_session
        from ..storage.queries import SessionNotFound, StoreReader

        interval = self.MIN_INTERVAL_S
        while not self._stop.wait(interval):
            started = time.monotonic()
            try:
                with StoreReader(self.db_path) as reader:
                    self.count = len(analyze_session(reader, self.session_id, workers=1).findings)
            except (SessionNotFound, ValueError, KeyError, OSError):
                continue  # the session is not stored yet, or mid-write: next time
            except Exception:  # noqa: BLE001 — a progress display must never end a run
                return
            interval = max(self.MIN_INTERVAL_S, 10 * (time.monotonic() - started))
