"""Runs the analysis pass on a stored session and hands the result to the writer."""

from __future__ import annotations

from ..config import Settings
from ..events import AnalysisResult
from ..storage.queries import StoreReader
from ..storage.writer import EventWriter
from .analyze import analyze_session


def analyze_and_store(
    settings: Settings, session_id: str, writer: EventWriter | None = None
) -> AnalysisResult:
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
