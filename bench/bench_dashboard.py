"""Dashboard latency on a session of 100 k hook events and 10 k flows, analysed: the real app
served by uvicorn in its own process (pinned to its own core), requests from this one (on the
other), against the floor of the same SQL run bare (the statements the page ran, captured once and
replayed on a plain sqlite3 connection), in pairs (bench/harness.py). Each pair is a batch of
requests: B is the batch's p95, A the median of as many bare replays. Targets: the median p95 of
the session page and of the session API under 300 ms; the page / bare-SQL ratio is reported.

`--report` also times the evidence export of that session (every file, report.html and the PDF
printed by Chromium) and the PDF alone; target: report.pdf in under 60 s.

    .venv/bin/python bench/bench_dashboard.py [--events 100000] [--batch 10] [--pairs 10] [--report]
        [--record]
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
import httpx  # noqa: E402
from bench_analysis import write_session  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from dashboard.app import create_app  # noqa: E402
from monitor.analysis.analyze import analyze_session  # noqa: E402
from monitor.storage.queries import StoreReader  # noqa: E402
from monitor.storage.writer import EventWriter  # noqa: E402

TOKEN = "bench-token"
PAGES = (
    ("session page", "/sessions/s"),
    ("session API", "/api/sessions/s"),
    ("events page 50", "/sessions/s/events?page=50"),
    ("flows API page 20", "/api/sessions/s/flows?page=20"),
)
TARGET_MS = {"session page": 300.0, "session API": 300.0}
SERVER = (
    "import sys, uvicorn; from pathlib import Path; from dashboard.app import create_app; "
    "uvicorn.run(create_app(Path(sys.argv[1]), sys.argv[2]), host='127.0.0.1', port=int(sys.argv[3]), "
    "log_level='warning')"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def captured_sql(db: Path, path: str) -> list[tuple[str, object]]:
    """The SQL statements the app runs for one request of `path`: every one its SQLite connections
    ran (sqlite3's trace callback, values in place), the ORM's and those on raw connections."""
    statements: list[tuple[str, object]] = []
    recording = False

    def trace(sql: str) -> None:
        if recording and sql.split(None, 1)[0].upper() in ("SELECT", "WITH"):
            statements.append((sql, None))

    def traced(dbapi_connection, _record) -> None:
        dbapi_connection.set_trace_callback(trace)

    event.listen(Engine, "connect", traced)
    try:
        client = TestClient(create_app(db, TOKEN), base_url="http://127.0.0.1")
        client.get(path, headers={"Authorization": f"Bearer {TOKEN}"}).raise_for_status()  # caches warm
        recording = True
        client.get(path, headers={"Authorization": f"Bearer {TOKEN}"}).raise_for_status()
    finally:
        recording = False
        event.remove(Engine, "connect", traced)
    return statements


def replay(db: Path, statements: list[tuple[str, object]]) -> float:
    start = time.perf_counter()
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        for statement, parameters in statements:
            con.execute(statement, parameters or ()).fetchall()
    finally:
        con.close()
    return (time.perf_counter() - start) * 1000


def _time_export(db: Path, tmp: Path) -> list:
    """The whole bundle of the session, then its report.pdf alone (Chromium printing report.html)."""
    from monitor.evidence.bundle import export_bundle
    from monitor.evidence.pdf import html_to_pdf

    load = harness.load()
    cpu = harness.cpu_in_use()
    t = time.perf_counter()
    with StoreReader(db) as reader:
        export_bundle(reader, "s", tmp / "bundle.zip")
    whole = time.perf_counter() - t
    with zipfile.ZipFile(tmp / "bundle.zip") as zf:
        html, printed = zf.read("report.html"), zf.read("report.pdf")
    pages = printed.count(b"/Type /Page") - printed.count(b"/Type /Pages")
    t = time.perf_counter()
    pdf, problem = html_to_pdf(html)
    printing = time.perf_counter() - t
    if pdf is None:
        raise SystemExit(f"report.pdf not printed: {problem}")
    print(f"export: the whole bundle {whole:.1f} s; report.pdf ({pages} pages) printed in {printing:.1f} s")
    results = []
    for name, seconds, target in (("export bundle", whole, None), ("export report.pdf", printing, 60.0)):
        comparison = harness.Comparison(name, "seconds", lambda a, b: b, target, at_least=False, unit="s")
        results.append(
            harness.Result(
                comparison, ratios=[seconds], load_start=load, load_end=harness.load(), cpu_at_start=cpu
            )
        )
        print(results[-1].line())
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=10, help="requests per pair (default 10)")
    parser.add_argument("--report", action="store_true", help="time the evidence export and report.pdf too")
    harness.add_arguments(parser)
    args = parser.parse_args()
    client_cores, server_cores = harness.split_cores()
    harness.pin(0, client_cores)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite3"
        with EventWriter(db) as writer:
            write_session(writer, "s", args.events, random.Random(7))
            with StoreReader(db) as reader:
                writer.submit(analyze_session(reader, "s"))
            writer.flush()
        port = _free_port()
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(db), TOKEN, str(port)],
            env=env,
            preexec_fn=lambda: harness.pin(0, server_cores),
        )
        print(
            f"{args.events:,} hook events, {args.events // 10:,} flows; server on cores {server_cores}, "
            f"client on {client_cores}; {args.batch} requests per pair"
        )
        recorded = []
        try:
            with httpx.Client(
                base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60
            ) as client:
                deadline = time.monotonic() + 60
                while True:
                    try:
                        client.get("/api/sessions").raise_for_status()
                        break
                    except httpx.TransportError:
                        if time.monotonic() > deadline:
                            raise SystemExit("the dashboard server did not start") from None
                        time.sleep(0.2)
                for label, path in PAGES:
                    statements = captured_sql(db, path)

                    def page(path=path) -> float:
                        samples = []
                        for _ in range(args.batch):
                            t = time.perf_counter()
                            client.get(path).raise_for_status()
                            samples.append((time.perf_counter() - t) * 1000)
                        return _p95(samples)

                    def bare(statements=statements) -> float:
                        return statistics.median(replay(db, statements) for _ in range(args.batch))

                    print(f"-- {label} ({path}): {len(statements)} SQL statements")
                    comparison = harness.Comparison(
                        f"dashboard {label}", "p95 / bare SQL", lambda a, b: b / a, None, unit="ms"
                    )
                    result = harness.run_pairs(comparison, bare, page, args)
                    recorded.append(result)
                    if label in TARGET_MS:
                        p95 = harness.Comparison(
                            f"dashboard {label}", "p95 ms", lambda a, b: b, TARGET_MS[label], at_least=False
                        )
                        recorded.append(harness.derived(p95, result, lambda a, b: b))
        finally:
            server.terminate()
            server.wait(30)
        if args.report:
            recorded += _time_export(db, Path(tmp))
    if args.record:
        harness.record(recorded)


if __name__ == "__main__":
    main()
