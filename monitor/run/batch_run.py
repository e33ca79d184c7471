"""Runs a batch (monitor/batch.py) on one phone: each app × scenario as a whole monitored run,
analysed as it ends, recorded in the ledger; the app uninstalled after its last scenario when
privmon installed it."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable

from ..analysis.persist import analyze_and_store
from ..batch import BatchApp, BatchRecord, Ledger, Stop, severity_counts
from ..config import Settings
from ..device.adb import Phone
from ..language import tr
from ..storage.queries import StoreReader
from .runs import PhoneRunOptions, run_on_phone

Progress = Callable[[str], None]


def run_batch(
    settings: Settings,
    writer,
    phone: Phone,
    apps: list[BatchApp],
    scenarios: list[str],
    template: PhoneRunOptions,
    ledger: Ledger,
    progress: Progress,
    app_profile_for: Callable[[str], object] = lambda _package: None,
) -> tuple[list[BatchRecord], bool]:
    """Every app × scenario not yet in the ledger; (all records in batch order, stopped early)."""
    total = len(apps) * len(scenarios)
    index = 0
    with Stop() as stop:
        for app in apps:
            installed_here = app.apk is not None and not _installed(phone, app.package)
            try:
                for scenario in scenarios:
                    index += 1
                    if ledger.done(app, scenario) is not None:
                        progress(
                            f"[{index}/{total}] {app.package} · {scenario}"
                            + tr(" — done before", " — 之前已完成")
                        )
                        continue
                    progress(f"[{index}/{total}] {app.package} · {scenario}")
                    opts = replace(
                        template,
                        package=app.package,
                        scenario=scenario,
                        apk=app.apk,
                        interactive=False,
                        live=False,  # nobody watches: the analysis at the run's end is the one summarised
                        app_profile=app_profile_for(app.package),
                    )
                    record = _one_run(settings, writer, phone, app, opts, progress)
                    if stop.requested:
                        progress(
                            tr("batch stopped: this run is not counted", "批量测试已停止：本次运行不计入")
                        )
                        return _in_order(ledger, apps, scenarios), True
                    ledger.add(record)
                    progress(_result_line(record))
            except KeyboardInterrupt:
                return _in_order(ledger, apps, scenarios), True
            finally:
                if installed_here:
                    _uninstall(phone, app.package, progress)
    return _in_order(ledger, apps, scenarios), False


def _one_run(
    settings: Settings,
    writer,
    phone: Phone,
    app: BatchApp,
    opts: PhoneRunOptions,
    progress: Progress,
) -> BatchRecord:
    start = time.monotonic()
    record = BatchRecord(app.package, opts.scenario, "failed", None, apk=str(app.apk) if app.apk else None)
    try:
        result = run_on_phone(settings, writer, phone, opts, progress)
        record.session, record.status, record.reason = result.session_id, result.status, result.reason
        record.app_seconds = result.app_seconds
        if result.status != "completed":
            record.not_done.append(result.reason or result.status)
        if result.not_restored:
            record.not_done.append("phone not fully restored: " + ", ".join(result.not_restored))
        if not result.writer_lost:
            analyze_and_store(settings, result.session_id, writer)
        with StoreReader(settings.db_path) as reader:
            record.findings = severity_counts(reader.findings(result.session_id))
            meta = reader.session(result.session_id).get("meta") or {}
        record.version = (meta.get("app_metadata") or {}).get("version_name")
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # noqa: BLE001 - one failing app never stops the batch
        record.status, record.reason = "failed", f"{type(exc).__name__}: {str(exc).strip()[:500]}"
        record.not_done.append(record.reason)
    record.seconds = round(time.monotonic() - start, 1)
    return record


def _installed(phone: Phone, package: str) -> bool:
    try:
        return phone.shell(f"pm path {package}").startswith("package:")
    except Exception:  # noqa: BLE001 - then it is installed by the run, and uninstalled after
        return False


def _uninstall(phone: Phone, package: str, progress: Progress) -> None:
    try:
        answer = phone.shell(f"pm uninstall {package}", timeout=120)
    except Exception as exc:  # noqa: BLE001 - the phone may be gone; the summary says so
        answer = str(exc)
    ok = "Success" in answer
    progress(
        tr(f"uninstalled {package}", f"已卸载 {package}")
        if ok
        else tr(
            f"could not uninstall {package}: {answer.strip()[:200]}",
            f"无法卸载 {package}：{answer.strip()[:200]}",
        )
    )


def _in_order(ledger: Ledger, apps: list[BatchApp], scenarios: list[str]) -> list[BatchRecord]:
    return [r for app in apps for s in scenarios if (r := ledger.done(app, s)) is not None]


def _result_line(record: BatchRecord) -> str:
    severities = ", ".join(f"{n} {s}" for s, n in record.findings.items() if n) or tr("no findings", "无发现")
    line = f"  → {record.status}: {severities}"
    if record.status != "completed" and record.reason:
        line += f" ({record.reason})"
    return line
