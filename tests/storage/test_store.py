import sqlite3

import pytest
from sqlalchemy import create_engine, text

from monitor import events as ev
from monitor.storage import engine as store_engine
from monitor.storage.queries import SessionNotFound, StoreReader
from monitor.storage.writer import EventWriter


def _hook(sid, seq, ts, api="android.telephony.TelephonyManager.getImei"):
    return ev.HookEvent(
        sid, seq, 1, ts, ts, api, "device_id", "imei", [], "861234567890123", ["a.B.c(B.java:1)"], "main"
    )


def test_writer_round_trip_in_submission_order(settings, writer):
    writer.submit(ev.SessionStarted("s1", "com.example", "lab", 10))
    writer.submit_many([_hook("s1", i, 100 + i) for i in range(1000)])
    writer.submit(ev.ConsentEvent("s1", 500, "consent", "manual", "by hand"))
    writer.submit(ev.SessionEnded("s1", 2000, ev.SESSION_COMPLETED, "done"))
    assert writer.flush()
    with StoreReader(settings.db_path) as reader:
        session = reader.session("s1")
        assert (session["status"], session["ended_at"], session["end_reason"]) == ("completed", 2000, "done")
        events = reader.hook_events("s1")
        assert [e["seq"] for e in events] == list(range(1000))
        assert events[0]["stack"] == ["a.B.c(B.java:1)"]
        assert reader.consent_events("s1")[0]["source"] == "manual"
    assert writer.errors == []


def test_a_bad_record_costs_only_itself(settings, writer):
    writer.submit(ev.SessionStarted("s1", "com.example", "lab", 10))
    writer.flush()
    # A hook event for a session that does not exist violates the foreign key.
    writer.submit_many([_hook("s1", 1, 1), _hook("missing-session", 2, 2), _hook("s1", 3, 3)])
    writer.flush()
    with StoreReader(settings.db_path) as reader:
        assert [e["seq"] for e in reader.hook_events("s1")] == [1, 3]
    assert len(writer.errors) == 1 and "HookEvent" in writer.errors[0]


def test_analysis_result_replaces_previous_findings(settings, writer):
    writer.submit(ev.SessionStarted("s1", "com.example", "lab", 10))
    finding = ev.Finding(
        "s1",
        "fp",
        "PRECONSENT_COLLECTION",
        "high",
        "t",
        "e",
        1,
        "device_id",
        "imei",
        None,
        None,
        None,
        [],
        {},
    )
    writer.submit(ev.AnalysisResult("s1", [], [finding, finding]))
    writer.submit(ev.AnalysisResult("s1", [], [finding]))
    writer.flush()
    with StoreReader(settings.db_path) as reader:
        assert len(reader.findings("s1")) == 1


def test_store_is_wal_and_versioned(settings, writer):
    writer.flush()
    con = sqlite3.connect(settings.db_path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("SELECT value FROM schema_meta WHERE key='version'").fetchone()[0] == str(
        store_engine.SCHEMA_VERSION
    )


def test_schema_upgrades_an_empty_database_and_refuses_a_newer_one(tmp_path):
    db = tmp_path / "old.sqlite3"
    sqlite3.connect(db).close()
    engine = create_engine(f"sqlite:///{db}")
    assert store_engine.upgrade(engine) == 0
    assert store_engine.upgrade(engine) == store_engine.SCHEMA_VERSION
    with engine.begin() as conn:
        conn.execute(text("UPDATE schema_meta SET value='999' WHERE key='version'"))
    with pytest.raises(store_engine.SchemaError, match="newer"):
        store_engine.upgrade(engine)


def test_reader_is_read_only_and_reports_unknown_sessions(settings, writer):
    writer.flush()
    with StoreReader(settings.db_path) as reader:
        with pytest.raises(SessionNotFound, match="nope"):
            reader.session("nope")
        with reader._engine.connect() as conn, pytest.raises(Exception, match="readonly"):
            conn.execute(text("DELETE FROM sessions"))


def test_closed_writer_refuses_records(settings):
    w = EventWriter(settings.db_path)
    w.close()
    with pytest.raises(RuntimeError):
        w.submit(ev.SessionStarted("s", "a", "lab", 1))


def test_a_version_1_store_upgrades_in_place_keeping_its_rows(settings, writer):
    writer.submit(ev.SessionStarted("s1", "com.example", "lab", 10))
    writer.submit(_hook("s1", 1, 100))
    writer.flush()
    writer.close()
    con = sqlite3.connect(settings.db_path)
    # a version 1 store: no hook_id column (v2), hence no index on it (v10), the session index instead
    con.execute("DROP INDEX ix_hook_events_session_hook")
    con.execute("CREATE INDEX ix_hook_events_session_id ON hook_events (session_id)")
    con.execute("ALTER TABLE hook_events DROP COLUMN hook_id")
    con.execute("ALTER TABLE hook_events DROP COLUMN signal")
    con.execute("DROP TABLE hook_tallies")  # v11
    con.execute("DROP INDEX ix_flows_session_ts")
    con.execute("CREATE INDEX ix_flows_session_id ON flows (session_id)")
    con.execute("UPDATE schema_meta SET value='1' WHERE key='version'")
    con.commit()
    con.close()
    upgraded = EventWriter(settings.db_path)
    upgraded.submit(
        ev.HookEvent("s1", 2, 1, 200, 200, "a.B.c", None, None, [], None, [], "main", "b.c", "click")
    )
    upgraded.flush()
    upgraded.close()
    con = sqlite3.connect(settings.db_path)
    indexes = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    con.close()
    assert "ix_hook_events_session_hook" in indexes and "ix_hook_events_session_id" not in indexes
    assert "ix_flows_session_ts" in indexes and "ix_flows_session_id" not in indexes
    with StoreReader(settings.db_path) as reader:
        rows = reader.hook_events("s1")
        # the event stored before the upgrade counted by the migration, the new one by the writer
        assert reader.counts("s1")["hook_events"] == 2
        assert {t["hook_id"]: t["events"] for t in reader.hook_tallies("s1")} == {"": 1, "b.c": 1}
    assert [(r["seq"], r["hook_id"], r["signal"]) for r in rows] == [(1, None, None), (2, "b.c", "click")]


def test_the_writer_tallies_each_sessions_hook_events_as_it_stores_them(settings, writer):
    """Counts, values the agent could not convert and the id range, per session and catalogue
    entry, equal to counting the rows, over batches and two sessions written at once."""
    writer.submit(ev.SessionStarted("a", "com.example", "lab", 10))
    writer.submit(ev.SessionStarted("b", "com.example", "lab", 10))
    bad = {"unconverted": "java.lang.Object", "error": "no converter"}
    for i in range(3000):
        sid = "a" if i % 3 else "b"
        writer.submit(
            ev.HookEvent(
                sid,
                i,
                1,
                i,
                i,
                "x.Y.z",
                None,
                None,
                [bad] if i % 10 == 0 else ["ok"],
                bad if i % 25 == 0 else None,
                [],
                "main",
                f"h{i % 4}" if i % 5 else None,
            )
        )
        if i % 1000 == 999:
            writer.flush()
    writer.flush()
    con = sqlite3.connect(settings.db_path)
    counted = {
        (sid, hook or ""): (n, bad_n, low, high)
        for sid, hook, n, bad_n, low, high in con.execute(
            "SELECT session_id, hook_id, count(*), sum(instr(args, 'unconverted') > 0 "
            "OR instr(ret, 'unconverted') > 0), min(id), max(id) FROM hook_events GROUP BY 1, 2"
        )
    }
    con.close()
    with StoreReader(settings.db_path) as reader:
        tallied = {
            (t["session_id"], t["hook_id"]): (t["events"], t["unconverted"], t["first_id"], t["last_id"])
            for sid in ("a", "b")
            for t in reader.hook_tallies(sid)
        }
        assert tallied == counted and sum(v[1] for v in tallied.values()) > 0
        assert reader.counts("a")["hook_events"] == 2000 and reader.counts("b")["hook_events"] == 1000


def _flow(sid, fid, body: bytes, response: bytes = b"") -> ev.FlowRecord:
    return ev.FlowRecord(
        fid,
        sid,
        1,
        2,
        "POST",
        "https",
        "h.example",
        443,
        "https://h.example/",
        "HTTP/1.1",
        [["content-type", "application/json"]],
        body,
        len(body),
        False,
        200,
        [],
        response,
        len(response),
    )


def test_bodies_are_stored_compressed_and_read_back_as_captured(settings, writer):
    big = b'{"event":"launch","imei":"861234567890123","pad":"' + b"x" * 20000 + b'"}'
    writer.submit(ev.SessionStarted("s1", "com.example", "lab", 10))
    writer.submit_many([_flow("s1", "big", big, b'{"ok":true}' * 50), _flow("s1", "small", b"a=1")])
    writer.flush()
    con = sqlite3.connect(settings.db_path)
    stored = dict(con.execute("SELECT id, length(request_body) FROM flows").fetchall())
    codecs = dict(con.execute("SELECT id, body_codec FROM flows").fetchall())
    con.close()
    assert stored["big"] < len(big) // 10 and codecs["big"] == "zstd"
    assert stored["small"] == 3 and codecs["small"] is None
    with StoreReader(settings.db_path) as reader:
        flows = {f["id"]: f for f in reader.flows("s1")}
    assert flows["big"]["request_body"] == big and flows["big"]["response_body"] == b'{"ok":true}' * 50
    assert flows["small"]["request_body"] == b"a=1" and "body_codec" not in flows["big"]


def test_websocket_messages_round_trip(settings, writer):
    writer.submit(ev.SessionStarted("s1", "com.example", "lab", 10))
    writer.submit(_flow("s1", "ws", b""))
    payload = ('{"did":"5f2c8e1b9a7d3c40","pad":"' + "y" * 500 + '"}').encode()
    writer.submit_many(
        [
            ev.WebSocketRecord("s1", "ws", 0, 5, True, True, payload, len(payload), False),
            ev.WebSocketRecord("s1", "ws", 1, 6, False, True, b"ack", 3, False),
        ]
    )
    writer.flush()
    with StoreReader(settings.db_path) as reader:
        rows = reader.websocket_messages("s1")
        assert [(m["index"], m["from_client"], m["content"]) for m in rows] == [
            (0, True, payload),
            (1, False, b"ack"),
        ]
        assert reader.counts("s1")["websocket_messages"] == 2


def test_a_version_3_store_upgrades_keeping_uncompressed_bodies(settings, writer):
    writer.submit(ev.SessionStarted("s1", "com.example", "lab", 10))
    writer.submit(_flow("s1", "old", b"x" * 1000))
    writer.flush()
    writer.close()
    con = sqlite3.connect(settings.db_path)
    con.execute(
        "UPDATE flows SET request_body = ?, body_codec = NULL", (b"y" * 1000,)
    )  # as version 3 stored it
    con.execute("ALTER TABLE flows DROP COLUMN body_codec")
    con.execute("ALTER TABLE pi_matches DROP COLUMN ts")
    con.execute("DROP TABLE websocket_messages")
    con.execute("DROP TABLE review_records")
    con.execute("UPDATE schema_meta SET value='3' WHERE key='version'")
    con.commit()
    con.close()
    with StoreReader(settings.db_path) as reader:
        assert reader.flows("s1")[0]["request_body"] == b"y" * 1000
        assert reader.websocket_messages("s1") == [] and reader.reviews("s1") == []


def test_events_stored_before_stack_hashes_are_still_attributed(settings, writer):
    from monitor.analysis.persist import analyze_and_store

    writer.submit(ev.SessionStarted("s1", "com.example", "lab", 10))
    umeng = [
        "android.telephony.TelephonyManager.getImei(Native Method)",
        "com.umeng.commonsdk.UMConfigure.init(U.java:1)",
    ]
    writer.submit(
        ev.HookEvent(
            "s1",
            1,
            1,
            100,
            100,
            "android.telephony.TelephonyManager.getImei",
            "device_id",
            "imei",
            [],
            "861234567890123",
            umeng,
            "main",
        )
    )
    writer.flush()
    con = sqlite3.connect(settings.db_path)
    con.execute("UPDATE hook_events SET stack_hash = NULL")  # as a version-3 store has them
    con.commit()
    con.close()
    analyze_and_store(settings, "s1", writer)
    with StoreReader(settings.db_path) as reader:
        found = [f for f in reader.findings("s1") if f["rule_id"] == "PRECONSENT_COLLECTION"]
    assert found and found[0]["sdk"] == "Umeng"


def test_flow_requests_by_row_range(settings, writer):
    writer.submit(ev.SessionStarted("s1", "com.example", "lab", 10))
    writer.submit(ev.SessionStarted("s2", "com.other", "lab", 10))
    writer.submit_many([_flow("s1" if i % 3 else "s2", f"f{i}", b"x" * (i * 300)) for i in range(9)])
    writer.flush()
    with StoreReader(settings.db_path) as reader:
        whole = reader.flows("s1")
        summaries = reader.flow_summaries("s1")
        assert [s["id"] for s in summaries] == [f["id"] for f in whole]
        heavy = {"request_headers", "request_body", "response_headers", "response_body"}
        assert all(not heavy & set(s) and {"id", "host", "url", "capture_path"} <= set(s) for s in summaries)
        first, last = reader.flow_rows("s1")
        request = ["id", "url", "request_headers", "request_body"]
        expected = sorted(({k: f[k] for k in request} for f in whole), key=lambda f: int(f["id"][1:]))
        assert (
            reader.requests_in("s1", first, last) == expected
        )  # the other session's rows in between are left out
        assert reader.requests_in("s1", first, first) == expected[:1]
        assert reader.flow_rows("nope") is None


def test_a_large_session_analysed_in_parallel_gives_the_serial_result(settings, writer):
    import hashlib

    from monitor.analysis.analyze import analyze_session

    imei = "861234567890123"
    writer.submit(ev.SessionStarted("s1", "com.example", "lab", 10))
    writer.submit_many([_hook("s1", i, 1_000 + i) for i in range(50)])
    flows, messages = [], []
    for i in range(2_400):
        value = [imei, hashlib.md5(imei.encode()).hexdigest(), "x", "13812345678"][i % 4]
        body = f'{{"n":{i},"v":"{value}"}}'.encode()
        flows.append(_flow("s1", f"f{i:05d}", body))
        if i % 100 == 0:
            messages.append(
                ev.WebSocketRecord("s1", f"f{i:05d}", 0, 2_000 + i, True, True, imei.encode(), 15, False)
            )
    writer.submit_many(flows + messages)
    writer.flush()
    with StoreReader(settings.db_path) as reader:
        serial = analyze_session(reader, "s1", workers=1)
        parallel = analyze_session(reader, "s1", workers=2)
    assert parallel.pi_matches == serial.pi_matches
    assert [f.fingerprint for f in parallel.findings] == [f.fingerprint for f in serial.findings]
    assert {m.location for m in serial.pi_matches} >= {
        "body › json:$.v › plain",
        "body › json:$.v › md5(hex)",
        "ws[0] › plain",
    }
    assert len([m for m in serial.pi_matches if m.encoding == "detected"]) == 600


def test_returned_values_gives_the_first_read_of_each_distinct_value(settings, writer):
    writer.submit(ev.SessionStarted("s1", "com.example", "lab", 10))
    reads = [
        ("imei", "861234567890123", 50),
        ("imei", "861234567890123", 40),
        ("imei", "869999999999999", 60),
        (None, "861234567890123", 70),
        (None, "861234567890123", 80),
        ("imei", None, 30),
    ]
    for seq, (pi_type, ret, ts) in enumerate(reads):
        writer.submit(
            ev.HookEvent(
                "s1",
                seq,
                1,
                ts,
                ts,
                "android.telephony.TelephonyManager.getImei",
                "device_id",
                pi_type,
                [],
                ret,
                [],
                "main",
            )
        )
    writer.submit(
        ev.HookEvent(
            "s1",
            9,
            1,
            5,
            5,
            "android.app.Activity.onResume",
            None,
            None,
            [],
            None,
            [],
            "main",
            "android.app.Activity.onResume",
            "lifecycle",
        )
    )
    writer.flush()
    with StoreReader(settings.db_path) as reader:
        values = [(r[1], r[3], r[4]) for r in reader.returned_values("s1")]
        assert values == [
            (30, "imei", "null"),
            (50, "imei", '"861234567890123"'),
            (60, "imei", '"869999999999999"'),
            (70, None, '"861234567890123"'),
        ]
        assert reader.returned_values("s1") == reader.returned_values("s1")  # repeatable on one connection
