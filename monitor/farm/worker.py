"""`privmon worker`: a Celery worker per phone of this host.

One phone, one worker process with Celery's solo pool and a prefetch of one: it takes a job only
when the last one ended, so a phone never runs two. With several phones, `privmon worker` starts
one such process per phone and ends them together."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from .dispatch import CONTEXT, celery_app
from .jobs import interrupt_leftovers
from .queues import queues_of, this_host


class WorkerError(RuntimeError):
    """The worker cannot start: the message says why."""


def _reachable(app, broker: str) -> None:
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=2, interval_start=0.5, interval_step=0.5)
    except Exception as exc:  # noqa: BLE001 — kombu raises many kinds; the reason is what matters
        raise WorkerError(f"the broker at {broker} cannot be reached: {str(exc).splitlines()[0]}") from exc


def serve_phone(data_dir: Path, broker: str, serial: str, host: str | None = None) -> None:
    """Serves one phone's queues until the process is told to stop (SIGTERM or Ctrl-C)."""
    app = celery_app(broker)
    _reachable(app, broker)
    host = host or this_host()
    db_path = data_dir / "privmon.sqlite3"
    for job_id in interrupt_leftovers(db_path, serial):
        print(f"job {job_id}: its worker stopped before it ended: marked interrupted", file=sys.stderr)
    name = f"privmon-{serial}@{host}"
    CONTEXT.update(data_dir=str(data_dir), serial=serial, host=host, name=name)
    queues = queues_of(serial, host)
    print(f"worker {name}: serving {', '.join(queues)} (broker {broker})", file=sys.stderr, flush=True)
    app.worker_main(
        [
            "worker",
            "--queues",
            ",".join(queues),
            "--pool",
            "solo",
            "--concurrency",
            "1",
            "--prefetch-multiplier",
            "1",
            "--hostname",
            name,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "WARNING",
        ]
    )


def serve_phones(base_command: list[str], serials: list[str]) -> int:
    """One `privmon worker --device S` per phone; returns when they have all ended (the first
    non-zero exit code, else 0). SIGTERM or Ctrl-C ends them all."""
    children = [subprocess.Popen([*base_command, "--device", serial]) for serial in serials]

    def stop(_signum, _frame) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while any(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        stop(None, None)
        for child in children:
            child.wait(timeout=60)
    codes = [child.returncode for child in children]
    return next((code for code in codes if code), 0)
