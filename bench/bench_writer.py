"""Writer throughput: EventWriter's sustained insert rate against the floor, raw sqlite3
executemany of the same rows into the same schema, measured in pairs (bench/harness.py).
Target: median ratio (writer rate / raw rate) >= 0.5.

    .venv/bin/python bench/bench_writer.py [--rows N] [--pairs 10] [--record]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

from monitor import events as ev  # noqa: E402
from monitor.storage.engine import open_write_engine  # noqa: E402
from monitor.storage.writer import BATCH_MAX, EventWriter, stack_hash  # noqa: E402

STACK = [
    "android.telephony.TelephonyManager.getDeviceId(Native Method)",
    "com.umeng.commonsdk.internal.utils.DeviceInfo.imei(DeviceInfo.java:88)",
    "com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:17)",
    "com.labapp.shop.App.onCreate(App.java:21)",
    "android.app.Instrumentation.callApplicationOnCreate(Instrumentation.java:1277)",
    "android.app.ActivityThread.handleBindApplication(ActivityThread.java:6759)",
]


def make_events(n: int) -> list[ev.HookEvent]:
    return [
        ev.HookEvent(
            "bench",
            i,
            1234,
            1_800_000_000_000_000 + i,
            1_800_000_000_000_000 + i,
            "android.telephony.TelephonyManager.getDeviceId",
            "device_id",
            "imei",
            [i % 2],
            "864273052471596",
            STACK,
            "main",
        )
        for i in range(n)
    ]


def run_writer(db: Path, events: list[ev.HookEvent]) -> float:
    writer = EventWriter(db)
    writer.submit(ev.SessionStarted("bench", "app", "lab", 0))
    writer.flush()
    start = time.perf_counter()
    for e in events:
        writer.submit(e)
    writer.flush(timeout=None)
    elapsed = time.perf_counter() - start
    writer.close()
    assert not writer.errors, writer.errors
    return elapsed


def run_raw(db: Path, events: list[ev.HookEvent]) -> float:
    open_write_engine(db).dispose()  # the same schema
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute(
        "INSERT INTO sessions (id, app, target, status, started_at, meta) VALUES "
        "('bench','app','lab','running',0,'{}')"
    )
    con.commit()
    sql = (
        "INSERT INTO hook_events (session_id, seq, pid, device_ts, ts, api, pi_category, pi_type, args, ret, "
        "stack, thread,"
        " hook_id, signal, stack_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    )
    start = time.perf_counter()
    for i in range(0, len(events), BATCH_MAX):
        rows = []
        for e in events[i : i + BATCH_MAX]:
            stack = json.dumps(
                e.stack, ensure_ascii=False
            )  # the same row: the stack's digest is stored with it
            rows.append(
                (
                    e.session_id,
                    e.seq,
                    e.pid,
                    e.device_ts,
                    e.ts,
                    e.api,
                    e.pi_category,
                    e.pi_type,
                    json.dumps(e.args),
                    json.dumps(e.ret),
                    stack,
                    e.thread,
                    e.hook_id,
                    e.signal,
                    stack_hash(stack),
                )
            )
        con.executemany(sql, rows)
        con.commit()
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    harness.add_arguments(parser)
    args = parser.parse_args()
    events = make_events(args.rows)
    comparison = harness.Comparison(
        "writer", "EventWriter rate / raw sqlite3 rate", lambda raw, w: raw / w, 0.5, unit="s"
    )
    with tempfile.TemporaryDirectory() as tmp:
        runs = iter(range(10**6))
        result = harness.run_pairs(
            comparison,
            lambda: run_raw(Path(tmp) / f"raw{next(runs)}.sqlite3", events),
            lambda: run_writer(Path(tmp) / f"writer{next(runs)}.sqlite3", events),
            args,
        )
    print(
        f"rows per run: {args.rows:,}; EventWriter {args.rows / statistics.median(result.b):,.0f} rows/s, "
        f"raw sqlite3 {args.rows / statistics.median(result.a):,.0f} rows/s (medians)"
    )
    if args.record:
        harness.record([result])


if __name__ == "__main__":
    main()
