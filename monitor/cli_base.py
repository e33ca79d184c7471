"""What every `privmon` command module shares: the command group, the consoles, one-line errors,
the settings and store of the command, and the end of a run (findings, counts, exit code)."""

from __future__ import annotations

import json
import sys

import typer
from rich.console import Console
from rich.table import Table

from . import events as ev
from .exitcodes import ExitCode
from .language import language, tr
from .severity import SEVERITY_ZH

app = typer.Typer(
    help=(
        "privmon: a dynamic privacy monitor for Android apps (Frida hooks + mitmproxy, judged against the "
        "consent timeline)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
lab_app = typer.Typer(
    help="The lab: the whole pipeline on a simulated device, no phone needed.", no_args_is_help=True
)
app.add_typer(lab_app, name="lab")

# Piped output is read by people in CI logs too: give tables room instead of 80 columns.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, soft_wrap=True, width=None if sys.stderr.isatty() else 200)


class CliError(Exception):
    def __init__(self, message: str, code: ExitCode = ExitCode.USAGE) -> None:
        super().__init__(message)
        self.code = code


def _settings(ctx: typer.Context):
    """The command's settings (loaded once per command); opening the store also closes sessions whose
    owning run is gone."""
    from .config import Settings
    from .run.owner import reap_orphans

    if "settings" in ctx.obj:
        return ctx.obj["settings"]
    settings = ctx.obj["settings"] = Settings.load(ctx.obj["data_dir"])
    for session_id in reap_orphans(settings.db_path):
        err.print(
            tr(
                f"session {session_id}: its run ended without closing it (killed?): marked interrupted",
                f"会话 {session_id}：其运行未正常结束（被终止？），已标记为中断",
            ),
            markup=False,
        )
    return settings


def _reader(ctx: typer.Context):
    from .storage.queries import StoreReader

    return StoreReader(_settings(ctx).db_path)


def _resolve_session(reader, session_id: str) -> str:
    if session_id == "latest":
        latest = reader.latest_session_id()
        if latest is None:
            raise CliError(
                tr(
                    "there are no sessions yet (run `privmon lab run`)",
                    "还没有会话（先运行 `privmon lab run`）",
                ),
                ExitCode.NOT_FOUND,
            )
        return latest
    reader.session(session_id)  # raises SessionNotFound
    return session_id


FINDING_COLUMNS = {
    "en": ("time (UTC)", "rule", "severity", "PI", "SDK", "host", "encoding", "review", "title"),
    "zh": ("时间 (UTC)", "规则", "严重程度", "个人信息", "SDK", "接收方", "编码", "审核", "标题"),
}
FINDING_WORDS = {
    "en": ("No findings.", "Findings", " — LAB session (simulated device)", "findings"),
    "zh": ("未发现问题。", "发现的问题", " — 实验室会话（模拟设备）", "项"),
}


REVIEW_ZH = {"open": "待审核", "confirm": "已确认", "dismiss": "已驳回"}


def print_findings(rows: list[dict], lab: bool, lang: str | None = None) -> None:
    """The findings in the groups the analysis stored: a line per group (its actor and what it
    did), then its facets; `lang`: en or zh (default: the command line's language)."""
    from .finding_groups import grouped

    lang = lang or language()

    none, heading, lab_note, unit = FINDING_WORDS[lang]
    if not rows:
        out.print(none)
        return
    table = Table(title=heading + (lab_note if lab else ""), show_lines=False)
    for col in FINDING_COLUMNS[lang]:
        table.add_column(col, overflow="fold")
    zh = lang == "zh"
    for group in grouped(rows):
        table.add_section()
        title = group["title_zh"] if zh else group["title"]
        table.add_row(
            "",
            "",
            SEVERITY_ZH.get(group["severity"], group["severity"]) if zh else group["severity"],
            "",
            "",
            "",
            "",
            "",
            f"▸ ({group['size']} {unit}) {title}",
            style="bold",
        )
        for f in group["findings"]:
            table.add_row(
                f["ts"][11:],
                f["rule_id"],
                SEVERITY_ZH.get(f["severity"], f["severity"]) if zh else f["severity"],
                f["pi_type"] or "",
                f["sdk"] or "",
                f["host"] or "",
                f["encoding"] or "",
                REVIEW_ZH.get(f["review"]["state"], f["review"]["state"]) if zh else f["review"]["state"],
                "  " + ((f.get("title_zh") or f["title"]) if zh else f["title"]),
            )
    out.print(table, markup=False)


def say(message: str) -> None:
    err.print(message, markup=False)


def run_and_report(settings, start, as_json: bool, extra=None) -> object:
    """Runs a capture (`start(writer)` → a RunResult), analyses what it stored and reports it; a
    run whose writer died is not analysed (the store has only part of it) and exits 5."""
    from .analysis.persist import analyze_and_store
    from .storage.writer_process import WriterProcess

    with WriterProcess(settings.db_path) as writer:
        result = start(writer)
        if result.writer_lost:
            raise CliError(
                tr(
                    f"session {result.session_id} interrupted: {result.reason}",
                    f"会话 {result.session_id} 中断：{result.reason}",
                ),
                ExitCode.RUN_FAILED,
            )
        analysis = analyze_and_store(settings, result.session_id, writer)
    _hold_live_against_final(result.live_findings, analysis.findings)
    report_run(
        settings,
        result.session_id,
        result.status,
        result.reason,
        as_json,
        lab=result.lab,
        extra=extra(result) if extra else None,
    )
    return result


def _hold_live_against_final(live: list[str] | None, findings: list) -> None:
    """What the live display showed last against the final analysis of the same stored data: they
    must be the same findings; a difference is said (it is a bug in the incremental view)."""
    if live is None:
        return
    final = {f.fingerprint for f in findings}
    only_live, only_final = set(live) - final, final - set(live)
    if only_live or only_final:
        say(
            tr(
                f"the findings shown while the app ran differ from the final analysis: {len(only_live)} "
                f"only live, {len(only_final)} only final (the final analysis is the session's)",
                f"运行中显示的发现与最终分析不一致：{len(only_live)} 项仅在运行中出现，"
                f"{len(only_final)} 项仅在最终分析中出现（以最终分析为准）",
            )
        )


def report_run(
    settings,
    session_id: str,
    status: str,
    reason: str | None,
    as_json: bool,
    lab: bool,
    extra: dict | None = None,
) -> None:
    """The end of a run: its findings and counts (or JSON); a non-zero exit when it was interrupted."""
    from .evidence.serialize import reviewed_findings
    from .storage.queries import StoreReader

    with StoreReader(settings.db_path) as reader:
        rows = reviewed_findings(reader, session_id)
        counts = reader.counts(session_id)
    if as_json:
        print(
            json.dumps(
                {
                    "session": session_id,
                    "status": status,
                    "reason": reason,
                    "counts": counts,
                    "findings": rows,
                    **(extra or {}),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print_findings(rows, lab=lab)
        out.print(
            tr(
                f"session {session_id} ({status}): {counts['hook_events']} hook events, "
                f"{counts['flows']} flows, {counts['consent_events']} consent events, {counts['findings']} "
                "findings",
                f"会话 {session_id}（{status_name(status)}）：{counts['hook_events']} 条调用记录，"
                f"{counts['flows']} 个网络请求，{counts['consent_events']} 个同意事件，"
                f"{counts['findings']} 项发现",
            )
        )
        if counts["blind_spots"]:
            out.print(
                tr(
                    f"blind spots: {counts['blind_spots']} TLS connection(s) refused the proxy (pinning? "
                    "try --unpin)",
                    f"盲区：{counts['blind_spots']} 个 TLS 连接拒绝了代理（证书固定？试试 --unpin）",
                )
            )
    if status == ev.SESSION_INCOMPLETE:
        raise CliError(
            tr(
                f"session {session_id} incomplete: {reason} (what was captured is kept)",
                f"会话 {session_id} 未完成：{reason}（已采集的数据已保留）",
            ),
            ExitCode.INCOMPLETE,
        )
    if status != ev.SESSION_COMPLETED:
        raise CliError(
            tr(
                f"session {session_id} interrupted: {reason} (what was captured is kept)",
                f"会话 {session_id} 中断：{reason}（已采集的数据已保留）",
            ),
            ExitCode.RUN_FAILED,
        )


STATUS_ZH = {"running": "运行中", "completed": "已完成", "interrupted": "已中断", "incomplete": "未完成"}


def status_name(status: str) -> str:
    """A session's status in the command line's language."""
    return tr(status, STATUS_ZH.get(status, status))


# -- the scenario driver's options (`run`, `lab run`, `batch`) ---------------------------------------
DRIVERS = ("privmon", "tester")


def driver_option(default: str):
    return typer.Option(
        default,
        "--driver",
        help="Who performs the scenario: privmon (finds the privacy notice and taps it, answers "
        "permission dialogs, presses Home; nobody at the phone) or tester (a person at the phone"
        + (", the lab app's own tester in the lab" if default == "tester" else "")
        + ").",
    )


def notice_s_option():
    return typer.Option(30.0, "--notice-s", help="privmon as driver: seconds to wait for the privacy notice.")


def use_s_option():
    return typer.Option(
        15.0, "--use-s", help="privmon as driver: seconds the app is used after each decision."
    )


def background_s_option():
    return typer.Option(
        120.0, "--background-s", help="privmon as driver: seconds the app stays in the background."
    )


def lab_properties(given: list[str]) -> dict[str, str]:
    """`--lab-prop KEY=VALUE` options as a dict (checked)."""
    props = {}
    for prop in given:
        key, sep, value = prop.partition("=")
        if not sep or not key.strip():
            raise CliError(f"--lab-prop takes KEY=VALUE, not {prop!r}")
        props[key.strip()] = value
    return props


def drive_times(driver: str, notice_s: float, use_s: float, background_s: float):
    """The driver's waits, checked; None when a tester performs the scenario."""
    from .drive.driver import DriveTimes

    if driver not in DRIVERS:
        raise CliError(f"--driver must be one of {', '.join(DRIVERS)}, not {driver!r}")
    for name, value in (("--notice-s", notice_s), ("--use-s", use_s), ("--background-s", background_s)):
        if not 0 <= value <= 86400:
            raise CliError(f"{name} must be between 0 and 86400 seconds, not {value}")
    return DriveTimes(notice_s, use_s, background_s) if driver == "privmon" else None
