"""findings.xlsx never fails on what the app sent and never evaluates it: control characters,
formula-like text, huge values, more hook events than a sheet should hold."""

import io

from openpyxl import load_workbook

from monitor.evidence import workbook
from monitor.evidence.report import REMEDIES

T0 = 1_800_000_000_000_000


def _event(i, args):
    return {
        "id": i,
        "ts_us": T0 + i,
        "api": "android.content.ClipboardManager.getPrimaryClip",
        "pi_type": "clipboard",
        "sdk": "Umeng",
        "consent_phase": "before-notice",
        "app_state": "foreground",
        "args": args,
        "ret": '=HYPERLINK("http://evil")',
        "thread": "main\x00\x07",
        "pid": 7,
        "stack": ["com.umeng.A.b(A.java:1)"],
    }


def test_hostile_values_are_kept_as_text_cut_and_cleaned(monkeypatch):
    monkeypatch.setattr(workbook, "MAX_EVENT_ROWS", 3)
    session = {
        "id": "s",
        "app": "a\x01pp",
        "target": "lab",
        "status": "completed",
        "started_at": T0,
        "ended_at": None,
        "meta": {"device": {"model": "=cmd|' /C calc'!A0"}},
    }
    events = [_event(i, ["剪贴板内容 " + "x" * 50_000]) for i in range(5)]
    data = workbook.session_workbook(session, [], iter(events), [], REMEDIES)
    book = load_workbook(io.BytesIO(data))
    sheet = book["调用记录 hook events"]
    assert sheet.max_row == 1 + 3 + 1  # three kept, then a row counting the rest
    assert "2 more hook events" in sheet.cell(5, 3).value
    args, ret, thread = sheet.cell(2, 8), sheet.cell(2, 9), sheet.cell(2, 10)
    assert args.value.startswith('["剪贴板内容 x') and len(args.value) < 2_100 and "characters)" in args.value
    assert ret.data_type == "s" and ret.value.startswith("=HYPERLINK")  # text, not a formula
    assert "\x00" not in thread.value and thread.value.startswith("main")
    sdk = {c.value for c in book["SDK汇总 per SDK"]["A"]}
    assert "Umeng" in sdk  # per SDK counts the kept events
    facts = {r[0].value: r[1].value for r in book["会话信息 session"].iter_rows(min_row=2)}
    assert facts["调用记录 hook events"] == 5 and facts["device.model"].startswith("=cmd")
    assert book["会话信息 session"]["B2"].data_type == "s"
