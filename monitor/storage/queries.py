"""Read-only queries. Analysis, the CLI, evidence export and the dashboard read through here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from .. import events as ev
from ..language import tr
from . import bodies, models
from .engine import open_read_engine


class SessionNotFound(LookupError):
    def __init__(self, session_id: str) -> None:
        super().__init__(
            tr(
                f"no session {session_id!r} in the store (see `privmon sessions`)",
                f"存储中没有会话 {session_id!r}（见 `privmon sessions`）",
            )
        )
        self.session_id = session_id


_ID_RANGE = " AND id > ? AND id <= ?"


@dataclass
class HookEventData:
    """A session's hook events for analysis (not in frame.attrs: pandas deep-copies those on
    every operation)."""

    frame: Any  # pandas DataFrame: id, ts, api, pi_category, pi_type, hook_id, signal, stack_hash
    stacks: dict[int, str]  # stack_hash → the stack's JSON
    signals: dict[int, tuple[str, str]]  # signal event id → (args JSON, ret JSON)


FLOW_SUMMARY_COLUMNS = [
    "id",
    "ts_start",
    "host",
    "url",
    "method",
    "scheme",
    "tls",
    "server_ip",
    "server_org",
    "server_org_country",
    "status_code",
    "error",
    "capture_path",
    "opener_pid",
    "opener_seq",
]


def _event_frame(rows: list[tuple], columns: list[str]):
    """Rows as a frame with plain object columns for text (pandas' string dtype checks every value,
    at twice the cost) and exact integers for ids, times and stack hashes (object where some are
    missing: a float column would round 64-bit hashes)."""
    import numpy as np
    import pandas as pd

    table = np.array(rows, dtype=object).reshape(len(rows), len(columns))
    data = {}
    for j, name in enumerate(columns):
        values = table[:, j]
        if name in ("id", "ts") or (name == "stack_hash" and not any(v is None for v in values)):
            data[name] = pd.Series(values.astype(np.int64), copy=False)
        else:
            data[name] = pd.Series(values, dtype=object, copy=False)
    return pd.DataFrame(data, copy=False)


def _unpacked(flow: dict) -> dict:
    """A flow row with its bodies as captured (the store keeps them compressed)."""
    codec = flow.pop("body_codec")
    flow["request_body"] = bodies.unpack(flow["request_body"], codec)
    flow["response_body"] = bodies.unpack(flow["response_body"], codec)
    return flow


def _row(obj: Any, columns) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in columns}


PROVENANCE_SIGNALS = ("crypto", "encoding")


# where a privacy policy page is likely to be (analysis/policy.py reads each such page's text)
POLICY_URL_LIKE = (
    "%privacy%",
    "%policy%",
    "%yinsi%",
    "%agreement%",
    "%protocol%",
    "%隐私%",
    "%个人信息%",
    "%E9%9A%90%E7%A7%81%",
)


class StoreReader:
    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)
        self._engine = open_read_engine(db_path)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> "StoreReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _all(
        self,
        model,
        *where,
        order_by=None,
        limit: int | None = None,
        offset: int = 0,
        only: tuple[str, ...] | None = None,
    ) -> list[dict]:
        """Rows as dicts, every column or `only` those named."""
        stmt = select(model).where(*where)
        if order_by is not None:
            stmt = (
                stmt.order_by(*order_by) if isinstance(order_by, (list, tuple)) else stmt.order_by(order_by)
            )
        if limit is not None:
            stmt = stmt.limit(limit).offset(offset)
        columns = model.__table__.columns
        if only is not None:
            columns = [columns[name] for name in only]
        with self._engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt.with_only_columns(*columns))]

    # -- sessions ------------------------------------------------------------------------
    def sessions(self) -> list[dict]:
        counts = (
            select(models.Finding.session_id, func.count().label("n"))
            .group_by(models.Finding.session_id)
            .subquery()
        )
        stmt = (
            select(*models.Session.__table__.columns, func.coalesce(counts.c.n, 0).label("findings"))
            .outerjoin(counts, counts.c.session_id == models.Session.id)
            .order_by(models.Session.started_at.desc())
        )
        with self._engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]

    def sessions_with_status(self, status: str) -> list[dict]:
        m = models.Session
        return self._all(m, m.status == status, order_by=[m.started_at])

    def session(self, session_id: str) -> dict:
        rows = self._all(models.Session, models.Session.id == session_id)
        if not rows:
            raise SessionNotFound(session_id)
        return rows[0]

    def latest_session_id(self) -> str | None:
        """The session made last (an import of an old capture is made now, however old its flows)."""
        rows = self._raw("SELECT id FROM sessions ORDER BY rowid DESC LIMIT 1", ())
        return rows[0][0] if rows else None

    # -- per-session records -------------------------------------------------------------
    def hook_events(self, session_id: str, limit: int | None = None, offset: int = 0) -> list[dict]:
        m = models.HookEvent
        return self._all(m, m.session_id == session_id, order_by=[m.ts, m.id], limit=limit, offset=offset)

    def _raw(self, sql: str, params: tuple) -> list[tuple]:
        raw = self._engine.raw_connection()  # plain sqlite3 rows: several times faster than ORM rows here
        try:
            return raw.cursor().execute(sql, params).fetchall()
        finally:
            raw.close()

    def _by_ids(self, select_from: str, ids) -> list[tuple]:
        """`SELECT … FROM hook_events` rows by id (any number of ids, one statement)."""
        return self._raw(
            f"{select_from} WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps([int(i) for i in ids]),),
        )

    def last_hook_event_id(self) -> int:
        """The store's last hook event id (ids only grow: what is stored later has a higher one)."""
        return self._raw("SELECT ifnull(max(id), 0) FROM hook_events", ())[0][0]

    def hook_event_frame(
        self, session_id: str, ids: tuple[int, int] | None = None, known_stacks=frozenset()
    ) -> "HookEventData":
        """All hook events of a session as a pandas frame for analysis. Stacks come as `stack_hash`
        plus one JSON text per distinct stack; arguments and return values only where analysis
        reads them (signals' `args`/`ret`). One pass over the session's rows; the rest by id.
        `ids` (after, up to): only the events in that id range, and only the stacks not `known`."""

        columns = ["id", "ts", "api", "pi_category", "pi_type", "hook_id", "signal", "stack_hash"]
        rows = self._raw(
            f"SELECT {', '.join(columns)} FROM hook_events WHERE session_id = ?{_ID_RANGE if ids else ''}",
            (session_id, *(ids or ())),
        )
        # sorted here, not in SQL: walking the (session, ts) index visits the table out of order
        frame = _event_frame(rows, columns).sort_values(["ts", "id"], ignore_index=True)
        del rows
        hashed = frame[frame["stack_hash"].notna()]
        first_of_stack = hashed.groupby("stack_hash", sort=False)["id"].min()
        if known_stacks:
            first_of_stack = first_of_stack[~first_of_stack.index.isin(list(known_stacks))]
        stacks = dict(self._by_ids("SELECT stack_hash, stack FROM hook_events", first_of_stack.tolist()))
        if len(hashed) < len(frame):  # stored before schema v4: key those stacks by their text
            by_id = {}
            legacy_ids = frame.loc[frame["stack_hash"].isna(), "id"].tolist()
            for event_id, text in self._by_ids("SELECT id, stack FROM hook_events", legacy_ids):
                key = hash(text) | (1 << 62)
                stacks[key] = text
                by_id[event_id] = key
            frame.loc[frame["stack_hash"].isna(), "stack_hash"] = frame["id"].map(by_id)
        # crypto and encoding calls are read whole by provenance (crypto_events), not as signals
        read_here = frame["signal"].notna() & ~frame["signal"].isin(PROVENANCE_SIGNALS)
        signal_ids = frame.loc[read_here, "id"].tolist()
        signals = {
            i: (args, ret)
            for i, args, ret in self._by_ids("SELECT id, args, ret FROM hook_events", signal_ids)
        }
        return HookEventData(frame, stacks, signals)

    def reads_with_values(self, session_id: str, ids: tuple[int, int]) -> list[tuple]:
        """The PI reads in an id range that returned a value: (id, ts, pi_category, pi_type, ret
        JSON), in id order."""
        return self._raw(
            "SELECT id, ts, pi_category, pi_type, ret FROM hook_events WHERE session_id = ? "
            f"AND pi_category IS NOT NULL AND ret IS NOT NULL{_ID_RANGE} ORDER BY id",
            (session_id, *ids),
        )

    def returned_values(self, session_id: str) -> list[tuple[int, int, str, str, str]]:
        """One PI read per distinct (category, type, returned value), the first:
        (id, ts, pi_category, pi_type, ret JSON), in time order."""
        # The session's reads in id order into a temporary table that keeps the first of each value:
        # one pass, where GROUP BY would sort every read.
        raw = self._engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute("DROP TABLE IF EXISTS temp.first_returns")
            cur.execute(
                "CREATE TEMP TABLE first_returns (id INTEGER, ts INTEGER, pi_category TEXT, pi_type TEXT, "
                "ret TEXT)"
            )
            cur.execute(
                "CREATE UNIQUE INDEX temp.first_returns_value ON first_returns "
                "(pi_category, ifnull(pi_type, ''), ret)"
            )
            cur.execute(
                "INSERT OR IGNORE INTO temp.first_returns SELECT id, ts, pi_category, pi_type, ret "
                "FROM hook_events WHERE session_id = ? AND pi_category IS NOT NULL AND ret IS NOT NULL "
                "ORDER BY id",
                (session_id,),
            )
            rows = cur.execute("SELECT id, ts, pi_category, pi_type, ret FROM temp.first_returns").fetchall()
            cur.execute("DROP TABLE temp.first_returns")
            raw.commit()  # the pool rolls back what is left open: the drop must stick
        finally:
            raw.close()
        return sorted(rows, key=lambda r: (r[1], r[0]))

    def flows(self, session_id: str, limit: int | None = None, offset: int = 0) -> list[dict]:
        columns = [c.name for c in models.Flow.__table__.columns]
        sql = f"SELECT {', '.join(columns)} FROM flows WHERE session_id = ? ORDER BY ts_start, id"
        params: tuple = (session_id,)
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += (limit, offset)
        rows = []
        for values in self._raw(sql, params):
            row = _unpacked(dict(zip(columns, values)))
            row["request_headers"] = json.loads(row["request_headers"]) if row["request_headers"] else []
            row["response_headers"] = json.loads(row["response_headers"]) if row["response_headers"] else []
            row["request_body_truncated"] = bool(row["request_body_truncated"])
            row["response_body_truncated"] = bool(row["response_body_truncated"])
            row["tls"] = bool(row["tls"])
            rows.append(row)
        return rows

    def policy_pages(self, session_id: str, limit: int = 20) -> list[dict]:
        """Text or HTML responses at addresses that look like a privacy policy's (analysis/policy.py
        confirms each): url, response headers and body."""
        like = " OR ".join(["url LIKE ?"] * len(POLICY_URL_LIKE))
        sql = (
            "SELECT id, url, response_headers, x'' AS request_body, response_body, body_codec FROM flows "
            "WHERE session_id = ? "
            f"AND ({like}) AND (response_headers LIKE '%text/html%' OR response_headers LIKE '%text/plain%') "
            "ORDER BY ts_start, id LIMIT ?"
        )
        rows = []
        for values in self._raw(sql, (session_id, *POLICY_URL_LIKE, limit)):
            names = ("id", "url", "response_headers", "request_body", "response_body", "body_codec")
            row = _unpacked(dict(zip(names, values)))
            row["response_headers"] = json.loads(row["response_headers"]) if row["response_headers"] else []
            rows.append(row)
        return rows

    def flow_summaries(self, session_id: str) -> list[dict]:
        """The session's flows without headers or bodies, in time order."""
        sql = (
            f"SELECT {', '.join(FLOW_SUMMARY_COLUMNS)} FROM flows WHERE session_id = ? ORDER BY ts_start, id"
        )
        out = []
        for values in self._raw(sql, (session_id,)):
            row = dict(zip(FLOW_SUMMARY_COLUMNS, values))
            row["tls"] = bool(row["tls"])
            out.append(row)
        return out

    def event_ids_by_seq(self, session_id: str, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
        """(pid, seq) → hook event id, for the events flows name as their connection's opener."""
        if not pairs:
            return {}
        rows = self._raw(
            "SELECT pid, seq, id FROM hook_events WHERE session_id = ? AND api = 'net.connect'", (session_id,)
        )
        return {(pid, seq): i for pid, seq, i in rows if (pid, seq) in pairs}

    def spawn_events(self, session_id: str) -> dict[int, int]:
        """child pid → the process.fork hook event that started it (the code that forked)."""
        rows = self._raw(
            "SELECT id, ret FROM hook_events WHERE session_id = ? AND api = 'process.fork'", (session_id,)
        )
        out = {}
        for event_id, ret in rows:
            child = (json.loads(ret) if isinstance(ret, str) else ret or {}).get("child_pid")
            if isinstance(child, int):
                out[child] = event_id
        return out

    def reads_returning_same(self, session_id: str, first_ids: list[int]) -> dict[int, list[tuple[int, int]]]:
        """For each given PI read, every read of the session that returned the same value (same PI
        type, same return value), as (id, ts) in time order: one pass over the session's reads."""
        if not first_ids:
            return {}
        raw = self._engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute("DROP TABLE IF EXISTS temp.wanted_returns")
            cur.execute("CREATE TEMP TABLE wanted_returns (ret TEXT, pi_type TEXT, first_id INTEGER)")
            cur.execute("CREATE INDEX temp.wanted_returns_ret ON wanted_returns (ret)")
            cur.execute(
                "INSERT INTO temp.wanted_returns SELECT ret, pi_type, id FROM hook_events "
                "WHERE id IN (SELECT value FROM json_each(?)) AND ret IS NOT NULL",
                (json.dumps([int(i) for i in first_ids]),),
            )
            rows = cur.execute(
                "SELECT w.first_id, h.id, h.ts FROM hook_events h JOIN temp.wanted_returns w "
                "ON w.ret = h.ret AND w.pi_type IS h.pi_type "
                "WHERE h.session_id = ? AND h.pi_category IS NOT NULL",
                (session_id,),
            ).fetchall()
            cur.execute("DROP TABLE temp.wanted_returns")
            raw.commit()  # the pool rolls back what is left open: the drop must stick
        finally:
            raw.close()
        out: dict[int, list[tuple[int, int]]] = {int(i): [] for i in first_ids}
        for first_id, event_id, ts in rows:
            out[first_id].append((event_id, ts))
        for reads in out.values():
            reads.sort(key=lambda r: (r[1], r[0]))
        return out

    def crypto_events(self, session_id: str, ids: tuple[int, int] | None = None) -> list[dict]:
        """The session's crypto and encoding calls (catalogue signals `crypto`, `encoding`) with
        their arguments and return values, in time order: what provenance chains are built from
        (`ids`: those in that id range)."""
        rows = self._raw(
            "SELECT id, ts, api, args, ret FROM hook_events WHERE session_id = ? "
            f"AND signal IN {PROVENANCE_SIGNALS!r}{_ID_RANGE if ids else ''}",
            (session_id, *(ids or ())),
        )
        return [
            {
                "id": event_id,
                "ts": ts,
                "api": api,
                "args": json.loads(args) if isinstance(args, str) else args,
                "ret": json.loads(ret) if isinstance(ret, str) else ret,
            }
            for event_id, ts, api, args, ret in sorted(rows, key=lambda r: (r[1], r[0]))
        ]

    def event_pid(self, event_id: int) -> int | None:
        rows = self._raw("SELECT pid FROM hook_events WHERE id = ?", (event_id,))
        return rows[0][0] if rows else None

    def flow_rows(self, session_id: str) -> tuple[int, int] | None:
        """The first and last row (rowid) of the session's flows, for requests_in(); None without flows."""
        lo, hi = self._raw("SELECT min(rowid), max(rowid) FROM flows WHERE session_id = ?", (session_id,))[0]
        return None if lo is None else (lo, hi)

    def requests_in(
        self, session_id: str, first_row: int, last_row: int, since_ts: int | None = None
    ) -> list[dict]:
        """What matching reads of the session's flows stored in rows first_row..last_row: id, url,
        request headers and body (in row order, not time order); `since_ts`: only the flows that
        started then or later."""
        since = since_ts is not None
        where = "rowid BETWEEN ? AND ? AND session_id = ?" + (" AND ts_start >= ?" if since else "")
        params = (first_row, last_row, session_id, *((since_ts,) if since else ()))
        return self._requests(where, params)

    def requests_of(self, session_id: str, flow_ids: list[str]) -> list[dict]:
        """What matching reads of the given flows (in row order)."""
        if not flow_ids:
            return []
        where = "session_id = ? AND id IN (SELECT value FROM json_each(?))"
        return self._requests(where, (session_id, json.dumps(flow_ids)))

    def _requests(self, where: str, params: tuple) -> list[dict]:
        columns = "id, url, request_headers, request_body, body_codec"
        sql = f"SELECT {columns} FROM flows WHERE {where} ORDER BY rowid"
        return [
            {
                "id": flow_id,
                "url": url,
                "request_headers": json.loads(headers) if headers else [],
                "request_body": bodies.unpack(body, codec),
            }
            for flow_id, url, headers, body, codec in self._raw(sql, params)
        ]

    def jobs(self, states: tuple[str, ...] | None = None) -> list[dict]:
        """The farm's jobs, newest first (optionally only those in `states`)."""
        m = models.Job
        where = [m.state.in_(states)] if states else []
        return self._all(m, *where, order_by=[m.submitted_at.desc(), m.id.desc()])

    def job(self, job_id: str) -> dict | None:
        rows = self._all(models.Job, models.Job.id == job_id)
        return rows[0] if rows else None

    def websocket_messages(self, session_id: str, flow_id: str | None = None) -> list[dict]:
        m = models.WebSocketMessage
        where = [m.session_id == session_id] + ([m.flow_id == flow_id] if flow_id else [])
        rows = self._all(m, *where, order_by=[m.flow_id, m.index, m.id])
        for row in rows:
            row["content"] = bodies.unpack(row["content"], row.pop("body_codec"))
        return rows

    def reviews(self, session_id: str) -> list[dict]:
        m = models.ReviewRecord
        return self._all(m, m.session_id == session_id, order_by=[m.ts, m.id])

    def distinct_stacks(self, session_id: str) -> list[tuple[int, str, str]]:
        """(stack_hash, api, stack JSON) once per distinct stack and API of a session."""
        return self._raw(
            "SELECT h.stack_hash, h.api, h.stack FROM hook_events h WHERE h.id IN (SELECT MIN(id) FROM "
            "hook_events WHERE session_id = ? GROUP BY stack_hash, api)",
            (session_id,),
        )

    def hook_event_page(
        self,
        session_id: str,
        category: str | None = None,
        api: str | None = None,
        signal: str | None = None,
        limit: int = 100,
        offset: int = 0,
        stack_hashes: list[int] | None = None,
        windows: list[tuple[int, int | None]] | None = None,
    ) -> tuple[list[dict], int]:
        """One page of a session's hook events with filters, and the filtered total (indexed by
        session and time, so pages stay fast at 100 k events). `stack_hashes`: only these callers'
        stacks; `windows`: only these time ranges (end None: to the end)."""
        from sqlalchemy import and_, or_

        m = models.HookEvent
        where = [m.session_id == session_id]
        if stack_hashes is not None:
            where.append(m.stack_hash.in_(stack_hashes))
        if windows is not None:
            where.append(
                or_(*[and_(m.ts > a, m.ts <= b) if b is not None else m.ts > a for a, b in windows])
                if windows
                else m.id < 0
            )
        if category:
            where.append(m.pi_category == category)
        if signal:
            where.append(m.signal == signal)
        if api:
            where.append(m.api.contains(api, autoescape=True))
        with self._engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(m).where(*where)).scalar_one()
        return self._all(m, *where, order_by=[m.ts, m.id], limit=limit, offset=offset), total

    def signal_events(self, session_id: str, signals: tuple[str, ...]) -> list[dict]:
        m = models.HookEvent
        return self._all(m, m.session_id == session_id, m.signal.in_(signals), order_by=[m.ts, m.id])

    def hook_event_sample(
        self,
        session_id: str,
        at_most: int,
        window: tuple[int, int] | None = None,
        only: tuple[str, ...] | None = None,
    ) -> tuple[list[dict], int]:
        """About `at_most` hook events spread over the session or a time window (every k-th by id),
        and how many there are in all; `only`: the columns wanted (id, session_id and ts always)."""
        only = tuple(dict.fromkeys(("id", "session_id", "ts", *only))) if only else None
        m = models.HookEvent
        where = [m.session_id == session_id]
        if window:
            where += [m.ts >= window[0], m.ts <= window[1]]
            with self._engine.connect() as conn:
                total, low, high = conn.execute(
                    select(func.count(), func.min(m.id), func.max(m.id)).where(*where)
                ).one()
        else:
            tallies = self.hook_tallies(session_id)
            total = sum(t["events"] for t in tallies)
            low = min((t["first_id"] for t in tallies), default=None)
            high = max((t["last_id"] for t in tallies), default=None)
        if not total:
            return [], 0
        step = max(1, -(-(high - low + 1) // at_most))
        if step > 1 and not window:
            # the k-th ids looked up by id alone: with the session in the WHERE clause SQLite walks
            # the session's index instead (1 M events: 200 ms against 10 ms)
            rows = [
                r
                for r in self._all(m, m.id.in_(range(low, high + 1, step)), only=only)
                if r["session_id"] == session_id
            ]
            return sorted(rows, key=lambda r: (r["ts"], r["id"])), total
        if step > 1:
            where.append((m.id - low) % step == 0)
        return self._all(m, *where, order_by=[m.ts, m.id], only=only), total

    def hook_tallies(self, session_id: str) -> list[dict]:
        """The writer's count of the session's hook events per catalogue entry (models.HookTally)."""
        m = models.HookTally
        return self._all(m, m.session_id == session_id)

    def hook_event(self, session_id: str, event_id: int) -> dict | None:
        rows = self.hook_events_by_id(session_id, [event_id])
        return rows[0] if rows else None

    def hook_events_by_id(self, session_id: str, event_ids: list[int]) -> list[dict]:
        m = models.HookEvent
        return self._all(m, m.session_id == session_id, m.id.in_(event_ids), order_by=[m.ts, m.id])

    def flow_page(
        self,
        session_id: str,
        host: str | None = None,
        text: str | None = None,
        limit: int = 100,
        offset: int = 0,
        window: tuple[int, int] | None = None,
        only: tuple[str, ...] | None = None,
    ) -> tuple[list[dict], int]:
        """A page of flows in time order and how many match; `only`: just these columns (no bodies
        unpacked unless named)."""
        m = models.Flow
        where = [m.session_id == session_id] + (
            [m.ts_start >= window[0], m.ts_start <= window[1]] if window else []
        )
        if host:
            where.append(m.host == host)
        if text:
            where.append(m.url.contains(text, autoescape=True))
        with self._engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(m).where(*where)).scalar_one()
            ids = [
                r[0]
                for r in conn.execute(
                    select(m.id).where(*where).order_by(m.ts_start, m.id).limit(limit).offset(offset)
                )
            ]
        rows = self._all(m, m.id.in_(ids), order_by=[m.ts_start, m.id], only=only) if ids else []
        return ([_unpacked(row) for row in rows] if only is None else rows), total

    def flow(self, session_id: str, flow_id: str) -> dict | None:
        m = models.Flow
        rows = self._all(m, m.session_id == session_id, m.id == flow_id)
        return _unpacked(rows[0]) if rows else None

    def severity_counts(self) -> dict[str, dict[str, int]]:
        """session id → {severity: number of findings}."""
        m = models.Finding
        out: dict[str, dict[str, int]] = {}
        with self._engine.connect() as conn:
            for sid, severity, n in conn.execute(
                select(m.session_id, m.severity, func.count()).group_by(m.session_id, m.severity)
            ):
                out.setdefault(sid, {})[severity] = n
        return out

    def consent_events(self, session_id: str) -> list[dict]:
        m = models.ConsentEvent
        return self._all(m, m.session_id == session_id, order_by=[m.ts, m.id])

    def analysis_facts(self, session_id: str) -> dict | None:
        """The timeline and watchlist the last analysis stored (None: not analysed yet)."""
        rows = self._all(models.AnalysisFacts, models.AnalysisFacts.session_id == session_id)
        return rows[0] if rows else None

    def stack_attributions(self, session_id: str) -> dict[tuple[int, str], dict]:
        """(stack_hash, api) → who made the call, as the last analysis decided."""
        m = models.StackAttribution
        return {(r["stack_hash"], r["api"]): r for r in self._all(m, m.session_id == session_id)}

    def receiver_facts(self, session_id: str) -> dict[tuple[str, str | None], dict]:
        m = models.ReceiverFact
        return {(r["host"], r["server_ip"]): r for r in self._all(m, m.session_id == session_id)}

    def sender_facts(self, session_id: str, flow_ids: list[str] | None = None) -> dict[str, dict]:
        m = models.SenderFact
        where = [m.session_id == session_id] + ([m.flow_id.in_(flow_ids)] if flow_ids is not None else [])
        return {r["flow_id"]: r for r in self._all(m, *where)}

    def last_consent_event_id(self) -> int:
        """The highest consent event id in the store (ids are the store's, not a session's)."""
        with self._engine.connect() as conn:
            return conn.execute(select(func.max(models.ConsentEvent.id))).scalar() or 0

    def agent_messages(self, session_id: str, types: list[str] | None = None) -> list[dict]:
        m = models.AgentMessage
        where = [m.session_id == session_id] + ([m.type.in_(types)] if types is not None else [])
        return self._all(m, *where, order_by=[m.ts, m.id])

    def screenshots(self, session_id: str) -> list[dict]:
        """What a phone run recorded of its screenshots (file under the session folder, SHA-256,
        reason, the consent event it belongs to), oldest first."""
        return [
            {**m["payload"], "ts": m["ts"]}
            for m in self.agent_messages(session_id, [ev.MSG_SCREENSHOT])
            if isinstance(m["payload"], dict) and str(m["payload"].get("file", "")).startswith("screenshots/")
        ]

    def clock_samples(self, session_id: str) -> list[dict]:
        m = models.ClockSample
        return self._all(m, m.session_id == session_id, order_by=[m.ts, m.id])

    def blind_spots(self, session_id: str) -> list[dict]:
        m = models.BlindSpot
        return self._all(m, m.session_id == session_id, order_by=[m.ts, m.id])

    def pi_matches(
        self, session_id: str, flow_ids: list[str] | None = None, hook_event_ids: list[int] | None = None
    ) -> list[dict]:
        """A session's PI matches, or only those in these flows / from these hook events."""
        m = models.PiMatch
        where = [m.session_id == session_id]
        if flow_ids is not None:
            where.append(m.flow_id.in_(flow_ids))
        if hook_event_ids is not None:
            where.append(m.hook_event_id.in_(hook_event_ids))
        return self._all(m, *where, order_by=[m.id])

    def findings(self, session_id: str) -> list[dict]:
        m = models.Finding
        return self._all(m, m.session_id == session_id, order_by=[m.ts, m.id])

    def counts(self, session_id: str) -> dict[str, int]:
        out = {}
        with self._engine.connect() as conn:
            tally = models.HookTally
            out["hook_events"] = conn.execute(
                select(func.coalesce(func.sum(tally.events), 0)).where(tally.session_id == session_id)
            ).scalar_one()
            for name, model in (
                ("flows", models.Flow),
                ("consent_events", models.ConsentEvent),
                ("pi_matches", models.PiMatch),
                ("blind_spots", models.BlindSpot),
                ("websocket_messages", models.WebSocketMessage),
                ("findings", models.Finding),
            ):
                out[name] = conn.execute(
                    select(func.count()).select_from(model).where(model.session_id == session_id)
                ).scalar_one()
        return out

    def hook_coverage(self, session_id: str) -> list[dict]:
        """Per catalogue entry: installed / not_installed (with the reason) in each process, and
        how often it fired. Entries are those the agent was asked to install in this session."""
        tallies = self.hook_tallies(session_id)
        fired: dict[str | None, int] = {t["hook_id"] or None: t["events"] for t in tallies}
        # events the agent kept with a value it could not convert (marked {"unconverted": type, …})
        unconverted = {t["hook_id"] or None: t["unconverted"] for t in tallies if t["unconverted"]}
        entries: dict[str, dict] = {}
        late: list[dict] = []
        for message in self.agent_messages(session_id, [ev.MSG_INSTALL, ev.MSG_LATE_INSTALL]):
            if message["type"] == ev.MSG_LATE_INSTALL and isinstance(message["payload"], dict):
                late.append(message["payload"])
            if message["type"] != ev.MSG_INSTALL or not isinstance(message["payload"], dict):
                continue
            pid = message["payload"].get("pid")
            for result in message["payload"].get("results", []):
                entry = entries.setdefault(
                    result["id"],
                    {
                        "id": result["id"],
                        "class": result.get("class"),
                        "method": result.get("method"),
                        "pi_category": result.get("pi_category"),
                        "pi_type": result.get("pi_type"),
                        "signal": result.get("signal"),
                        "state": "not_installed",
                        "overloads": 0,
                        "reasons": [],
                        "processes": [],
                    },
                )
                entry["processes"].append(
                    {"pid": pid, "state": result["state"], "reason": result.get("reason")}
                )
                if result["state"] == "installed":
                    entry["state"] = "installed"
                    entry["overloads"] = max(entry["overloads"], result.get("overloads", 0))
                elif result.get("reason") and result["reason"] not in entry["reasons"]:
                    entry["reasons"].append(result["reason"])
        for payload in late:  # hooked later, when an SDK's own class loader loaded the class
            result = payload.get("result") or {}
            entry = entries.get(result.get("id"))
            if entry is None:
                continue
            entry["processes"].append(
                {
                    "pid": None,
                    "state": result.get("state"),
                    "reason": result.get("reason"),
                    "loader": payload.get("loader"),
                }
            )
            if result.get("state") == "installed":
                entry["state"] = "installed"
                entry["overloads"] = max(entry["overloads"], result.get("overloads", 0))
                entry["reasons"] = []
        for entry in entries.values():
            entry["fired"] = fired.get(entry["id"], 0)
            entry["conversion_errors"] = unconverted.get(entry["id"], 0)
        return sorted(entries.values(), key=lambda e: e["id"])
