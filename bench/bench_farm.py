"""The farm against one phone: nine lab runs (the demo app on a simulated phone) queued with
`privmon submit` and taken by one `privmon worker` (A), then by three, each with its own simulated
phone (B), on the same machine, in pairs (bench/harness.py). A real redis-server on loopback is the
broker; the store is one SQLite file per side. Prints A's time / B's time (target ≥ 2: the runs
are mostly the app's own waits, so three phones should take the nine in well under half the time).

    .venv/bin/python bench/bench_farm.py [--pairs 2] [--runs 9] [--record]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
PRIVMON = [sys.executable, "-m", "monitor.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(path: Path, pattern: str, proc: subprocess.Popen, timeout: float = 60) -> re.Match:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(pattern, path.read_text(errors="replace")) if path.exists() else None
        if found:
            return found
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    raise SystemExit(f"bench_farm: {pattern!r} never appeared in {path}:\n{path.read_text(errors='replace')}")


@contextmanager
def _process(command: list[str], log: Path, env: dict):
    with open(log, "w") as out:
        proc = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(120)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(30)


def _nine(home: Path, broker: str, serials: list[str], runs: int, folder: Path) -> float:
    """Starts a worker per phone, queues the runs, and times them until none is queued or running."""
    env = {**os.environ, "PRIVMON_HOME": str(home), "PRIVMON_BROKER": broker}
    with ExitStack() as stack:
        for serial in serials:
            log = folder / f"worker-{serial.replace(':', '_')}.log"
            worker = stack.enter_context(_process([*PRIVMON, "worker", "--device", serial], log, env))
            _wait_for(log, r"serving phone\.", worker)
        started = time.perf_counter()
        subprocess.run(
            [*PRIVMON, "submit", "run", "com.labapp.shop", "--count", str(runs)],
            cwd=REPO,
            env=env,
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [*PRIVMON, "jobs", "--wait", "--wait-timeout", "3600"],
            cwd=REPO,
            env=env,
            check=True,
            capture_output=True,
        )
        seconds = time.perf_counter() - started
    jobs = json.loads(
        subprocess.run(
            [*PRIVMON, "jobs", "--json"], cwd=REPO, env=env, check=True, capture_output=True, text=True
        ).stdout
    )
    failed = [j for j in jobs if j["state"] != "completed"]
    if failed:
        raise SystemExit(f"bench_farm: {len(failed)} job(s) did not complete: {[j['error'] for j in failed]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs queued per measurement (default 9)")
    harness.add_arguments(parser, pairs=2)
    parser.set_defaults(warmup=0)
    args = parser.parse_args()
    server = shutil.which("redis-server")
    if server is None:
        raise SystemExit("bench_farm: redis-server is missing (Debian package redis-server; make setup)")
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        folder = Path(tmp)
        port = _free_port()
        redis = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        stack.enter_context(_process(redis, folder / "redis.log", dict(os.environ)))
        broker = f"redis://127.0.0.1:{port}/0"
        serials = []
        for i in range(3):
            log = folder / f"phone-{i}.log"
            phone = stack.enter_context(
                _process(
                    [*PRIVMON, "lab", "phone"], log, {**os.environ, "PRIVMON_HOME": str(folder / "phones")}
                )
            )
            serials.append(_wait_for(log, r"simulated phone (\S+)", phone).group(1))
        print(f"broker {broker}; simulated phones {', '.join(serials)}", flush=True)
        comparison = harness.Comparison(
            f"farm: {args.runs} lab runs",
            "one worker's time / three workers' time",
            lambda a, b: a / b,
            2.0,
            unit="s",
        )
        result = harness.run_pairs(
            comparison,
            lambda: _nine(folder / "one", broker, serials[:1], args.runs, folder),
            lambda: _nine(folder / "three", broker, serials, args.runs, folder),
            args,
        )
    if args.record:
        harness.record([result])


if __name__ == "__main__":
    main()
