"""The one writer: a thread that owns the read-write connection and batches inserts.

Capture threads (Frida callbacks, the mitmproxy loop, the key reader) call `submit()`, which
only enqueues. The thread drains the queue in batches, one transaction per batch, one
executemany per table. If a batch fails, it retries row by row so one bad record never costs
the others; records that still fail are reported through `errors`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, delete, insert, select, update

from .. import events as ev
from . import bodies, models
from .engine import UNCONVERTED_MARK, StoreError, open_write_engine

log = logging.getLogger(__name__)

BATCH_MAX = 5000
BATCH_WAIT_S = 0.2  # fewer, larger transactions: a commit costs more than the rows


def _json_columns(table) -> frozenset[str]:
    cached = _JSON_COLUMNS.get(table.name)
    if cached is None:
        cached = _JSON_COLUMNS[table.name] = frozenset(
            c.name for c in table.columns if isinstance(c.type, JSON)
        )
    return cached


_JSON_COLUMNS: dict[str, frozenset[str]] = {}


class _Encoded(str):
    """A value already encoded as JSON (encoded once, used for both its hash and the row)."""


def _json(value: Any) -> str:
    return value if isinstance(value, _Encoded) else json.dumps(value, ensure_ascii=False)


def _row(record: Any) -> dict:
    row = dict(vars(record))
    if isinstance(record, ev.FlowRecord):
        row["request_body"], row["response_body"], row["body_codec"] = bodies.pack_pair(
            row["request_body"], row["response_body"]
        )
    elif isinstance(record, ev.WebSocketRecord):
        row["content"], row["body_codec"] = bodies.pack(row["content"])
    elif isinstance(record, ev.HookEvent):
        row["stack"] = _Encoded(_json(row["stack"]))
        row["stack_hash"] = stack_hash(row["stack"])
    return row


def stack_hash(stack_json: str) -> int:
    digest = hashlib.blake2b(stack_json.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class _Barrier:
    def __init__(self) -> None:
        self.done = threading.Event()


class _Stop:
    pass


class EventWriter:
    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self._engine = open_write_engine(db_path)
        self._queue: queue.Queue[Any] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="privmon-writer", daemon=True)
        self.errors: list[str] = []
        self.written = 0
        self._closed = False
        self._thread.start()

    # -- producer side -------------------------------------------------------------------
    def submit(self, record: Any) -> None:
        if self._closed:
            raise RuntimeError("the writer is closed")
        self._queue.put(record)

    def submit_many(self, records: list[Any]) -> None:
        for record in records:
            self.submit(record)

    def flush(self, timeout: float | None = 30.0) -> bool:
        """Wait until everything submitted so far is committed."""
        barrier = _Barrier()
        self._queue.put(barrier)
        return barrier.done.wait(timeout)

    def commit(self, timeout: float | None = 30.0) -> None:
        """flush(), then raise StoreError when anything submitted could not be stored: a command
        never reports a write that did not happen."""
        done = self.flush(timeout)
        if not done:
            raise StoreError(f"{self.db_path}: the store did not take the write within {timeout:.0f} s")
        if self.errors:
            raise StoreError(f"{self.db_path}: could not write to the store ({self.errors[0]})")

    def alive(self) -> bool:
        return self._closed or self._thread.is_alive()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.put(_Stop())
        self._thread.join()
        self._engine.dispose()

    def __enter__(self) -> "EventWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- writer thread -------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            # Collect for up to BATCH_WAIT_S (fewer, larger transactions), but a flush() or close()
            # barrier is written at once.
            deadline = time.monotonic() + BATCH_WAIT_S
            while len(batch) < BATCH_MAX and not isinstance(batch[-1], (_Barrier, _Stop)):
                remaining = deadline - time.monotonic()
                try:
                    batch.append(
                        self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
                    )
                except queue.Empty:
                    break
            stop = self._write_batch(batch)
            if stop:
                return

    def _write_batch(self, batch: list[Any]) -> bool:
        records = [r for r in batch if not isinstance(r, (_Barrier, _Stop))]
        if records:
            try:
                with self._engine.begin() as conn:
                    self._apply(conn, records)
                self.written += len(records)
            except Exception as exc:  # retry one by one, so one bad record costs only itself
                log.warning("batch of %d failed (%s); retrying one by one", len(records), exc)
                for record in records:
                    try:
                        with self._engine.begin() as conn:
                            self._apply(conn, [record])
                        self.written += 1
                    except Exception as one_exc:
                        self.errors.append(f"{type(record).__name__}: {one_exc}")
                        log.error("could not store %s: %s", type(record).__name__, one_exc)
        stop = False
        for r in batch:
            if isinstance(r, _Barrier):
                r.done.set()
            elif isinstance(r, _Stop):
                stop = True
        return stop

    def _apply(self, conn, records: list[Any]) -> None:
        rows_by_table: dict[Any, list[dict]] = {}
        order: list[Any] = []
        for record in records:
            name = type(record).__name__
            table = models.TABLE_BY_EVENT.get(name)
            if table is not None:
                if table not in rows_by_table:
                    rows_by_table[table] = []
                    order.append(table)
                rows_by_table[table].append(_row(record))
                continue
            # Session rows and replacements must land in submission order relative to inserts.
            self._insert_rows(conn, order, rows_by_table)
            order, rows_by_table = [], {}
            self._apply_command(conn, record)
        self._insert_rows(conn, order, rows_by_table)

    @staticmethod
    def _insert_rows(conn, order, rows_by_table) -> None:
        # Plain executemany with JSON encoded here: SQLAlchemy's per-row type processing was most of
        # the writer's cost, and the writer shares the GIL with the proxy's event loop.
        for table in order:
            rows = rows_by_table[table]
            columns = list(rows[0])  # one dataclass per table: every row has the same keys
            json_columns = _json_columns(table)
            sql = (
                f"INSERT INTO {table.name} ({', '.join(f'{chr(34)}{c}{chr(34)}' for c in columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})"
            )
            params = [tuple(_json(row[c]) if c in json_columns else row[c] for c in columns) for row in rows]
            conn.exec_driver_sql(sql, params)
            if table.name == "hook_events":
                EventWriter._tally_hook_events(conn, columns, params)

    @staticmethod
    def _tally_hook_events(conn, columns: list[str], params: list[tuple]) -> None:
        """Adds the rows just inserted to hook_tallies. The rows got consecutive ids ending at the
        table's highest: this transaction holds SQLite's write lock, and no row names its id."""
        last = conn.exec_driver_sql("SELECT max(rowid) FROM hook_events").scalar()
        session_at, hook_at = columns.index("session_id"), columns.index("hook_id")
        args_at, ret_at = columns.index("args"), columns.index("ret")
        tallies: dict[tuple[str, str], list[int]] = {}
        for row_id, row in enumerate(params, start=last - len(params) + 1):
            key = (row[session_at], row[hook_at] or "")
            unconverted = UNCONVERTED_MARK in row[args_at] or UNCONVERTED_MARK in row[ret_at]
            tally = tallies.get(key)
            if tally is None:
                tallies[key] = [1, unconverted, row_id, row_id]
            else:
                tally[0] += 1
                tally[1] += unconverted
                tally[3] = row_id
        conn.exec_driver_sql(
            "INSERT INTO hook_tallies (session_id, hook_id, events, unconverted, first_id, last_id) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, hook_id) DO UPDATE SET "
            "events = events + excluded.events, unconverted = unconverted + excluded.unconverted, "
            "first_id = min(first_id, excluded.first_id), last_id = max(last_id, excluded.last_id)",
            [(*key, *tally) for key, tally in tallies.items()],
        )

    @staticmethod
    def _apply_command(conn, record: Any) -> None:
        if isinstance(record, ev.SessionStarted):
            conn.execute(
                insert(models.Session),
                {
                    "id": record.id,
                    "app": record.app,
                    "target": record.target,
                    "status": ev.SESSION_RUNNING,
                    "started_at": record.started_at,
                    "meta": record.meta,
                },
            )
        elif isinstance(record, ev.SessionEnded):
            conn.execute(
                update(models.Session)
                .where(models.Session.id == record.id)
                .values(status=record.status, ended_at=record.ended_at, end_reason=record.reason)
            )
        elif isinstance(record, ev.SessionDiscarded):
            conn.execute(delete(models.Session).where(models.Session.id == record.id))  # rows cascade
        elif isinstance(record, ev.SessionMetaUpdate):
            row = conn.execute(select(models.Session.meta).where(models.Session.id == record.id)).first()
            if row is None:
                raise LookupError(f"no session {record.id!r}")
            conn.execute(
                update(models.Session)
                .where(models.Session.id == record.id)
                .values(meta={**(row[0] or {}), **record.meta})
            )
        elif isinstance(record, ev.AnalysisResult):
            sid = record.session_id
            conn.execute(delete(models.PiMatch).where(models.PiMatch.session_id == sid))
            conn.execute(delete(models.Finding).where(models.Finding.session_id == sid))
            judged = models.ConsentEvent
            conn.execute(delete(judged).where(judged.session_id == sid, judged.hook_event_id.is_not(None)))
            if record.consent_events:
                conn.execute(insert(judged), [vars(c) for c in record.consent_events])
            conn.execute(delete(models.AnalysisFacts).where(models.AnalysisFacts.session_id == sid))
            for derived in (models.StackAttribution, models.ReceiverFact, models.SenderFact):
                conn.execute(delete(derived).where(derived.session_id == sid))
            if record.timeline is not None:
                conn.execute(
                    insert(models.AnalysisFacts),
                    {
                        "session_id": sid,
                        "analysed_at": record.analysed_at,
                        "timeline": record.timeline,
                        "watchlist": record.watchlist,
                        "provenance": record.provenance,
                        "rules": record.rules,
                        "policy": record.policy,
                    },
                )
            for table, rows in (
                (models.StackAttribution, record.attributions),
                (models.ReceiverFact, record.receivers),
                (models.SenderFact, record.senders),
            ):
                if rows:
                    conn.execute(insert(table), [{"session_id": sid, **row} for row in rows])
            if record.pi_matches:
                conn.execute(insert(models.PiMatch), [vars(m) for m in record.pi_matches])
            if record.findings:
                conn.execute(insert(models.Finding), [vars(f) for f in record.findings])
        elif isinstance(record, ev.JobSubmitted):
            conn.execute(insert(models.Job), {**vars(record), "state": ev.JOB_QUEUED})
        elif isinstance(record, ev.JobUpdate):
            job = models.Job
            where = [job.id == record.id] + ([job.state.in_(record.expect)] if record.expect else [])
            conn.execute(update(job).where(*where).values(**record.values))
        else:
            raise TypeError(f"the writer does not store {type(record).__name__}")
