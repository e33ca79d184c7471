"""Runs the analysis pass on a stored session and hands the result to the writer."""

from __future__ import annotations

import fcntl
from contextlib import contextmanager
from pathlib import Path

from ..config import Settings
from ..events import AnalysisResult
from ..storage.queries import StoreReader
from ..storage.writer import EventWriter
from .analyze import analyze_session


@contextmanager
def _one_at_a_time(db_path: Path):
    """Analyses that store into one store take turns: a new judged consent event gets the next free
    id of the store at analysis time, which two runs finishing at once (the farm) would both take."""
    with open(f"{db_path}.analysis.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def analyze_and_store(
    settings: Settings, session_id: str, writer: EventWriter | None = None
) -> AnalysisResult:
    with _one_at_a_time(settings.db_path):
        with StoreReader(settings.db_path) as reader:
            result = analyze_session(reader, session_id)
        own = writer is None
        writer = writer or EventWriter(settings.db_path)
        try:
            writer.submit(result)
            writer.commit()  # StoreError (with the store's path) when the analysis could not be stored
        finally:
            if own:
                writer.close()
    return result
