"""Farm jobs: queued by `privmon submit`, run by a worker on its phone, listed by `privmon jobs`.

A job's row in the store is its truth: the broker only carries the message. A worker does the job
as the privmon command it is (`run`, `batch`, `analyze`, `export`: what a tester types, so a job's
session is what a local run makes) in a child process, copies the child's progress into the row and
beats a heartbeat; a running job
whose heartbeat stopped is `interrupted` (its worker died: what the run wrote is kept, nothing is
counted done; the phone's journal lets the next job on it restore the phone first)."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from .. import events as ev
from ..timeutil import now_us

HEARTBEAT_S = 2.0
STALE_AFTER_S = 20.0  # a running job whose heartbeat is older than this lost its worker
RUN_OPTIONS = ("scenario", "driver", "timeout", "apk", "lab_prop")
BATCH_OPTIONS = ("scenario", "driver", "run_timeout", "lab_prop")


class JobError(RuntimeError):
    """A job that cannot be queued (bad arguments, no broker): the message says why."""


def new_job_id() -> str:
    return time.strftime("j%Y%m%d-%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)


def submit(
    db_path: Path, broker: str, kind: str, args: dict, queue: str, submitted_by: str, count: int = 1
) -> list[str]:
    """Stores each job as queued, then hands its message to the broker (a job the broker refused is
    marked failed with the reason, never left queued)."""
    from ..storage.writer import EventWriter
    from .dispatch import TASK, celery_app

    app = celery_app(broker)
    ids: list[str] = []
    with EventWriter(db_path) as writer:
        for _ in range(count):
            job_id = new_job_id()
            writer.submit(ev.JobSubmitted(job_id, kind, queue, args, now_us(), submitted_by))
            writer.flush()
            try:
                app.send_task(TASK, kwargs={"job_id": job_id, "kind": kind, "args": args}, queue=queue)
            except Exception as exc:  # noqa: BLE001 — kombu raises many kinds; the reason is what matters
                reason = f"the broker at {broker} did not take the job: {str(exc).splitlines()[0]}"
                values = {"state": ev.JOB_FAILED, "ended_at": now_us(), "error": reason}
                writer.submit(ev.JobUpdate(job_id, values))
                writer.flush()
                raise JobError(reason) from exc
            ids.append(job_id)
    return ids


def reap_stale(db_path: Path, now: int | None = None) -> list[str]:
    """Marks running jobs whose worker stopped beating as interrupted; returns their ids."""
    before = (now or now_us()) - int(STALE_AFTER_S * 1e6)
    return _interrupt(
        db_path,
        lambda job: (job["heartbeat_at"] or job["started_at"] or 0) < before,
        lambda job: f"its worker {job['worker']} stopped (killed?)",
    )


def interrupt_leftovers(db_path: Path, serial: str) -> list[str]:
    """A worker starting on a phone: the jobs still marked running on it lost their worker."""
    return _interrupt(
        db_path,
        lambda job: job["serial"] == serial,
        lambda _job: "its worker stopped before the job ended (killed?)",
    )


def _interrupt(db_path: Path, lost, why) -> list[str]:
    """Marks the running jobs `lost(job)` says lost their worker as interrupted, with `why(job)`."""
    from ..storage.queries import StoreReader
    from ..storage.writer import EventWriter

    with StoreReader(db_path) as reader:
        jobs = [job for job in reader.jobs(states=(ev.JOB_RUNNING,)) if lost(job)]
    if jobs:
        with EventWriter(db_path) as writer:
            for job in jobs:
                values = {"state": ev.JOB_INTERRUPTED, "ended_at": now_us(), "error": why(job)}
                writer.submit(ev.JobUpdate(job["id"], values, expect=(ev.JOB_RUNNING,)))
            writer.flush()
    return [job["id"] for job in jobs]


def _options(args: dict, names: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for name in names:
        value = args.get(name)
        if value is None or value is False:
            continue
        flag = "--" + name.replace("_", "-")
        for one in value if isinstance(value, list) else [value]:
            out += [flag] if one is True else [flag, str(one)]
    return out


def job_command(kind: str, args: dict, data_dir: Path, serial: str, folder: Path) -> list[str]:
    """The privmon command a job is: the same a tester would type on the worker's host."""
    command = [sys.executable, "-m", "monitor.cli", "--data-dir", str(data_dir)]
    if kind == "run":
        command += ["run", args["package"], "--device", serial, "--no-keys", "--json"]
        return command + _options(args, RUN_OPTIONS)
    if kind == "batch":
        command += ["batch", *args["targets"], "--device", serial, "--out", str(folder / "batch")]
        return command + _options(args, BATCH_OPTIONS)
    if kind == "analyze":
        return command + ["analyze", args["session"]]
    if kind == "export":
        bundle = folder / f"privmon-{args['session']}{'-redacted' if args.get('redact') else ''}.zip"
        return command + ["export", args["session"], "-o", str(bundle)] + _options(args, ("redact",))
    raise JobError(f"no such kind of job: {kind!r}")


def _result(kind: str, folder: Path) -> dict | None:
    """What a finished job made, for `privmon jobs`: a run's session and findings, a batch's runs,
    an export's bundle."""
    if kind == "run":
        return _summary((folder / "stdout.txt").read_text(encoding="utf-8", errors="replace"))
    if kind == "batch":
        try:
            rows = json.loads((folder / "batch" / "summary.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return {
            "runs": [
                {k: row.get(k) for k in ("app", "scenario", "status", "session", "findings")} for row in rows
            ]
        }
    if kind == "export":
        bundles = sorted(folder.glob("privmon-*.zip"))
        return {"bundle": str(bundles[0])} if bundles else None
    return None


def execute(context: dict, job_id: str, kind: str, args: dict) -> None:
    """Runs a job on this worker's phone (in the worker's process: one job at a time)."""
    from ..storage.writer import EventWriter

    db_path, serial = Path(context["data_dir"]) / "privmon.sqlite3", context["serial"]
    with EventWriter(db_path) as writer:
        started = {
            "state": ev.JOB_RUNNING,
            "started_at": now_us(),
            "heartbeat_at": now_us(),
            "worker": context["name"],
            "host": context["host"],
            "serial": serial,
        }
        writer.submit(ev.JobUpdate(job_id, started, expect=(ev.JOB_QUEUED,)))
        writer.flush()
        if not _taken(db_path, job_id, context["name"]):
            return  # no longer queued (a message delivered twice): someone else has it, or had it
        folder = Path(context["data_dir"]) / "jobs" / job_id
        try:
            command = job_command(kind, args, Path(context["data_dir"]), serial, folder)
        except (JobError, KeyError, TypeError) as exc:
            writer.submit(_ended(job_id, ev.JOB_FAILED, error=f"a job this worker cannot run: {exc}"))
            return
        writer.submit(_run(writer, job_id, command, folder, kind, args.get("session")))
        writer.flush()


def _taken(db_path: Path, job_id: str, worker: str) -> bool:
    from ..storage.queries import StoreReader

    with StoreReader(db_path) as reader:
        job = reader.job(job_id)
    return job is not None and job["state"] == ev.JOB_RUNNING and job["worker"] == worker


def _ended(job_id: str, state: str, **values) -> ev.JobUpdate:
    return ev.JobUpdate(job_id, {"state": state, "ended_at": now_us(), **values}, expect=(ev.JOB_RUNNING,))


def _die_with_parent() -> None:
    """The run ends (as on Ctrl-C: it restores the phone) when its worker dies."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _run(
    writer, job_id: str, command: list[str], folder: Path, kind: str, session: str | None
) -> ev.JobUpdate:
    """The command writes to files in the job's folder, not to pipes: when its worker dies a run
    must still be able to say what it does while it ends and restores the phone."""
    folder.mkdir(parents=True, exist_ok=True)
    out_path, err_path = folder / "stdout.txt", folder / "stderr.txt"
    with open(out_path, "wb") as stdout, open(err_path, "wb") as stderr:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
    shown, beaten = None, time.monotonic()
    while proc.poll() is None:
        time.sleep(0.25)
        line = _last_line(err_path)
        fresh = line if line and line != shown else None
        if fresh is None and time.monotonic() - beaten < HEARTBEAT_S:
            continue
        beat = {"heartbeat_at": now_us(), **({"progress": fresh} if fresh else {})}
        shown, beaten = fresh or shown, time.monotonic()
        writer.submit(ev.JobUpdate(job_id, beat, expect=(ev.JOB_RUNNING,)))
    result = _result(kind, folder)
    last = _last_line(err_path)
    values = {
        "exit_code": proc.returncode,
        "session_id": (result or {}).get("session") or session,
        "result": result,
        "progress": last,
    }
    if proc.returncode == 0:
        return _ended(job_id, ev.JOB_COMPLETED, **values)
    return _ended(job_id, ev.JOB_FAILED, error=last or f"privmon {kind} exited {proc.returncode}", **values)


def _last_line(path: Path) -> str | None:
    """The last non-empty line of a log (its last 4 KB), cut to 500 characters."""
    try:
        with open(path, "rb") as f:
            f.seek(max(0, f.seek(0, 2) - 4096))
            lines = [x.strip() for x in f.read().decode("utf-8", "replace").splitlines() if x.strip()]
    except OSError:
        return None
    return lines[-1][:500] if lines else None


def _summary(stdout: str) -> dict | None:
    """The run's JSON, kept short: its session, status, counts and the findings' rule ids."""
    try:
        data = json.loads(stdout)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    findings = data.get("findings") or []
    return {
        "session": data.get("session"),
        "status": data.get("status"),
        "reason": data.get("reason"),
        "counts": data.get("counts"),
        "findings": sorted(f.get("rule_id", "") for f in findings if isinstance(f, dict)),
    }
