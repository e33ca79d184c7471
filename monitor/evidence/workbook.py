"""findings.xlsx as testers use it: a sheet per view (findings, per SDK, hook events, flows, session
facts), each with its header frozen, an autofilter and column widths; times are dates (Beijing
time, UTC+8, and UTC), findings carry their explanation and remediation in both languages.

Everything in it came from the app under test: every text cell is typed as text (no formula is
ever evaluated), cut at MAX_TEXT characters, and characters a workbook cannot hold are replaced,
so no captured value can make the export fail. Hook events beyond MAX_EVENT_ROWS are counted in a
last row (hook_events.jsonl in the bundle has them all)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..clauses import clauses_text
from ..severity import HIGHEST_FIRST, rank
from ..timeutil import BEIJING
from .sdk_summary import SdkSummary

MAX_TEXT = 2_000  # characters per cell (a workbook holds 32,767; a reader wants far fewer)
MAX_EVENT_ROWS = 20_000  # an xlsx row costs ~0.5 ms to write; hook_events.jsonl has every event
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss.000"
YES, NO = "是 yes", "否 no"


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    value: Callable[[Any], Any]


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT] + f"… ({len(text):,} characters)"
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)


def _when(ts_us: int | None, tz: timezone) -> datetime | None:
    if ts_us is None:
        return None
    return datetime.fromtimestamp(ts_us / 1e6, tz=tz).replace(tzinfo=None)


def _beijing(ts_us):
    return _when(ts_us, BEIJING)


def _utc(ts_us):
    return _when(ts_us, timezone.utc)


def _sheet(
    book: Workbook, title: str, columns: list[Column], rows: Iterable[Any], bold: Font, wrap: bool = False
) -> int:
    """A sheet of `rows`; `wrap`: wrap its text cells (a styled cell costs ~10× a plain one, so
    only the findings sheet, a few rows, wraps)."""
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    for i, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = column.width
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    wrapped = Alignment(wrap_text=True, vertical="top")
    count = 0
    for row in rows:
        cells: list[Any] = []
        for column in columns:
            value = column.value(row)
            if isinstance(value, datetime):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = DATE_FORMAT
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                cell = value
            else:
                text = _text(value)
                if not wrap and not text.startswith("="):
                    cells.append(text)  # a plain string cell
                    continue
                cell = WriteOnlyCell(sheet, value=text)
                cell.data_type = "s"  # text, never a formula
                if wrap:
                    cell.alignment = wrapped
            cells.append(cell)
        sheet.append(cells)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    return count


def _attribution(f: dict) -> dict:
    ev = f["evidence"]
    return ev.get("attribution") or (ev.get("data_flow") or {}).get("collected_by") or {}


def _finding_columns(remedies: dict) -> list[Column]:
    remedy = lambda f, i: (remedies.get(f["rule_id"]) or ("", ""))[i]  # noqa: E731
    return [
        Column("时间（北京时间）", 22, lambda f: _beijing(f["ts_us"])),
        Column("time (UTC)", 22, lambda f: _utc(f["ts_us"])),
        Column("规则 rule", 26, lambda f: f["rule_id"]),
        Column("严重程度 severity", 12, lambda f: f["severity"]),
        Column("标题", 50, lambda f: f.get("title_zh")),
        Column("title", 50, lambda f: f["title"]),
        Column("说明", 70, lambda f: f.get("explanation_zh")),
        Column("explanation", 70, lambda f: f["explanation"]),
        Column("整改建议", 50, lambda f: remedy(f, 1)),
        Column("remediation", 50, lambda f: remedy(f, 0)),
        Column("个人信息类别 PI category", 16, lambda f: f["pi_category"]),
        Column("个人信息 PI type", 16, lambda f: f["pi_type"]),
        Column("SDK", 18, lambda f: f["sdk"]),
        Column("接收方 host", 28, lambda f: f["host"]),
        Column("编码 encoding", 14, lambda f: f["encoding"]),
        Column("调用 API", 40, lambda f: f["evidence"].get("api")),
        Column("判定栈帧 deciding frame", 50, lambda f: _attribution(f).get("deciding_frame")),
        Column("条款", 70, lambda f: clauses_text(f["clauses"], "zh", "\n")),
        Column("clauses", 70, lambda f: clauses_text(f["clauses"], "en", "\n")),
        Column("审核 review", 12, lambda f: (f.get("review") or {}).get("state", "open")),
        Column("审核人 reviewer", 14, lambda f: (f.get("review") or {}).get("reviewer")),
        Column("审核意见 review note", 30, lambda f: (f.get("review") or {}).get("note")),
        Column("指纹 fingerprint", 22, lambda f: f["fingerprint"]),
    ]


def _sdk_columns() -> list[Column]:
    return [
        Column("SDK", 22, lambda r: r["sdk"]),
        Column("SDK（中文）", 16, lambda r: r["name_zh"]),
        Column("公司 company", 30, lambda r: r["company"]),
        Column("国家/地区 country", 12, lambda r: r["country"]),
        Column("读取 PI read", 36, lambda r: ", ".join(r["read"])),
        Column("读取次数 reads", 10, lambda r: r["reads"]),
        Column("首次读取（北京时间）first read", 22, lambda r: _beijing(r["first"])),
        Column("同意前读取 read before consent", 14, lambda r: YES if r["read_early"] else NO),
        Column("发送 PI sent", 36, lambda r: ", ".join(r["sent"])),
        Column("接收方 hosts", 40, lambda r: ", ".join(r["hosts"])),
        Column("同意前发送 sent before consent", 14, lambda r: YES if r["sent_early"] else NO),
        Column("发现 findings", 10, lambda r: r["findings"]),
        Column("最高严重程度 highest severity", 14, lambda r: r["severity"]),
    ]


EVENT_COLUMNS = [
    Column("时间（北京时间）", 22, lambda e: _beijing(e["ts_us"])),
    Column("time (UTC)", 22, lambda e: _utc(e["ts_us"])),
    Column("调用 API", 48, lambda e: e["api"]),
    Column("个人信息 PI type", 16, lambda e: e["pi_type"]),
    Column("SDK", 18, lambda e: e.get("sdk")),
    Column("同意阶段 consent phase", 16, lambda e: e.get("consent_phase")),
    Column("应用状态 app state", 14, lambda e: e.get("app_state")),
    Column("参数 arguments", 50, lambda e: e["args"]),
    Column("返回值 returned", 40, lambda e: e["ret"]),
    Column("线程 thread", 16, lambda e: e["thread"]),
    Column("进程 pid", 8, lambda e: e["pid"]),
    Column("栈 stack", 70, lambda e: "\n".join(e["stack"] or [])),
    Column("编号 id", 8, lambda e: e["id"]),
]

FLOW_COLUMNS = [
    Column("时间（北京时间）", 22, lambda f: _beijing(f["ts"])),
    Column("time (UTC)", 22, lambda f: _utc(f["ts"])),
    Column("方法 method", 10, lambda f: f["method"]),
    Column("主机 host", 30, lambda f: f["host"]),
    Column("路径 path", 40, lambda f: f["path"]),
    Column("状态 status", 8, lambda f: f["status"]),
    Column("错误 error", 30, lambda f: f["error"]),
    Column("捕获方式 capture path", 16, lambda f: f["capture_path"]),
    Column("发送方 SDK", 18, lambda f: f["sdk"]),
    Column("发送调用 sender API", 40, lambda f: f["sender_api"]),
    Column("编号 id", 36, lambda f: f["id"]),
]


def _facts(session: dict, findings: list[dict], events: int, flows: int) -> list[tuple[str, Any]]:
    meta = session.get("meta") or {}
    facts: list[tuple[str, Any]] = [
        ("会话 session", session["id"]),
        ("应用 app", session["app"]),
        ("目标 target", "LAB 实验室（模拟设备）" if session["target"] == "lab" else session["target"]),
        ("状态 status", session["status"]),
        ("开始（北京时间）started", _beijing(session["started_at"])),
        ("开始 started (UTC)", _utc(session["started_at"])),
        ("结束（北京时间）ended", _beijing(session["ended_at"])),
        ("结束 ended (UTC)", _utc(session["ended_at"])),
        ("场景 scenario", meta.get("scenario")),
        ("发现 findings", len(findings)),
        *(
            (f"发现 findings: {s}", n)
            for s in HIGHEST_FIRST
            if (n := sum(1 for f in findings if f["severity"] == s))
        ),
        ("调用记录 hook events", events),
        ("网络请求 flows", flows),
    ]
    for key in ("device", "app_metadata", "app_profile"):
        value = meta.get(key)
        if isinstance(value, dict):
            facts += [(f"{key}.{k}", v) for k, v in value.items() if not isinstance(v, (dict, list))]
        elif value is not None:
            facts.append((key, value))
    return facts[:500]


FACT_COLUMNS = [Column("项目 item", 36, lambda r: r[0]), Column("值 value", 80, lambda r: r[1])]


def session_workbook(
    session: dict,
    findings: list[dict],
    events: Iterable[dict],
    flows: list[dict],
    remedies: dict,
    sdks: SdkSummary | None = None,
) -> bytes:
    """`events`: hook_event_json() dicts, each fed to `sdks` too (the report's per-SDK summary
    reads the same pass); `flows`: flow rows as `privmon flows --json` gives them."""
    bold = Font(bold=True)
    sdks = sdks if sdks is not None else SdkSummary()
    kept: list[dict] = []
    total = 0
    for e in events:
        total += 1
        sdks.add_event(e)
        if len(kept) < MAX_EVENT_ROWS:
            kept.append(e)
    book = Workbook(write_only=True)
    ordered = sorted(findings, key=lambda f: (rank(f["severity"]), f["ts_us"]))
    _sheet(book, "发现问题 findings", _finding_columns(remedies), ordered, bold, wrap=True)
    _sheet(book, "SDK汇总 per SDK", _sdk_columns(), sdks.rows(findings), bold)
    more = [] if total <= len(kept) else [_more_row(total - len(kept))]
    _sheet(book, "调用记录 hook events", EVENT_COLUMNS, [*kept, *more], bold)
    _sheet(book, "网络请求 flows", FLOW_COLUMNS, flows, bold)
    _sheet(book, "会话信息 session", FACT_COLUMNS, _facts(session, findings, total, len(flows)), bold)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _more_row(count: int) -> dict:
    row = dict.fromkeys(("ts_us", "pi_type", "args", "ret", "thread", "pid", "stack", "id"))
    return row | {"api": f"… {count:,} more hook events in hook_events.jsonl 更多调用记录见该文件"}
