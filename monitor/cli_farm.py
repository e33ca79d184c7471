"""The farm's commands: `privmon worker`, `privmon submit`, `privmon jobs` (docs/farm.md)."""

from __future__ import annotations

import getpass
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from . import events as ev
from .cli_base import CliError, _reader, _settings, app, err, out
from .exitcodes import ExitCode
from .language import tr

DEFAULT_BROKER = "redis://127.0.0.1:6379/0"


def broker_option():
    return typer.Option(
        DEFAULT_BROKER,
        "--broker",
        envvar="PRIVMON_BROKER",
        help="The Celery broker's URL (Redis), shared by the workers and whoever submits.",
    )


def _check_broker(broker: str) -> None:
    if not broker.startswith(("redis://", "rediss://")):
        raise CliError(f"--broker must be a redis:// or rediss:// URL, not {broker!r}")


@app.command()
def worker(
    ctx: typer.Context,
    devices: list[str] = typer.Option(
        None, "--device", "-s", help="A phone this worker serves (repeatable; default: every phone adb sees)."
    ),
    broker: str = broker_option(),
    host: Optional[str] = typer.Option(
        None, help="The host name its queue is named after (default: this host's)."
    ),
) -> None:
    """Serve this host's phones: take the runs queued for a phone, for this host or for any phone,
    one job per phone at a time (a Celery worker per phone; Ctrl-C or SIGTERM ends them)."""
    from .farm.worker import WorkerError, serve_phone, serve_phones

    _check_broker(broker)
    settings = _settings(ctx)
    serials = list(dict.fromkeys(devices or _phones()))
    if not serials:
        raise CliError(
            tr(
                "no phone to serve: adb sees none (or give --device)",
                "没有可服务的手机：adb 未看到设备（或用 --device 指定）",
            ),
            ExitCode.NOT_FOUND,
        )
    if len(serials) == 1:
        try:
            serve_phone(settings.home, broker, serials[0], host)
        except WorkerError as exc:
            raise CliError(str(exc), ExitCode.SETUP) from exc
        except KeyboardInterrupt:
            pass
        return
    base = [
        sys.executable,
        "-m",
        "monitor.cli",
        "--data-dir",
        str(settings.home),
        "worker",
        "--broker",
        broker,
    ]
    base += ["--host", host] if host else []
    raise typer.Exit(serve_phones(base, serials))


def _phones() -> list[str]:
    from .device.adb import DeviceError, adb_client, adb_devices

    try:
        return [serial for serial, state in adb_devices(adb_client()).items() if state == "device"]
    except DeviceError as exc:
        raise CliError(str(exc), ExitCode.SETUP) from exc


submit_app = typer.Typer(
    help="Queue a job for the farm's workers: a run or a batch on a phone, an analysis or an export.",
    no_args_is_help=True,
)
app.add_typer(submit_app, name="submit")


def _phone_option():
    return typer.Option(None, "--phone", help="On this phone (its serial).")


def _host_option():
    return typer.Option(None, "--host", help="On any phone of this host.")


def _json_option():
    return typer.Option(False, "--json", help="Print the jobs' ids as JSON.")


def _queue(
    ctx: typer.Context, kind: str, args: dict, phone, host, broker: str, count: int, as_json: bool
) -> None:
    """Stores and queues `count` jobs for a phone, a host, or any free phone (default)."""
    from .farm.jobs import JobError
    from .farm.jobs import submit as queue_job
    from .farm.queues import ANY, host_queue, phone_queue

    _check_broker(broker)
    if phone and host:
        raise CliError(tr("give --phone or --host, not both", "--phone 与 --host 只能给一个"))
    queue = phone_queue(phone) if phone else host_queue(host) if host else ANY
    settings = _settings(ctx)
    try:
        ids = queue_job(settings.db_path, broker, kind, args, queue, getpass.getuser(), count)
    except JobError as exc:
        raise CliError(str(exc), ExitCode.SETUP) from exc
    if as_json:
        print(json.dumps({"jobs": ids, "queue": queue}))
        return
    for job_id in ids:
        out.print(
            tr(f"job {job_id} ({kind}) queued for {queue}", f"任务 {job_id}（{kind}）已排队：{queue}"),
            markup=False,
        )


def _apk(path: Optional[Path]) -> str | None:
    if path is None:
        return None
    if not path.is_file():
        raise CliError(tr(f"{path}: no such APK file", f"{path}：没有这个 APK 文件"), ExitCode.NOT_FOUND)
    return str(path.resolve())


@submit_app.command("run")
def submit_run(
    ctx: typer.Context,
    package: str = typer.Argument(..., help="The app's package name."),
    phone: Optional[str] = _phone_option(),
    host: Optional[str] = _host_option(),
    scenario: str = typer.Option("agree", help="The scenario (see `privmon run --help`)."),
    driver: Optional[str] = typer.Option(None, help="Who performs the scenario: privmon or tester."),
    apk: Optional[Path] = typer.Option(
        None, "--apk", help="Install this APK first (a path the worker's host can read)."
    ),
    timeout: Optional[float] = typer.Option(None, help="Seconds before the run ends by itself."),
    lab_props: list[str] = typer.Option(
        [],
        "--lab-prop",
        help="The lab's simulated phone only: KEY=VALUE for the lab app (see `privmon run`).",
    ),
    count: int = typer.Option(1, "--count", min=1, max=1000, help="Queue this many runs of it."),
    broker: str = broker_option(),
    as_json: bool = _json_option(),
) -> None:
    """Queue a run (`privmon run` on the phone that takes it); `privmon jobs` follows it."""
    args = {"package": package, "scenario": scenario, "driver": driver, "timeout": timeout}
    args |= {"apk": _apk(apk), "lab_prop": list(lab_props) or None}
    _queue(ctx, "run", args, phone, host, broker, count, as_json)


@submit_app.command("batch")
def submit_batch(
    ctx: typer.Context,
    targets: list[str] = typer.Argument(
        ..., help="Package names and/or APK files (paths the worker's host can read)."
    ),
    phone: Optional[str] = _phone_option(),
    host: Optional[str] = _host_option(),
    scenarios: list[str] = typer.Option(
        [], "--scenario", help="A scenario each app is run in (repeatable; default: as `privmon batch`)."
    ),
    run_timeout: Optional[float] = typer.Option(None, "--run-timeout", help="Seconds at most for each run."),
    lab_props: list[str] = typer.Option(
        [], "--lab-prop", help="The lab's simulated phone only: KEY=VALUE for every lab app."
    ),
    broker: str = broker_option(),
    as_json: bool = _json_option(),
) -> None:
    """Queue a batch (`privmon batch` on the phone that takes it: every app in every scenario)."""
    resolved = [str(Path(t).resolve()) if t.endswith(".apk") and Path(t).is_file() else t for t in targets]
    args = {"targets": resolved, "scenario": list(scenarios) or None, "run_timeout": run_timeout}
    args["lab_prop"] = list(lab_props) or None
    _queue(ctx, "batch", args, phone, host, broker, 1, as_json)


@submit_app.command("analyze")
def submit_analyze(
    ctx: typer.Context,
    session_id: str = typer.Argument(..., help="The session to analyse again."),
    phone: Optional[str] = _phone_option(),
    host: Optional[str] = _host_option(),
    broker: str = broker_option(),
    as_json: bool = _json_option(),
) -> None:
    """Queue a re-analysis of a stored session, done by a worker instead of this host."""
    _queue(ctx, "analyze", {"session": _known_session(ctx, session_id)}, phone, host, broker, 1, as_json)


@submit_app.command("export")
def submit_export(
    ctx: typer.Context,
    session_id: str = typer.Argument(..., help="The session to export."),
    redact: bool = typer.Option(False, "--redact", help="Mask PI values (see `privmon export`)."),
    phone: Optional[str] = _phone_option(),
    host: Optional[str] = _host_option(),
    broker: str = broker_option(),
    as_json: bool = _json_option(),
) -> None:
    """Queue an evidence bundle's export, written by a worker into its job's folder (`privmon jobs`
    names the file)."""
    args = {"session": _known_session(ctx, session_id), "redact": redact}
    _queue(ctx, "export", args, phone, host, broker, 1, as_json)


def _known_session(ctx: typer.Context, session_id: str) -> str:
    from .cli_base import _resolve_session

    with _reader(ctx) as reader:
        return _resolve_session(reader, session_id)


@app.command()
def jobs(
    ctx: typer.Context,
    state: Optional[str] = typer.Option(None, help=f"Only jobs in this state ({', '.join(ev.JOB_STATES)})."),
    wait: bool = typer.Option(False, "--wait", help="Wait until no job is queued or running."),
    wait_timeout: float = typer.Option(3600.0, "--wait-timeout", help="Seconds --wait waits at most."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The farm's jobs, newest first: where each was queued, its state, phone, session, progress.
    Running jobs whose worker stopped are marked interrupted first."""
    from .farm.jobs import reap_stale

    if state is not None and state not in ev.JOB_STATES:
        raise CliError(f"--state must be one of {', '.join(ev.JOB_STATES)}, not {state!r}")
    settings = _settings(ctx)
    deadline = time.monotonic() + wait_timeout
    while True:
        for job_id in reap_stale(settings.db_path):
            err.print(
                tr(
                    f"job {job_id}: its worker stopped: marked interrupted",
                    f"任务 {job_id}：其工作进程已停止，标记为中断",
                ),
                markup=False,
            )
        with _reader(ctx) as reader:
            rows = reader.jobs(states=(state,) if state else None)
        busy = [r for r in rows if r["state"] in (ev.JOB_QUEUED, ev.JOB_RUNNING)]
        if not wait or not busy:
            break
        if time.monotonic() > deadline:
            raise CliError(
                tr(
                    f"{len(busy)} job(s) still queued or running after {wait_timeout:g} s",
                    f"{wait_timeout:g} 秒后仍有 {len(busy)} 个任务在排队或运行",
                ),
                ExitCode.RUN_FAILED,
            )
        time.sleep(1.0)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        out.print(tr("No jobs. Queue one with `privmon submit`.", "没有任务。用 `privmon submit` 排队一个。"))
        return
    table = Table(title=tr("Jobs", "任务"))
    for column in tr(
        ("id", "job", "queued for", "state", "phone", "session", "submitted (UTC)", "progress"),
        ("id", "任务", "队列", "状态", "手机", "会话", "提交 (UTC)", "进度"),
    ):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r["id"],
            _what(r["kind"], r["args"]),
            r["queue"],
            r["state"],
            r["serial"] or "",
            r["session_id"] or "",
            datetime.fromtimestamp(r["submitted_at"] / 1e6, timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
            (r["error"] or r["progress"] or "")[:80],
        )
    out.print(table)


def _what(kind: str, args: dict) -> str:
    """A job in a few words: `run com.x`, `batch a.apk b.apk`, `export SESSION`."""
    subject = args.get("package") or " ".join(args.get("targets") or []) or args.get("session") or ""
    return f"{kind} {subject}".strip()
