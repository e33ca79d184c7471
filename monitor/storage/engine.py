"""Engines for the store: SQLite in WAL mode, a schema version, and in-place upgrades.

The writer opens the read-write engine; every reader opens a read-only one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import sqlalchemy
from sqlalchemy import Connection, Engine, create_engine, event, text

from . import models

SCHEMA_VERSION = 14
# how the agent marks a value it could not convert: {"unconverted": type, …}
UNCONVERTED_MARK = '"unconverted":'


class SchemaError(RuntimeError):
    """The database was written by a newer privmon, or could not be upgraded."""


def _create_initial(conn: Connection) -> None:
    models.Base.metadata.create_all(conn)


def _add_columns(conn: Connection, table: str, columns: dict[str, str]) -> None:
    existing = {row[1] for row in conn.execute(text(f"PRAGMA table_info({table})"))}
    for name, sql_type in columns.items():
        if name not in existing:  # a store created at this version already has it
            conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {sql_type}"))


def _hook_event_catalogue_ids(conn: Connection) -> None:
    _add_columns(conn, "hook_events", {"hook_id": "VARCHAR", "signal": "VARCHAR"})


def _blind_spots(conn: Connection) -> None:
    models.BlindSpot.__table__.create(conn, checkfirst=True)


def _bodies_websockets_reviews_match_times(conn: Connection) -> None:
    _add_columns(conn, "flows", {"body_codec": "VARCHAR"})
    _add_columns(conn, "pi_matches", {"ts": "BIGINT"})
    _add_columns(conn, "consent_events", {"confidence": "FLOAT"})
    _add_columns(conn, "findings", {"title_zh": "TEXT", "explanation_zh": "TEXT"})
    _add_columns(conn, "hook_events", {"stack_hash": "BIGINT"})
    models.WebSocketMessage.__table__.create(conn, checkfirst=True)
    models.ReviewRecord.__table__.create(conn, checkfirst=True)


def _facts_owned_by_the_analysis(conn: Connection) -> None:
    """Consent events from hook events belong to the analysis now: link the ones capture judged
    before to their hook event, so that the next analysis replaces them. The analysis also stores
    the timeline, the watchlist, who made each call, who received and who sent each flow
    (re-analyse older sessions to fill them)."""
    models.AnalysisFacts.__table__.create(conn, checkfirst=True)
    models.StackAttribution.__table__.create(conn, checkfirst=True)
    models.ReceiverFact.__table__.create(conn, checkfirst=True)
    models.SenderFact.__table__.create(conn, checkfirst=True)
    _add_columns(conn, "consent_events", {"hook_event_id": "INTEGER"})
    _add_columns(conn, "hook_events", {"sensitive": "BOOLEAN"})
    conn.execute(
        text(
            "UPDATE consent_events SET hook_event_id = (SELECT MIN(h.id) FROM hook_events h "
            "WHERE h.session_id = consent_events.session_id AND h.seq = consent_events.hook_seq) "
            "WHERE source IN ('click', 'dialog', 'pref_write', 'sdk_api') AND hook_seq IS NOT NULL"
        )
    )


def _capture_paths(conn: Connection) -> None:
    """Flows say how they were captured and whose connection carried them (NULL on older flows)."""
    _add_columns(
        conn,
        "flows",
        {
            "capture_path": "VARCHAR",
            "client_port": "INTEGER",
            "opener_pid": "INTEGER",
            "opener_seq": "INTEGER",
        },
    )


def _provenance_chains(conn: Connection) -> None:
    """PI matches of derived values (encrypted, hashed, encoded by the app) carry their chain."""
    _add_columns(conn, "pi_matches", {"chain": "JSON", "derived_from": "INTEGER"})
    _add_columns(conn, "analysis_facts", {"provenance": "JSON"})


def _rule_coverage(conn: Connection) -> None:
    """The analysis says which rules the run could judge (NULL: analysed before it did)."""
    _add_columns(conn, "analysis_facts", {"rules": "JSON"})


def _finding_groups(conn: Connection) -> None:
    """Findings carry the group of their actor (NULL: analysed before groups)."""
    _add_columns(conn, "findings", {"finding_group": "JSON"})


def _hook_coverage_index(conn: Connection) -> None:
    """Hook events indexed by (session, catalogue entry): the coverage report's per-entry counts
    read the index alone (1 M events: 0.96 s → 0.08 s); it replaces the session-only index."""
    conn.execute(
        text("CREATE INDEX IF NOT EXISTS ix_hook_events_session_hook ON hook_events (session_id, hook_id)")
    )
    conn.execute(text("DROP INDEX IF EXISTS ix_hook_events_session_id"))


def _hook_tallies_flow_time_index(conn: Connection) -> None:
    """The writer keeps per-session, per-entry counts of hook events (models.HookTally), counted
    here once for the events stored before; flows are indexed by (session, start, id) in place of
    the session-only index, so a page of them in time order reads the index alone."""
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_flows_session_ts ON flows (session_id, ts_start, id)"))
    conn.execute(text("DROP INDEX IF EXISTS ix_flows_session_id"))
    models.HookTally.__table__.create(conn, checkfirst=True)
    conn.execute(
        text(
            "INSERT OR REPLACE INTO hook_tallies "
            "(session_id, hook_id, events, unconverted, first_id, last_id) "
            "SELECT session_id, ifnull(hook_id, ''), count(*), "
            f"sum(instr(args, '{UNCONVERTED_MARK}') > 0 "
            f"OR instr(ifnull(ret, ''), '{UNCONVERTED_MARK}') > 0), "
            "min(id), max(id) FROM hook_events GROUP BY session_id, hook_id"
        )
    )


def _receiver_attribution(conn: Connection) -> None:
    """Receivers say who hosts them, their network, and what named their company how surely (NULL:
    analysed before; re-analyse to fill); flows keep the organisation in the server's certificate."""
    _add_columns(conn, "flows", {"server_org": "TEXT", "server_org_country": "VARCHAR"})
    _add_columns(
        conn,
        "receiver_facts",
        {
            "hosting": "VARCHAR",
            "network": "VARCHAR",
            "attribution_source": "VARCHAR",
            "confidence": "VARCHAR",
        },
    )


def _declared_policy(conn: Connection) -> None:
    """The analysis keeps what it read of the app's own privacy policy (analysis/policy.py)."""
    _add_columns(conn, "analysis_facts", {"policy": "JSON"})


def _farm_jobs(conn: Connection) -> None:
    """The farm's jobs (monitor/farm)."""
    models.Job.__table__.create(conn, checkfirst=True)  # with its index


# Migration N upgrades a database at version N-1 to version N. Append, never edit.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    1: _create_initial,
    2: _hook_event_catalogue_ids,
    3: _blind_spots,
    4: _bodies_websockets_reviews_match_times,
    5: _facts_owned_by_the_analysis,
    6: _capture_paths,
    7: _provenance_chains,
    8: _rule_coverage,
    9: _finding_groups,
    10: _hook_coverage_index,
    11: _hook_tallies_flow_time_index,
    12: _receiver_attribution,
    13: _declared_policy,
    14: _farm_jobs,
}


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def current_version(conn: Connection) -> int:
    has_meta = conn.execute(
        text("SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_meta'")
    ).first()
    if not has_meta:
        return 0
    row = conn.execute(text("SELECT value FROM schema_meta WHERE key='version'")).first()
    return int(row[0]) if row else 0


def upgrade(engine: Engine) -> int:
    """Bring the schema to SCHEMA_VERSION; returns the version found before."""
    with engine.begin() as conn:
        found = current_version(conn)
        if found > SCHEMA_VERSION:
            raise SchemaError(
                f"the store is at schema version {found}, newer than this privmon "
                f"understands ({SCHEMA_VERSION}); upgrade privmon"
            )
        for version in range(found + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[version](conn)
            conn.execute(
                text("INSERT OR REPLACE INTO schema_meta (key, value) VALUES ('version', :v)"),
                {"v": str(version)},
            )
    return found


class StoreError(RuntimeError):
    """The store cannot be opened, read or written: the message names its path."""


def open_write_engine(db_path: Path) -> Engine:
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(f"sqlite:///{db_path}")
        event.listen(engine, "connect", _sqlite_pragmas)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
            conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
        upgrade(engine)
    except (OSError, sqlalchemy.exc.OperationalError, sqlalchemy.exc.DatabaseError) as exc:
        raise StoreError(f"{db_path}: cannot write the store ({_reason(exc)})") from exc
    return engine


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc).splitlines()[0]


def open_read_engine(db_path: Path) -> Engine:
    """A read-only engine; the store must exist (create it with the writer first)."""
    if not db_path.exists():
        # An empty store is valid: create it so readers see the schema.
        open_write_engine(db_path).dispose()
    engine = create_engine(f"sqlite:///file:{db_path}?mode=ro&uri=true")
    event.listen(engine, "connect", _sqlite_pragmas)
    try:
        with engine.connect() as conn:
            found = current_version(conn)
    except (sqlalchemy.exc.OperationalError, sqlalchemy.exc.DatabaseError) as exc:
        raise StoreError(f"{db_path}: cannot read the store ({_reason(exc)})") from exc
    if found != SCHEMA_VERSION:
        if found > SCHEMA_VERSION:
            raise SchemaError(
                f"the store is at schema version {found}, newer than this privmon "
                f"understands ({SCHEMA_VERSION}); upgrade privmon"
            )
        engine.dispose()
        open_write_engine(db_path).dispose()
    return engine
