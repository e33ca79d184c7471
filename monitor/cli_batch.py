"""`privmon batch`: many apps × scenarios on one phone, unattended and resumable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from .cli_base import (
    CliError,
    _settings,
    app,
    background_s_option,
    drive_times,
    driver_option,
    err,
    lab_app,
    lab_properties,
    notice_s_option,
    out,
    use_s_option,
)
from .exitcodes import ExitCode
from .language import tr

DEFAULT_SCENARIOS = ("agree", "refuse", "background")


@app.command()
def batch(
    ctx: typer.Context,
    targets: list[str] = typer.Argument(
        None, help="Package names (installed on the phone) and/or APK files to install and test."
    ),
    apk_dir: Optional[Path] = typer.Option(None, "--apk-dir", help="Test every .apk in this folder too."),
    scenarios: list[str] = typer.Option(
        list(DEFAULT_SCENARIOS),
        "--scenario",
        help="A scenario each app is run in (repeatable; default: agree, refuse, background).",
    ),
    device: Optional[str] = typer.Option(
        None, "--device", "-s", help="The phone's serial (default: $ANDROID_SERIAL, or the only device)."
    ),
    out_dir: Path = typer.Option(
        Path("privmon-batch"),
        "--out",
        help="The batch's folder: its ledger (batch.jsonl, what is done), summary.json and summary.csv. "
        "Run again with the same folder to resume.",
    ),
    run_timeout: float = typer.Option(600.0, "--run-timeout", help="Seconds at most for each run."),
    driver: str = driver_option("privmon"),
    notice_s: float = notice_s_option(),
    use_s: float = use_s_option(),
    background_s: float = background_s_option(),
    unpin: bool = typer.Option(False, "--unpin", help="Bypass TLS pinning in every run (see `run --unpin`)."),
    lab_props: list[str] = typer.Option(
        [], "--lab-prop", help="The lab's simulated phone only: KEY=VALUE for every lab app."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Test a batch of apps, each in each scenario, one after another on one phone, with nobody at
    it: install, fresh first launch, the scenario performed by privmon, analysis, uninstall (when
    privmon installed it), the phone restored between runs. Resumable; a failing app never stops it."""
    from .apk import ApkError, apk_facts
    from .app_profile import resolve as resolve_app_profile
    from .batch import BatchError, Ledger, batch_apps, write_summary
    from .device.adb import select_device
    from .run.batch_run import run_batch
    from .run.runs import PhoneRunOptions
    from .scenarios import SCENARIOS
    from .storage.writer_process import WriterProcess

    bad = [s for s in scenarios if s not in SCENARIOS]
    if bad:
        raise CliError(f"--scenario must be one of {', '.join(SCENARIOS)}, not {', '.join(map(repr, bad))}")
    scenarios = list(dict.fromkeys(scenarios))
    times = drive_times(driver, notice_s, use_s, background_s)
    if not 0 < run_timeout <= 86400:
        raise CliError(f"--run-timeout must be between 0 and 86400 seconds, not {run_timeout}")
    props = lab_properties(lab_props)

    def package_of(apk: Path) -> str:
        try:
            return apk_facts(apk).package
        except ApkError as exc:
            raise CliError(str(exc)) from None

    try:
        apps = batch_apps(list(targets or []), apk_dir, package_of)
        ledger = Ledger(out_dir)
    except BatchError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"--out {out_dir}: {exc.strerror or exc}", ExitCode.STORE) from None
    settings = _settings(ctx)
    template = PhoneRunOptions(
        package="",
        timeout_s=run_timeout,
        interactive=False,
        unpin=unpin,
        lab_props=props,
        drive_times=times,
    )
    phone = select_device(device)
    say = lambda m: err.print(m, markup=False)  # noqa: E731
    count = f"{len(apps)} × {len(scenarios)}"
    say(
        tr(
            f"batch: {count} runs (apps × scenarios) on {phone.serial}; ledger {ledger.path}",
            f"批量测试：{count} 次运行（应用 × 场景），设备 {phone.serial}；记录 {ledger.path}",
        )
    )
    with WriterProcess(settings.db_path) as writer:
        records, stopped = run_batch(
            settings,
            writer,
            phone,
            apps,
            scenarios,
            template,
            ledger,
            say,
            lambda package: resolve_app_profile(None, package),
        )
    json_path, csv_path = write_summary(out_dir, records)
    if as_json:
        print(
            json.dumps({"stopped": stopped, "runs": [vars(r) for r in records]}, ensure_ascii=False, indent=2)
        )
    else:
        _print_summary(records)
        say(tr(f"summary: {json_path} and {csv_path}", f"汇总：{json_path} 和 {csv_path}"))
    if stopped:
        raise CliError(
            tr(
                "the batch was stopped; run the same command again to resume it",
                "批量测试已停止；再次运行同一命令即可继续",
            ),
            ExitCode.RUN_FAILED,
        )
    if any(r.status in ("failed", "interrupted") for r in records):
        raise CliError(
            tr("some runs failed (see the summary)", "部分运行失败（见汇总）"), ExitCode.RUN_FAILED
        )
    if any(r.status == "incomplete" for r in records):
        raise CliError(
            tr("some runs are incomplete (see the summary)", "部分运行未完成（见汇总）"), ExitCode.INCOMPLETE
        )


def _print_summary(records) -> None:
    from rich.table import Table

    from .batch import SEVERITIES
    from .cli_base import status_name

    table = Table(title=tr("batch summary", "批量测试汇总"))
    for column in (tr("app", "应用"), tr("version", "版本"), tr("scenario", "场景"), tr("status", "状态")):
        table.add_column(column)
    for severity in SEVERITIES:
        table.add_column(severity, justify="right")
    table.add_column(tr("not done", "未能完成"))
    for r in records:
        table.add_row(
            r.app,
            r.version or "",
            r.scenario,
            status_name(r.status),
            *[str(r.findings.get(s, 0)) for s in SEVERITIES],
            "; ".join(r.not_done)[:200],
            end_section=False,
        )
    out.print(table)


@lab_app.command("apks")
def lab_apks(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", "-o", help="The folder the APKs are written to."),
) -> None:
    """Write the lab apps' APKs (those with a manifest.yaml) into a folder: real APK files
    (manifest and class list) for `privmon batch --apk-dir` on the simulated phone."""
    import shutil

    from .lab.apk_build import lab_apk
    from .lab.build import APPS_DIR

    settings = _settings(ctx)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(f"--out {out}: {exc.strerror or exc}", ExitCode.STORE) from None
    for app_dir in sorted(APPS_DIR.iterdir()):
        if (app_dir / "manifest.yaml").exists():
            target = out / f"{app_dir.name}.apk"
            shutil.copyfile(lab_apk(settings.cache_dir, app_dir.name), target)
            err.print(tr(f"[lab] {target}", f"[实验室] {target}"), markup=False)
