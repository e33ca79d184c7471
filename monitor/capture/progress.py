"""The live line a run prints while it captures (counts only; analysis is authoritative)."""

from __future__ import annotations

from typing import Callable


class LiveCounts:
    def __init__(self, progress: Callable[[str], None], prefix: str = "") -> None:
        self.progress = progress
        self.prefix = prefix
        self._shown: tuple[int, ...] | None = None

    def update(self, hook_events: int, flows: int, consent_events: int, identifiers_seen: int) -> None:
        now = (hook_events, flows, consent_events, identifiers_seen)
        if now != self._shown:
            self._shown = now
            self.progress(f"{self.prefix}{hook_events} hook events · {flows} flows · {consent_events} consent events · "
                          f"{identifiers_seen} device identifiers seen in traffic")
