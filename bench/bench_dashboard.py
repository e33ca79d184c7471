"""Dashboard latency: p50/p95 of the session page and of the session API (findings included) on a
session of 100 k hook events and 10 k flows, analysed, served by the real app over HTTP (uvicorn on
loopback, httpx client). Target: p95 under 300 ms.

    .venv/bin/python bench/bench_dashboard.py [--events 100000] [--requests 40]
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx  # noqa: E402
import uvicorn  # noqa: E402
from bench_analysis import write_session  # noqa: E402

from dashboard.app import create_app  # noqa: E402
from monitor.analysis.analyze import analyze_session  # noqa: E402
from monitor.storage.queries import StoreReader  # noqa: E402
from monitor.storage.writer import EventWriter  # noqa: E402

TOKEN = "bench-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite3"
        with EventWriter(db) as writer:
            write_session(writer, "s", args.events, random.Random(7))
            with StoreReader(db) as reader:
                writer.submit(analyze_session(reader, "s"))
            writer.flush()
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(create_app(db, TOKEN), host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        auth = {"Authorization": f"Bearer {TOKEN}"}
        results = {}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=auth, timeout=60) as client:
            for label, path in (
                ("session page", "/sessions/s"),
                ("session API", "/api/sessions/s"),
                ("events page 50", "/sessions/s/events?page=50"),
                ("flows API page 20", "/api/sessions/s/flows?page=20"),
            ):
                client.get(path).raise_for_status()  # warm-up
                samples = []
                for _ in range(args.requests):
                    t = time.perf_counter()
                    client.get(path).raise_for_status()
                    samples.append((time.perf_counter() - t) * 1000)
                results[label] = _percentiles(samples)
        server.should_exit = True
        thread.join(10)
    print(f"{args.events:,} hook events, {args.events // 10:,} flows; {args.requests} requests each")
    for label, (p50, p95) in results.items():
        verdict = "met" if p95 < 300 else "missed"
        print(f"{label:<18} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   (target p95 < 300 ms: {verdict})")


if __name__ == "__main__":
    main()
