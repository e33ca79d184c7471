"""The `privmon` command line."""

from __future__ import annotations

import faulthandler
import json
import secrets
import signal
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from . import __version__
from . import events as ev
from .cli_base import (
    CliError,
    _reader,
    _resolve_session,
    _settings,
    app,
    background_s_option,
    drive_times,
    driver_option,
    err,
    lab_app,
    lab_properties,
    notice_s_option,
    out,  # noqa: F401
    print_findings,
    run_and_report,
    say,
    status_name,
    use_s_option,
)
from .config import env
from .exitcodes import ExitCode
from .language import LANGUAGES, set_language, tr
from .scenarios import SCENARIOS, scenario_steps


@app.callback()
def _root(
    ctx: typer.Context,
    data_dir: Optional[Path] = typer.Option(
        None,
        "--data-dir",
        envvar="PRIVMON_HOME",
        help="Where the store lives (default: ~/.local/share/privmon).",
    ),
    lang: Optional[str] = typer.Option(
        None,
        "--lang",
        envvar="PRIVMON_LANG",
        help="What privmon prints, in en (English, the default) or zh (中文): tables, progress, errors.",
    ),
) -> None:
    if lang is not None:
        if lang not in LANGUAGES:
            raise CliError(f"--lang must be en or zh, not {lang!r}")
        set_language(lang)
    ctx.obj = {"data_dir": data_dir}


@app.command()
def version() -> None:
    """Print privmon's version and its components'."""
    from .capture.local import frida_version
    from .capture.proxy import mitmproxy_version

    out.print(f"privmon {__version__} (frida {frida_version()}, mitmproxy {mitmproxy_version()})")


# -- sessions and findings ----------------------------------------------------------------
@app.command()
def sessions(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List recorded sessions, newest first."""
    from .evidence.serialize import session_json

    with _reader(ctx) as reader:
        rows = [session_json(s) for s in reader.sessions()]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        out.print(
            tr(
                "No sessions yet. Start one with `privmon lab run`.",
                "还没有会话。用 `privmon lab run` 开始一个。",
            )
        )
        return
    table = Table(title=tr("Sessions", "会话"))
    for col in tr(
        ("id", "app", "target", "status", "started (UTC)", "findings"),
        ("id", "应用", "目标", "状态", "开始 (UTC)", "发现"),
    ):
        table.add_column(col)
    for s in rows:
        table.add_row(
            s["id"],
            s["app"],
            s["target"] + (tr(" (lab)", "（实验室）") if s["target"] == "lab" else ""),
            status_name(s["status"]),
            s["started_at"],
            str(s["findings"]),
        )
    out.print(table)


@app.command()
def findings(
    ctx: typer.Context,
    session_id: str = typer.Argument(..., help="Session id, or 'latest'."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (a list of findings)."),
    fail_on: Optional[str] = typer.Option(
        None,
        "--fail-on",
        help=(
            "Exit 1 when an open or confirmed finding has this severity or higher (info, low, medium, high, "
            "critical): for CI."
        ),
    ),
    lang: Optional[str] = typer.Option(
        None, "--lang", help="Titles in en or zh (default: privmon's --lang, else en)."
    ),
) -> None:
    """Show a session's findings (with their review state)."""
    from .evidence.serialize import reviewed_findings
    from .severity import SEVERITIES, at_least

    if fail_on is not None and fail_on not in SEVERITIES:
        raise CliError(f"--fail-on must be one of {', '.join(SEVERITIES)}, not {fail_on!r}")
    if lang is not None and lang not in LANGUAGES:
        raise CliError(f"--lang must be en or zh, not {lang!r}")
    with _reader(ctx) as reader:
        sid = _resolve_session(reader, session_id)
        rows = reviewed_findings(reader, sid)
        lab = reader.session(sid)["target"] == "lab"
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        print_findings(rows, lab, lang)
    if fail_on is not None:
        failing = [f for f in rows if at_least(f["severity"], fail_on) and f["review"]["state"] != "dismiss"]
        if failing:
            err.print(
                tr(
                    f"{len(failing)} finding(s) of severity {fail_on} or higher",
                    f"{len(failing)} 项发现的严重程度为 {fail_on} 或更高",
                ),
                markup=False,
            )
            raise typer.Exit(ExitCode.FINDINGS)


@app.command()
def review(
    ctx: typer.Context,
    session_id: str = typer.Argument(..., help="Session id, or 'latest'."),
    target: str = typer.Argument(
        ..., help="A finding's fingerprint (or a unique prefix), or consent:<event id>."
    ),
    decision: str = typer.Argument(
        ..., help="For findings: confirm, dismiss or reopen. For consent events: accept or reject."
    ),
    note: Optional[str] = typer.Option(None, "--note", help="Why (kept with the decision)."),
    reviewer: Optional[str] = typer.Option(
        None, "--reviewer", envvar="PRIVMON_REVIEWER", help="Who decides (default: the login name)."
    ),
) -> None:
    """Record a reviewer's decision; earlier decisions are kept as history. Rejecting a consent
    event re-analyses the session without it."""
    import getpass

    from .analysis.persist import analyze_and_store
    from .review import ReviewError, resolve_target
    from .review import decision as make_decision
    from .storage.writer import EventWriter
    from .timeutil import now_us

    settings = _settings(ctx)
    with _reader(ctx) as reader:
        sid = _resolve_session(reader, session_id)
        try:
            resolved = resolve_target(target, reader.findings(sid), reader.consent_events(sid))
            record = make_decision(sid, resolved, decision, reviewer or getpass.getuser(), note, now_us())
        except ReviewError as exc:
            raise CliError(str(exc)) from exc
        running = reader.session(sid)["status"] == ev.SESSION_RUNNING
    with EventWriter(settings.db_path) as writer:
        writer.submit(record)
        writer.commit()  # a decision that was not stored is never reported as made
        if resolved.startswith("consent:") and not running:
            result = analyze_and_store(settings, sid, writer)
            err.print(
                tr(
                    f"{sid}: {resolved} {decision}ed; {len(result.findings)} findings after re-analysis",
                    f"{sid}：{resolved} 已{DECISION_ZH.get(decision, decision)}；重新分析后共 "
                    f"{len(result.findings)} 项发现",
                ),
                markup=False,
            )
            return
    err.print(
        tr(
            f"{sid}: {resolved} → {decision} by {record.reviewer}",
            f"{sid}：{resolved} → {DECISION_ZH.get(decision, decision)}（审核人 {record.reviewer}）",
        ),
        markup=False,
    )


DECISION_ZH = {"confirm": "确认", "dismiss": "驳回", "reopen": "重新打开", "accept": "接受", "reject": "拒绝"}


@app.command()
def diff(
    ctx: typer.Context,
    session_a: str = typer.Argument(..., help="The earlier session (an app version, a scenario)."),
    session_b: str = typer.Argument(..., help="The later session."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON: {new, gone, unchanged}."),
) -> None:
    """Findings new, gone and unchanged from session A to session B (matched by fingerprint)."""
    from .evidence.serialize import reviewed_findings
    from .review import diff_findings

    with _reader(ctx) as reader:
        a = reviewed_findings(reader, _resolve_session(reader, session_a))
        b = reviewed_findings(reader, _resolve_session(reader, session_b))
    result = diff_findings(a, b)
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{session_a} → {session_b}")
    for col in tr(
        ("change", "rule", "severity", "PI", "SDK", "host", "title"),
        ("变化", "规则", "严重程度", "个人信息", "SDK", "接收方", "标题"),
    ):
        table.add_column(col, overflow="fold")
    change_zh = {"new": "新增", "gone": "消失", "unchanged": "未变"}
    for change in ("new", "gone", "unchanged"):
        for f in result[change]:
            table.add_row(
                tr(change, change_zh[change]),
                f["rule_id"],
                f["severity"],
                f["pi_type"] or "",
                f["sdk"] or "",
                f["host"] or "",
                tr(f["title"], f.get("title_zh") or f["title"]),
            )
    out.print(table, markup=False)
    out.print(
        tr(
            f"{len(result['new'])} new, {len(result['gone'])} gone, {len(result['unchanged'])} unchanged",
            f"新增 {len(result['new'])}，消失 {len(result['gone'])}，未变 {len(result['unchanged'])}",
        )
    )


@app.command()
def hooks(
    ctx: typer.Context,
    session_id: str = typer.Argument(..., help="Session id, or 'latest'."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (one object per catalogue entry)."),
) -> None:
    """Hook coverage of a session: each catalogue entry installed or not (why), how often it fired, and
    in how many of its events a value could not be converted (kept, marked)."""
    with _reader(ctx) as reader:
        sid = _resolve_session(reader, session_id)
        rows = reader.hook_coverage(sid)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        out.print(
            tr(
                "No hook install report in this session (the agent never loaded).",
                "本会话没有挂钩安装报告（代理脚本从未加载）。",
            )
        )
        return
    table = Table(title=tr(f"Hook coverage — {sid}", f"挂钩覆盖 — {sid}"))
    for col in tr(
        ("entry", "PI / signal", "state", "fired", "reason"),
        ("条目", "个人信息 / 信号", "状态", "触发次数", "原因"),
    ):
        table.add_column(col, overflow="fold")
    for r in rows:
        unconverted = r.get("conversion_errors") or 0
        table.add_row(
            r["id"],
            r["pi_type"] or r["signal"] or "",
            tr(r["state"], "已安装" if r["state"] == "installed" else "未安装"),
            str(r["fired"])
            + (
                tr(f" ({unconverted} with an unconverted value)", f"（{unconverted} 次含无法转换的值）")
                if unconverted
                else ""
            ),
            "; ".join(r["reasons"]),
        )
    out.print(table, markup=False)
    installed = sum(1 for r in rows if r["state"] == "installed")
    fired = sum(1 for r in rows if r["fired"])
    unconverted = sum(r.get("conversion_errors") or 0 for r in rows)
    out.print(
        tr(
            f"{installed}/{len(rows)} installed, {fired} fired",
            f"已安装 {installed}/{len(rows)}，触发 {fired}",
        )
        + (
            tr(
                f", {unconverted} events kept with a value the agent could not convert",
                f"，{unconverted} 条记录保留了代理脚本无法转换的值",
            )
            if unconverted
            else ""
        )
    )


@app.command()
def flows(
    ctx: typer.Context,
    session_id: str = typer.Argument(..., help="Session id, or 'latest'."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (one object per flow)."),
) -> None:
    """A session's flows: host, path, how each was captured and the code that opened or sent it."""
    from .evidence.serialize import flow_rows
    from .timeutil import iso_utc

    with _reader(ctx) as reader:
        sid = _resolve_session(reader, session_id)
        rows = flow_rows(reader, sid)
        analysed = reader.analysis_facts(sid) is not None
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        out.print(tr("No flows in this session.", "本会话没有网络请求。"))
        return
    table = Table(title=tr(f"Flows — {sid}", f"网络请求 — {sid}"))
    for col in tr(
        ("time (UTC)", "method", "host", "path", "status", "captured", "opened/sent by"),
        ("时间 (UTC)", "方法", "主机", "路径", "状态", "采集方式", "发起/发送方"),
    ):
        table.add_column(col, overflow="fold")
    for r in rows:
        who = r["sdk"] or r["party"] or ""
        table.add_row(
            iso_utc(r["ts"])[11:],
            r["method"],
            r["host"],
            r["path"][:80],
            str(r["status"] or r["error"] or ""),
            r["capture_path"] or "proxy",
            f"{who} ({r['sender_api']})" if r["sender_api"] else "",
        )
    out.print(table, markup=False)
    if not analysed:
        out.print(
            tr(
                "Not analysed yet: run `privmon analyze` to see who opened or sent each flow.",
                "尚未分析：运行 `privmon analyze` 查看每个请求由谁发起或发送。",
            )
        )


@app.command()
def analyze(
    ctx: typer.Context,
    session_id: str = typer.Argument(..., help="Session id, or 'latest'."),
    app_profile: Optional[str] = typer.Option(
        None,
        "--app-profile",
        help=(
            "Judge with this app profile (a name in app_profiles/ or a YAML path); kept with the session for "
            "later re-analysis."
        ),
    ),
) -> None:
    """Run the analysis pass again over a stored session (same data and profile, same findings)."""
    from .analysis.persist import analyze_and_store
    from .app_profile import load_app_profile
    from .storage.writer import EventWriter

    with _reader(ctx) as reader:
        sid = _resolve_session(reader, session_id)
    settings = _settings(ctx)
    if app_profile is not None:
        profile = load_app_profile(app_profile)
        with EventWriter(settings.db_path) as writer:
            writer.submit(ev.SessionMetaUpdate(sid, {"app_profile": profile.to_meta()}))
            writer.commit()
    result = analyze_and_store(settings, sid)
    err.print(
        tr(
            f"{sid}: {len(result.findings)} findings, {len(result.pi_matches)} PI matches",
            f"{sid}：{len(result.findings)} 项发现，{len(result.pi_matches)} 处个人信息匹配",
        )
    )


def _parse_when(text: str | None) -> int:
    from .timeutil import now_us

    if text is None:
        return now_us()
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise CliError(
            tr(f"--at: not an ISO 8601 time: {text!r}", f"--at：不是 ISO 8601 时间：{text!r}")
        ) from exc
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp() * 1_000_000)


@app.command()
def mark(
    ctx: typer.Context,
    session_id: str = typer.Argument(..., help="Session id, or 'latest'."),
    kind: str = typer.Argument(..., help="consent, refuse, withdraw, notice or guardian_consent."),
    at: Optional[str] = typer.Option(None, "--at", help="When, ISO 8601 (default: now)."),
    note: Optional[str] = typer.Option(None, "--note", help="Why you marked it."),
) -> None:
    """Mark consent (or a refusal) by hand when it was not detected, then re-analyse."""
    from .analysis.persist import analyze_and_store
    from .consent import KINDS
    from .storage.writer import EventWriter

    if kind not in KINDS or kind == "notice_dismissed":
        raise CliError(
            f"kind must be one of consent, refuse, withdraw, notice, guardian_consent, not {kind!r}"
        )
    settings = _settings(ctx)
    with _reader(ctx) as reader:
        sid = _resolve_session(reader, session_id)
        running = reader.session(sid)["status"] == ev.SESSION_RUNNING
    with EventWriter(settings.db_path) as writer:
        writer.submit(ev.ConsentEvent(sid, _parse_when(at), kind, "manual", detail=note))
        writer.commit()
        if not running:
            result = analyze_and_store(settings, sid, writer)
            err.print(
                tr(
                    f"{sid}: marked {kind}; {len(result.findings)} findings after re-analysis",
                    f"{sid}：已标记 {kind}；重新分析后共 {len(result.findings)} 项发现",
                )
            )
        else:
            err.print(tr(f"{sid}: marked {kind}", f"{sid}：已标记 {kind}"))


# -- evidence -------------------------------------------------------------------------------
@app.command()
def export(
    ctx: typer.Context,
    session_id: str = typer.Argument(..., help="Session id, or 'latest'."),
    output: Path = typer.Option(..., "-o", "--output", help="The bundle to write (.zip)."),
    redact: bool = typer.Option(
        False,
        "--redact",
        help="Mask PI values (type, length and a salted hash kept) for sharing outside the review team.",
    ),
    sign: Optional[Path] = typer.Option(
        None, "--sign", help="Sign the manifest with this Ed25519 private key (see `privmon keygen`)."
    ),
) -> None:
    """Export a session's evidence bundle: findings (JSON, CSV, XLSX), report.html, hook events,
    flows (HAR and mitmproxy), coverage, timeline and reviews, with a manifest of SHA-256 hashes."""
    from .evidence.bundle import export_bundle

    with _reader(ctx) as reader:
        sid = _resolve_session(reader, session_id)
        manifest = export_bundle(reader, sid, output, redact=redact, sign_with=sign)
    err.print(
        tr(
            f"wrote {output} ({len(manifest['files'])} files + manifest{' + signature' if sign else ''})",
            f"已写入 {output}（{len(manifest['files'])} 个文件 + 清单{' + 签名' if sign else ''}）",
        )
    )
    if redact:
        err.print(
            tr(
                f"redacted {manifest['redacted']['values']} spellings of watched values; salt (keep it "
                f"private, it links the hashes to values): {manifest['redaction_salt']}",
                f"已对 {manifest['redacted']['values']} 种被监视值的写法脱敏；盐值（请保密，它能把哈希与原值"
                f"对应起来）：{manifest['redaction_salt']}",
            ),
            markup=False,
        )
    print(output)


@app.command()
def keygen(
    output: Path = typer.Option(
        ..., "-o", "--output", help="Where to write the private key (PEM); the public key goes to OUTPUT.pub."
    ),
) -> None:
    """Make an Ed25519 key pair for signing evidence bundles."""
    from .evidence.signing import generate_key, key_fingerprint, load_public

    public = generate_key(output)
    err.print(
        tr(
            f"wrote {output} (private, mode 600) and {public}; key {key_fingerprint(load_public(public))}",
            f"已写入 {output}（私钥，权限 600）和 {public}；密钥 {key_fingerprint(load_public(public))}",
        )
    )


@app.command()
def verify(
    bundle: Path = typer.Argument(..., help="An evidence bundle (.zip)."),
    pubkey: Optional[Path] = typer.Option(
        None, "--key", "--pubkey", help="Require a signature by this Ed25519 public key (PEM)."
    ),
) -> None:
    """Check that nothing in an evidence bundle was changed (and who signed it); exits non-zero
    naming what was."""
    from .evidence.bundle import verify_bundle
    from .evidence.signing import load_public

    report = verify_bundle(bundle, load_public(pubkey) if pubkey else None)
    if report.ok:
        signed = (
            tr(f"; signed by key {report.signed_by}", f"；签名密钥 {report.signed_by}")
            if report.signed_by
            else tr("; not signed", "；未签名")
        )
        out.print(
            tr(
                f"OK: {bundle}: {report.files_checked} files match the manifest{signed}",
                f"OK：{bundle}：{report.files_checked} 个文件与清单一致{signed}",
            ),
            markup=False,
        )
        return
    for problem in report.problems:
        err.print(tr(f"CHANGED: {problem}", f"已改动：{problem}"), markup=False)
    raise CliError(
        tr(
            f"{bundle}: the bundle does not verify ({len(report.problems)} problem(s))",
            f"{bundle}：证据包校验未通过（{len(report.problems)} 个问题）",
        ),
        ExitCode.BAD_BUNDLE,
    )


@app.command("import")
def import_(
    ctx: typer.Context,
    capture: Path = typer.Argument(
        ...,
        help="A HAR file (HTTP Toolkit, Charles, PCAPdroid, mitmproxy's savehar) or a mitmproxy flow file.",
    ),
    profile: str = typer.Option(
        ...,
        "--profile",
        help="Device profile whose identifiers to look for: a name in device_profiles/ or a YAML path.",
    ),
    app_package: str = typer.Option(
        "unknown", "--app", help="The app's package name (for first/third-party grouping)."
    ),
    app_profile: Optional[str] = typer.Option(
        None,
        "--app-profile",
        help=(
            "App profile: a name in app_profiles/ or a YAML path (default: the one whose package matches "
            "--app)."
        ),
    ),
) -> None:
    """Make a session out of another tool's capture and analyse it."""
    from .analysis.persist import analyze_and_store
    from .app_profile import resolve as resolve_app_profile
    from .device_profile import load_profile
    from .importer import discard, import_capture
    from .storage.writer import EventWriter

    settings = _settings(ctx)
    device_profile = load_profile(profile)
    resolved = resolve_app_profile(app_profile, app_package)
    with EventWriter(settings.db_path) as writer:
        session_id, n, problems = import_capture(
            capture, device_profile, app_package, writer, resolved.to_meta()
        )
        try:
            result = analyze_and_store(settings, session_id, writer)
        except BaseException:
            discard(writer, session_id)  # never a session left that looks imported but was not analysed
            raise
    err.print(
        tr(
            f"imported {n} flows from {capture} as session {session_id}: "
            f"{len(result.pi_matches)} PI matches, {len(result.findings)} findings",
            f"已从 {capture} 导入 {n} 个网络请求，会话 {session_id}："
            f"{len(result.pi_matches)} 处个人信息匹配，{len(result.findings)} 项发现",
        ),
        markup=False,
    )
    if problems.count:
        err.print(
            tr(
                f"{problems.count} problem(s) in the capture, kept with the session; the first: "
                f"{problems.items[0]}",
                f"捕获文件中有 {problems.count} 个问题，已随会话保存；第一个：{problems.items[0]}",
            ),
            markup=False,
        )
    print(session_id)


# -- devices --------------------------------------------------------------------------------
@app.command()
def devices(
    as_json: bool = typer.Option(False, "--json", help="Print JSON (one object per device)."),
) -> None:
    """Connected phones and emulators: model, Android version, ABI, root, frida-server."""
    from .device.devices import list_devices

    found = list_devices()
    if as_json:
        print(json.dumps([d.to_json() for d in found], ensure_ascii=False, indent=2))
        return
    if not found:
        out.print(
            tr(
                "No devices. Connect a phone with USB debugging on, or an emulator (`adb devices` should "
                "list it).",
                "没有设备。请连接已开启 USB 调试的手机或模拟器（`adb devices` 应能列出它）。",
            )
        )
        return
    table = Table(title=tr("Devices", "设备"))
    for col in tr(
        ("serial", "state", "model", "Android", "ABI", "root", "frida-server"),
        ("序列号", "状态", "型号", "Android", "ABI", "root", "frida-server"),
    ):
        table.add_column(col)
    for d in found:
        table.add_row(
            d.serial + (" (LAB)" if d.lab else ""),
            d.state,
            d.model or "",
            d.android or "",
            d.abi or "",
            d.root or "",
            d.frida_server or "",
        )
    out.print(table, markup=False)


# -- dashboard ------------------------------------------------------------------------------
@app.command()
def dashboard(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="Address to bind (default: loopback only)."),
    port: int = typer.Option(8765, help="Port to listen on."),
    token: Optional[str] = typer.Option(
        None, envvar="PRIVMON_DASHBOARD_TOKEN", help="Access token (default: a new random one)."
    ),
    public: bool = typer.Option(
        False, "--public", help="Allow --host to be other than loopback (others on the network can reach it)."
    ),
) -> None:
    """Serve the reviewers' dashboard (asks for a token; prints the URL with it)."""
    import ipaddress

    import uvicorn

    from dashboard.app import create_app

    try:
        ipaddress.ip_address(host) if host != "localhost" else None
    except ValueError as exc:
        raise CliError(f"--host must be an IP address or localhost, not {host!r}") from exc
    loopback = _is_loopback(host)
    if not loopback and not public:
        raise CliError(
            tr(
                f"--host {host} is not loopback: the dashboard shows captured personal data; add --public "
                "to serve it to the network anyway",
                f"--host {host} 不是本机回环地址：仪表盘展示采集到的个人信息；"
                "如确需对网络开放，请加 --public",
            )
        )
    token = token or secrets.token_urlsafe(24)
    names = () if loopback else _public_names(host)
    web = create_app(_settings(ctx).db_path, token, public_hosts=names)
    if names:
        err.print(
            tr(
                f"privmon dashboard: reachable from the network as {', '.join(names)}",
                f"privmon 仪表盘：网络上可通过 {', '.join(names)} 访问",
            ),
            markup=False,
        )
    shown = (names[0] if names else host) if host in ("0.0.0.0", "::") else host
    shown = f"[{shown}]" if ":" in shown else shown
    out.print(
        tr("privmon dashboard: ", "privmon 仪表盘：") + f"http://{shown}:{port}/?token={token}", markup=False
    )
    sys.stdout.flush()
    uvicorn.run(web, host=host, port=port, log_level="warning")


def _public_names(host: str) -> tuple[str, ...]:
    """The names and addresses a --public dashboard answers to: the bound address, or, bound to
    every interface, this machine's name and its non-loopback addresses."""
    import socket

    if host not in ("0.0.0.0", "::"):
        return (host,)
    name = socket.gethostname()
    found = [name, socket.getfqdn()]
    try:
        found += [info[4][0] for info in socket.getaddrinfo(name, None)]
    except OSError:
        pass
    addresses = [a for a in dict.fromkeys(found) if a and not _is_loopback(a)]
    return tuple(addresses) or (name,)


def _is_loopback(value: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(value).is_loopback
    except ValueError:
        return value == "localhost"


# -- the lab --------------------------------------------------------------------------------
@lab_app.command("classpath")
def lab_classpath(ctx: typer.Context) -> None:
    """Print where the compiled Android stand-ins are (compile your lab app against them)."""
    from .lab.build import build_standins

    print(build_standins(_settings(ctx).cache_dir))


@lab_app.command("build")
def lab_build(ctx: typer.Context) -> None:
    """Compile the stand-ins, the lab apps and the Frida agent (done on demand too)."""
    from .capture.agent import build_agent
    from .lab.build import APPS_DIR, build_app

    settings = _settings(ctx)
    for app_dir in sorted(APPS_DIR.iterdir()):
        if (app_dir / "src").is_dir():
            standins, classes = build_app(settings.cache_dir, app_dir.name)
            err.print(tr(f"lab app {app_dir.name}: {classes}", f"实验室应用 {app_dir.name}：{classes}"))
    err.print(tr(f"stand-ins: {standins}", f"Android 替身类：{standins}"))
    bundle = build_agent(settings.cache_dir)
    err.print(tr(f"agent: {len(bundle)} bytes", f"代理脚本：{len(bundle)} 字节"))


@lab_app.command("run")
def lab_run(
    ctx: typer.Context,
    lab_app_name: str = typer.Option(
        "demo", "--app", help="A lab app under lab/apps/ (ignored with --classpath)."
    ),
    classpath: Optional[str] = typer.Option(
        None, "--classpath", help="Your own lab app: directories or jars, ':'-separated."
    ),
    main_class: Optional[str] = typer.Option(
        None, "--main", help="With --classpath: the class whose main() runs."
    ),
    package: Optional[str] = typer.Option(
        None, "--package", help="The app's package (default: the main class's package)."
    ),
    scenario: str = typer.Option(
        "agree",
        help="agree, refuse, background, refuse-then-agree or permissions-deny: what the lab's user "
        "does (recorded; the rules judge by it).",
    ),
    driver: str = driver_option("tester"),
    notice_s: float = notice_s_option(),
    use_s: float = use_s_option(),
    background_s: float = background_s_option(),
    profile: str = typer.Option("lab", help="Device profile: a name in device_profiles/ or a YAML path."),
    app_profile: Optional[str] = typer.Option(
        None,
        "--app-profile",
        help="App profile: a name in app_profiles/ or a YAML path (default: the one whose package matches).",
    ),
    lab_props: list[str] = typer.Option(
        [],
        "--lab-prop",
        help=(
            "KEY=VALUE passed to the lab app as -Dprivmon.lab.KEY=VALUE (repeatable), e.g. "
            "variant=violations."
        ),
    ),
    timeout: float = typer.Option(120.0, help="Seconds before a lab app that does not exit is stopped."),
    consent_delay_ms: int = typer.Option(
        2000, help="The demo app: how long the notice shows before the tap."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the session and findings as JSON."),
    keys: bool = typer.Option(True, "--keys/--no-keys", help="Read [c]/[r]/[q] keys from the terminal."),
    live: Optional[bool] = typer.Option(
        None,
        "--live/--no-live",
        help="Print findings as they appear while the app runs (default: on, off with --json).",
    ),
    extra_hooks: Optional[Path] = typer.Option(
        None, "--extra-hooks", help="A YAML file of more hook entries (the format of hooks/catalogue.yaml)."
    ),
    unpin: bool = typer.Option(
        False,
        "--unpin",
        help="Bypass TLS pinning (OkHttp, Conscrypt, network security config, WebView; native "
        "OpenSSL/BoringSSL certificate checks in processes whose TLS is read).",
    ),
    redirect: bool = typer.Option(
        True,
        "--redirect/--no-redirect",
        help="Redirect every connection the app opens to the proxy (default); --no-redirect: only "
        "traffic that uses the proxy setting is captured, and every flow on the proxy counts.",
    ),
) -> None:
    """Run a lab app under the real agent, mitmproxy and store; ends with its findings."""
    from .app_profile import resolve as resolve_app_profile
    from .device_profile import load_profile
    from .lab.build import build_app, build_plugin, build_standins, lab_app_dir, lab_neighbour_class
    from .run.lab_jvm import LabApp
    from .run.runs import run_lab

    if scenario not in SCENARIOS:
        raise CliError(f"--scenario must be one of {', '.join(SCENARIOS)}, not {scenario!r}")
    times = drive_times(driver, notice_s, use_s, background_s)
    settings = _settings(ctx)
    device_profile = load_profile(profile)
    jvm_properties = {"privmon.lab.consentDelayMs": str(consent_delay_ms)}
    jvm_properties.update({f"privmon.lab.{k}": v for k, v in lab_properties(lab_props).items()})
    if extra_hooks is not None:
        from .capture.catalogue import load_catalogue

        load_catalogue(extra_hooks)  # fail now, with the file's name, not after the app started
    if classpath:
        if not main_class:
            raise CliError("--classpath needs --main (the class whose main() runs)")
        entries = [Path(p).expanduser().resolve() for p in classpath.split(":") if p]
        missing = [str(p) for p in entries if not p.exists()]
        if missing:
            raise CliError(f"--classpath: not found: {', '.join(missing)}")
        cp = [build_standins(settings.cache_dir), *entries]
        app_package = package or main_class.rpartition(".")[0] or main_class
    else:
        if main_class:
            raise CliError("--main goes with --classpath")
        standins, classes = build_app(settings.cache_dir, lab_app_name)
        cp, main_class = [standins, classes], _lab_main(lab_app_name)
        app_package = package or main_class.rpartition(".")[0]
        jvm_properties["privmon.lab.appDir"] = str(lab_app_dir(lab_app_name))  # the app's own files
        plugin = build_plugin(settings.cache_dir, lab_app_name)
        if plugin is not None:
            jvm_properties["privmon.lab.pluginDir"] = str(plugin)
    resolved_profile = resolve_app_profile(app_profile, app_package)

    err.print(
        tr(
            "[LAB] simulated device and network — not a real phone", "[实验室] 模拟的设备与网络——不是真实手机"
        ),
        markup=False,
    )
    err.print(
        tr(f"[lab] scenario {scenario}: ", f"[实验室] 场景 {scenario}：") + scenario_steps(scenario),
        markup=False,
    )
    app = LabApp(
        classpath=cp,
        main_class=main_class,
        package=app_package,
        profile=device_profile,
        scenario=scenario,
        jvm_properties=jvm_properties,
        extra_hooks=extra_hooks,
        unpin=unpin,
        redirect=redirect,
        neighbour=None if classpath else lab_neighbour_class(lab_app_name),
        lab_name=None if classpath else lab_app_name,
        driven=times is not None,
    )
    run_and_report(
        settings,
        lambda writer: run_lab(
            settings,
            writer,
            app,
            resolved_profile,
            timeout,
            keys and not as_json,
            say,
            live=(not as_json) if live is None else live,
            drive_times=times,
        ),
        as_json,
    )


def _lab_main(name: str) -> str:
    from .lab.build import lab_main_class

    return lab_main_class(name)


from . import cli_batch, cli_device, cli_farm, cli_policy  # noqa: E402,F401  (register their commands on `app`)


# -- entry point ----------------------------------------------------------------------------
def _known_error_code(exc: BaseException) -> ExitCode | None:
    from .app_profile import AppProfileError
    from .capture.agent import AgentBuildError
    from .capture.catalogue import CatalogueError
    from .capture.hook_runner import AttachError
    from .capture.proxy import ProxyError
    from .device.devices import DeviceError
    from .device_profile import ProfileError
    from .evidence.bundle import BundleError
    from .evidence.signing import SigningError
    from .importer import ImportError_
    from .lab.build import LabError
    from .storage.engine import SchemaError, StoreError
    from .storage.queries import SessionNotFound

    table = {
        CliError: None,
        SessionNotFound: ExitCode.NOT_FOUND,
        BundleError: ExitCode.BAD_BUNDLE,
        SigningError: ExitCode.USAGE,
        DeviceError: ExitCode.SETUP,
        LabError: ExitCode.RUN_FAILED,
        AttachError: ExitCode.RUN_FAILED,
        ProxyError: ExitCode.RUN_FAILED,
        AgentBuildError: ExitCode.SETUP,
        SchemaError: ExitCode.SETUP,
        StoreError: ExitCode.STORE,
        ProfileError: ExitCode.USAGE,
        AppProfileError: ExitCode.USAGE,
        CatalogueError: ExitCode.USAGE,
        ImportError_: ExitCode.USAGE,
    }
    for cls, code in table.items():
        if isinstance(exc, cls):
            return exc.code if isinstance(exc, CliError) else code
    return None


def main() -> None:
    # A privmon that seems hung shows where each of its threads is: `kill -USR1 <pid>` (docs/lab.md).
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    try:
        app(prog_name="privmon")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        err.print(tr("privmon: interrupted", "privmon：已中断"), markup=False)
        sys.exit(130)
    except Exception as exc:  # one line, never a traceback (PRIVMON_DEBUG=1 shows it)
        if env("PRIVMON_DEBUG"):
            raise
        code = _known_error_code(exc)
        message = str(exc).strip().splitlines()
        text = message[0] if message else type(exc).__name__
        if code is None:
            err.print(
                tr(
                    f"privmon: internal error: {type(exc).__name__}: {text} (PRIVMON_DEBUG=1 shows the "
                    "traceback)",
                    f"privmon：内部错误：{type(exc).__name__}：{text}（设置 PRIVMON_DEBUG=1 可查看调用栈）",
                ),
                markup=False,
            )
            sys.exit(ExitCode.INTERNAL)
        err.print(tr(f"privmon: error: {text}", f"privmon：错误：{text}"), markup=False)
        sys.exit(code)


if __name__ == "__main__":
    # `python -m monitor.cli`: run the one imported module, so that the commands cli_device
    # registers and the error classes it raises are the ones main() knows.
    from monitor.cli import main as _main

    _main()
