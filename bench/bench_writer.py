"""Writer throughput: EventWriter's sustained insert rate against raw sqlite3 executemany of the
same rows into the same schema, side by side in one run. Target: ratio >= 0.5.

    .venv/bin/python bench/bench_writer.py [--rows N] [--repeat K]
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
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    events = make_events(args.rows)
    writer_times, raw_times = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.repeat):  # interleaved, so machine noise hits both sides alike
            raw_times.append(run_raw(Path(tmp) / f"raw{k}.sqlite3", events))
            writer_times.append(run_writer(Path(tmp) / f"writer{k}.sqlite3", events))
    w, r = statistics.median(writer_times), statistics.median(raw_times)
    print(f"rows per run:            {args.rows}")
    print(f"EventWriter:             {args.rows / w:,.0f} rows/s (median of {args.repeat})")
    print(f"raw sqlite3 executemany: {args.rows / r:,.0f} rows/s (median of {args.repeat})")
    print(f"ratio writer/raw:        {r / w:.2f}  (target >= 0.5)")


if __name__ == "__main__":
    main()
