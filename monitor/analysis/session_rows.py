"""What an analysis pass reads of a session's rows: read whole each time (StoredRows, the analysis
that is stored), or kept between the passes over a session still being written (KeptRows, the
findings shown while the app runs), which then read only what was stored since and match only the
flows whose matches can have changed. Both give the pass the same rows, so the last live pass over
a finished session equals the stored analysis (tests/e2e compare them on every driven lab run)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from ..storage.queries import HookEventData, StoreReader
from .matching import FlowMatcher, Match, MatchJob

# How much earlier than the call that made a derived value a request carrying it may be stamped:
# the hook events' times are the phone's clock brought to the host's (device/facts.py clock samples).
CLOCK_MARGIN_US = 10_000_000


def _sent_by_flow(client_messages: list[dict]) -> dict[str, list[tuple[int, bytes]]]:
    sent: dict[str, list[tuple[int, bytes]]] = {}
    for message in client_messages:
        sent.setdefault(message["flow_id"], []).append((message["index"], message["content"]))
    return sent


class StoredRows:
    """Every row read from the store for each pass."""

    def __init__(self, reader: StoreReader, session_id: str) -> None:
        self.reader, self.session_id = reader, session_id
        self.decoded_events: dict[int, dict] = {}  # hook events decoded by the pass, by id

    def begin(self) -> None:
        """A pass begins (the rows are read when asked for)."""
        self.decoded_events = {}

    def hook_events(self) -> HookEventData:
        return self.reader.hook_event_frame(self.session_id)

    def returned_values(self) -> list[tuple]:
        return self.reader.returned_values(self.session_id)

    def crypto_events(self) -> list[dict]:
        return self.reader.crypto_events(self.session_id)

    def reads_returning_same(self, first_ids: list[int]) -> dict[int, list[tuple[int, int]]]:
        return self.reader.reads_returning_same(self.session_id, first_ids)

    def matching(self, client_messages: list[dict], needles: list, workers: int | None):
        """Matching the session's flows (and the client's WebSocket messages), begun now: in worker
        processes that each read a range of the store's rows when there are many, so the hook events
        are read meanwhile. Matches come in row order."""
        sent = _sent_by_flow(client_messages)
        db_path, session_id = self.reader.db_path, self.session_id

        def load(rows: tuple[int, int]) -> list[dict]:
            with StoreReader(db_path) as own:  # a connection of its own: workers are forked
                flows = own.requests_in(session_id, *rows)
            for flow in flows:
                flow["ws_messages"] = sent.get(flow["id"], [])
            return flows

        first, last = self.reader.flow_rows(session_id) or (0, -1)
        return MatchJob(FlowMatcher(needles, detectors=True), load, first, last, workers)


class KeptRows(StoredRows):
    """The rows of a session still being written, kept between passes (in this process): each pass
    reads the hook events stored since the last, and matches the new flows, the flows whose
    WebSocket messages grew, and, when the watched values changed, the flows they can be in: every
    flow when a watched value was added or one went, only the flows since the call that made it
    when a value derived from a watched one was added (its bytes did not exist before that call)."""

    def __init__(self, reader: StoreReader, session_id: str) -> None:
        super().__init__(reader, session_id)
        self._upto = 0  # hook events read: ids up to this
        self._frame: pd.DataFrame | None = None
        self._stacks: dict[int, str] = {}
        self._signals: dict[int, tuple] = {}
        self._returned: dict[tuple, tuple] = {}  # (category, type, ret) → the first read returning it
        self._crypto: list[dict] = []
        self._same: dict[tuple, list] = defaultdict(list)  # (pi_type, ret) → (id, ts) arrays of its reads
        self._needles: list | None = None
        self._needle_set: set = set()
        self._matcher: FlowMatcher | None = None
        self._matches: dict[str, list[Match]] = {}  # flow id → its matches
        self._messages: dict[str, int] = {}  # flow id → client messages matched with it
        self._last_row = -1  # flows matched: rows up to this

    def begin(self) -> None:
        """Reads what was stored since the last pass (every read of a pass up to the same event);
        kept only once all of it was read."""
        reader, session_id = self.reader, self.session_id
        ids = (self._upto, reader.last_hook_event_id())
        new = reader.hook_event_frame(session_id, ids, self._stacks.keys())
        reads = reader.reads_with_values(session_id, ids)
        crypto = reader.crypto_events(session_id, ids)
        self._stacks.update(new.stacks)
        self._signals.update(new.signals)
        if self._frame is None or self._frame.empty:
            self._frame = new.frame
        elif not new.frame.empty:
            self._frame = pd.concat([self._frame, new.frame], ignore_index=True).sort_values(
                ["ts", "id"], ignore_index=True
            )
        same: dict[tuple, list] = defaultdict(list)
        for row in reads:  # in id order: the first read of a value stays its first
            self._returned.setdefault((row[2], row[3] or "", row[4]), row)
            same[(row[3], row[4])].append(row[:2])
        for key, pairs in same.items():
            self._same[key].append(np.array(pairs, dtype=np.int64))
        if crypto:
            self._crypto = sorted(self._crypto + crypto, key=lambda e: (e["ts"], e["id"]))
        self._upto = ids[1]

    def hook_events(self) -> HookEventData:
        return HookEventData(self._frame, self._stacks, self._signals)

    def returned_values(self) -> list[tuple]:
        return sorted(self._returned.values(), key=lambda r: (r[1], r[0]))

    def crypto_events(self) -> list[dict]:
        return self._crypto

    def reads_returning_same(self, first_ids: list[int]) -> dict[int, list[tuple[int, int]]]:
        """As StoreReader.reads_returning_same, from the reads kept."""
        value_of = {row[0]: (row[3], row[4]) for row in self._returned.values()}
        unknown = [i for i in first_ids if int(i) not in value_of]
        out = self.reader.reads_returning_same(self.session_id, unknown) if unknown else {}
        for first_id in first_ids:
            if int(first_id) in value_of:
                pairs = np.concatenate(self._same[value_of[int(first_id)]])
                pairs = pairs[np.lexsort((pairs[:, 0], pairs[:, 1]))]
                out[int(first_id)] = list(zip(pairs[:, 0].tolist(), pairs[:, 1].tolist()))
        return out

    def matching(self, client_messages: list[dict], needles: list, workers: int | None) -> "_Done":
        reader, session_id = self.reader, self.session_id
        sent = _sent_by_flow(client_messages)
        first, last = reader.flow_rows(session_id) or (0, -1)
        redo: list[dict] = []
        changed = needles != self._needles
        if changed:
            if self._needles is not None:
                since = self._unchanged_before(needles)
                redo = reader.requests_in(session_id, first, self._last_row, since)
            self._matcher = FlowMatcher(needles, detectors=True)  # compiled again only when they change
        matcher = self._matcher
        redo += reader.requests_in(session_id, max(first, self._last_row + 1), last)
        redone = {f["id"] for f in redo}
        grown = [
            flow_id
            for flow_id, messages in sent.items()
            if flow_id not in redone and flow_id in self._matches and len(messages) != self._messages[flow_id]
        ]
        redo += reader.requests_of(session_id, grown)
        for flow in redo:
            flow["ws_messages"] = sent.get(flow["id"], [])
            self._matches[flow["id"]] = matcher.match_flow(flow)[0]
            self._messages[flow["id"]] = len(flow["ws_messages"])
        if changed:
            self._needles, self._needle_set = list(needles), set(needles)
        self._last_row = max(self._last_row, last)
        return _Done([m for matches in self._matches.values() for m in matches])

    def _unchanged_before(self, needles: list) -> int | None:
        """From when the flows' matches can differ under these needles (None: from the start)."""
        before, now = self._needle_set, set(needles)
        added = now - before
        if before - now or any(n.derived is None for n in added):
            return None
        return min(n.derived.ts for n in added) - CLOCK_MARGIN_US


class _Done:
    """A matching already done, as MatchJob gives it."""

    def __init__(self, matches: list[Match]) -> None:
        self._matches = matches

    def result(self) -> list[Match]:
        return self._matches

    def __enter__(self) -> "_Done":
        return self

    def __exit__(self, *exc) -> None:
        pass
