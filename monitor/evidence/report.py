"""report.html (and report.pdf, printed from it): the report that ends a test, Chinese first and
English beside. A cover with the app, device and run facts (times in Beijing time, UTC beside), a
verdict (检测结论), the test items in the order of the regulation texts (each failed, passed or not
tested, with its findings), a per-SDK summary, the consent timeline as a figure, each finding with
its evidence inline (the hooked call and the frames that decided the SDK, the request line and the
matched bytes with their decoding path, the consent event and the screenshot taken at it), and the
limits of the test. Self-contained (inline style and images, no scripts); everything captured is
escaped by the template."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timezone
from pathlib import Path

from jinja2 import Environment, select_autoescape

from ..clauses import clause_text
from ..finding_groups import grouped
from ..severity import HIGHEST_FIRST, SEVERITY_ZH, rank
from ..timeutil import BEIJING

DOCUMENT_ORDER = ("APP", "CHILD", "CLAST", "TAOBAO", "ECOM")  # as the regulation texts rank
MAX_FRAMES = 8  # stack frames shown per call: from the hooked API down to the deciding frame
STATUS = {
    "fail": ("不通过", "fail"),
    "pass": ("通过", "pass"),
    "untested": ("未检测", "not tested"),
}
PHASE_COLOURS = {  # the timeline's bands; notice and consent never share a hue
    "before-notice": "#f1c0b5",
    "notice-shown": "#f6dc8c",
    "consented": "#b9e0c3",
    "refused": "#c7c2e8",
    "withdrawn": "#d9d9d9",
}
PHASE_ZH = {
    "before-notice": "隐私政策展示前",
    "notice-shown": "已展示隐私政策",
    "consented": "已同意",
    "refused": "已拒绝",
    "withdrawn": "已撤回",
}


REMEDIES = {
    "PRECONSENT_COLLECTION": (
        "Initialise SDKs and read PI only after the user agrees to the privacy policy (use the SDKs' "
        "pre-init / privacy-agree APIs).",
        "在用户同意隐私政策后再初始化SDK、读取个人信息（使用SDK的预初始化/隐私授权接口）。",
    ),
    "PRECONSENT_TRANSMISSION": (
        "Send no PI (hashed or not) before consent; queue reports until the user agrees.",
        "同意前不发送任何个人信息（含哈希值）；将上报延迟到用户同意之后。",
    ),
    "SDK_PRECONSENT": (
        "Delay the SDK's initialisation until consent, and check its privacy-compliance guide.",
        "将该SDK的初始化推迟到用户同意之后，并按其合规指引配置。",
    ),
    "POST_REFUSAL": (
        "Stop all collection and reporting when the user refuses or withdraws consent.",
        "用户拒绝或撤回同意后，停止一切收集和上报。",
    ),
    "EXCESSIVE_FREQUENCY": (
        "Cache the value and read it again only when the feature needs it.",
        "缓存该信息，仅在业务功能需要时再次读取。",
    ),
    "BACKGROUND_COLLECTION": (
        "Stop reading PI when the app leaves the foreground or the screen turns off.",
        "应用退到后台或锁屏时停止读取个人信息。",
    ),
    "THIRD_PARTY_SHARING": (
        "Name the receiver, purpose and data in the third-party sharing list, and obtain consent for it.",
        "在第三方共享清单中列明接收方、目的和数据类型，并取得用户同意。",
    ),
    "CROSS_BORDER_TRANSFER": (
        "Keep the data in the jurisdiction, or complete the cross-border procedure and obtain separate "
        "consent.",
        "将数据存储在境内，或完成出境评估程序并取得单独同意。",
    ),
    "CLEARTEXT_TRANSMISSION": (
        "Use HTTPS for every request that carries PI.",
        "所有携带个人信息的请求使用 HTTPS。",
    ),
    "SENSITIVE_WITHOUT_SEPARATE_CONSENT": (
        "Ask for the permission (with its purpose) right before the feature that needs it.",
        "在使用相关功能前，说明目的并单独申请对应权限。",
    ),
    "PERMISSION_BUNDLING": (
        "Request permissions one at a time, when their features are used, never at first launch.",
        "在使用具体功能时逐项申请权限，不在首次启动时集中申请。",
    ),
    "REPEATED_PERMISSION_REQUEST": (
        "After a denial, do not ask again within 48 hours unless the user starts the feature.",
        "用户拒绝后48小时内不再重复申请，除非用户主动使用相关功能。",
    ),
    "FORCED_EXIT_AFTER_REFUSAL": (
        "Keep the basic functions working when the user refuses.",
        "用户拒绝后仍应提供基本功能，不得退出应用。",
    ),
    "SELF_OR_ASSOCIATED_START": (
        "Remove self-start and associated start behaviour, or disclose it and obtain consent.",
        "移除自启动/关联启动行为，或在隐私政策中说明并取得同意。",
    ),
    "CHILD_DATA_WITHOUT_GUARDIAN_CONSENT": (
        "Obtain a guardian's consent before collecting any child's PI.",
        "收集儿童个人信息前取得监护人同意。",
    ),
    "REFLECTIVE_ACCESS": (
        "Call the API directly and disclose the collection.",
        "直接调用相关接口并在隐私政策中披露。",
    ),
    "PLAINTEXT_LOCAL_STORAGE": (
        "Encrypt PI at rest (e.g. EncryptedSharedPreferences, SQLCipher).",
        "对本地存储的个人信息加密（如 EncryptedSharedPreferences、SQLCipher）。",
    ),
    "NO_NOTICE_AT_FIRST_RUN": (
        "Show the privacy notice at first launch, before any collection.",
        "首次启动时、收集任何信息前展示隐私政策。",
    ),
    "COLLECTION_BEYOND_DECLARED": (
        "Add the PI or third party to the declared lists, or stop collecting or sharing it.",
        "将该信息或第三方补充到收集/共享清单，或停止收集/共享。",
    ),
}

TEMPLATE = (Path(__file__).parent / "templates" / "report.html").read_text(encoding="utf-8")

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_ENV.filters["clause"] = clause_text
# captured values as JSON with Chinese kept as characters (jinja's tojson would print \\uXXXX)
_ENV.filters["json"] = lambda value: json.dumps(value, ensure_ascii=False, default=str)


def times(ts_us: int | None) -> dict | None:
    """A moment as the report prints it: Beijing time, UTC beside."""
    if ts_us is None:
        return None
    utc = datetime.fromtimestamp(ts_us / 1e6, tz=timezone.utc)
    bj = utc.astimezone(BEIJING)
    return {
        "bj": bj.strftime("%Y-%m-%d %H:%M:%S.") + f"{bj.microsecond // 1000:03d}",
        "utc": utc.strftime("%Y-%m-%d %H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z",
    }


def _ref_key(clause: dict) -> tuple:
    doc = clause.get("document") if isinstance(clause, dict) else None
    ref = clause.get("ref", "") if isinstance(clause, dict) else str(clause)
    order = DOCUMENT_ORDER.index(doc) if doc in DOCUMENT_ORDER else len(DOCUMENT_ORDER)
    return (order, [int(n) if n.isdigit() else n for n in re.findall(r"\d+|[^\d\W]+", ref)], ref)


def _clause_id(clause) -> str:
    return f"{clause.get('document')}:{clause.get('ref')}" if isinstance(clause, dict) else str(clause)


def _standing(f: dict) -> bool:
    """A finding counts unless a reviewer dismissed it."""
    return (f.get("review") or {}).get("state") != "dismiss"


def checked_items(rules: list[dict] | None, findings: list[dict]) -> list[dict]:
    """One item per clause, in the order of the regulation texts: the rules that test it, the
    findings that break it (a dismissed one does not), and its result."""
    items: dict[str, dict] = {}

    def item(clause) -> dict:
        return items.setdefault(_clause_id(clause), {"clause": clause, "rules": [], "findings": []})

    for rule in rules or []:
        for clause in rule["clauses"]:
            item(clause)["rules"].append(rule)
    for n, f in enumerate(findings, start=1):
        if not _standing(f):
            continue
        for clause in f["clauses"]:
            entry = item(clause)
            if n not in entry["findings"]:
                entry["findings"].append(n)
    for entry in items.values():
        if entry["findings"]:
            entry["status"] = "fail"
        elif entry["rules"] and not any(r["tested"] for r in entry["rules"]):
            entry["status"] = "untested"
        else:
            entry["status"] = "pass"
        entry["untested"] = [r for r in entry["rules"] if not r["tested"]]
    return sorted(items.values(), key=lambda e: _ref_key(e["clause"]))


def item_groups(items: list[dict]) -> list[dict]:
    """The items under their document's heading, each with the article in both languages (a
    clause stored before citations had parts is shown whole)."""
    groups: dict[str, dict] = {}
    for item in items:
        clause = item["clause"]
        parts = isinstance(clause, dict) and "article_zh" in clause
        key = clause["document_zh"] if parts else "—"
        group = groups.setdefault(key, {"zh": key, "en": clause["document_en"] if parts else "", "items": []})
        group["items"].append(
            {
                **item,
                "article_zh": clause["article_zh"] if parts else clause_text(clause, "zh"),
                "article_en": clause["article_en"] if parts else clause_text(clause, "en"),
            }
        )
    return list(groups.values())


def verdict(items: list[dict], findings: list[dict]) -> dict:
    standing = [f for f in findings if _standing(f)]
    counts = {s: sum(1 for f in standing if f["severity"] == s) for s in HIGHEST_FIRST}
    failed = sum(1 for i in items if i["status"] == "fail")
    untested = sum(1 for i in items if i["status"] == "untested")
    if failed:
        zh, en = "不通过", "fail"
    elif untested:
        zh, en = "通过（部分项目未检测）", "pass, with items not tested"
    else:
        zh, en = "通过", "pass"
    return {
        "zh": zh,
        "en": en,
        "failed": failed,
        "passed": sum(1 for i in items if i["status"] == "pass"),
        "untested": untested,
        "findings": len(standing),
        "by_severity": [(s, n) for s, n in counts.items() if n],
    }


def timeline_figure(session: dict, timeline: dict | None, findings: list[dict], consents: list[dict]) -> dict:
    """The consent timeline as bands, marks and a time axis (seconds from the start), in SVG units."""
    start = session["started_at"]
    ends = [session.get("ended_at") or 0, *(f["ts_us"] for f in findings), *(c["ts_us"] for c in consents)]
    end = max([start + 1_000_000, *ends])
    width, left = 900.0, 10.0
    scale = (width - 2 * left) / (end - start)

    def x(ts: int) -> float:
        return round(left + (min(max(ts, start), end) - start) * scale, 1)

    phases = [
        {
            "x": x(p["start"]),
            "w": max(1.0, x(p["end"] if p["end"] is not None else end) - x(p["start"])),
            "fill": PHASE_COLOURS.get(p["name"], "#e3e6ec"),
            "name": p["name"],
        }
        for p in (timeline or {}).get("phases") or []
    ]
    span_s = (end - start) / 1e6
    step = next(
        (s for s in (0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600) if span_s / s <= 10), 7200
    )
    ticks = []
    t = 0.0
    while t <= span_s + 1e-9:
        ticks.append({"x": x(start + int(t * 1e6)), "label": f"{t:g} s"})
        t += step
    return {
        "width": width,
        "phases": phases,
        "legend": [(name, PHASE_ZH[name], colour) for name, colour in PHASE_COLOURS.items()],
        "consents": [{"x": x(c["ts_us"]), "kind": c["kind"], "detail": c.get("detail")} for c in consents],
        "findings": [
            {"x": x(f["ts_us"]), "n": n, "severity": f["severity"]} for n, f in enumerate(findings, 1)
        ],
        "ticks": ticks,
        "start": times(start),
    }


def _frames(event: dict) -> list[dict]:
    """The hooked call's frames from the API down to the deciding frame (or the first few)."""
    stack = event.get("stack") or []
    deciding = [i for i, fr in enumerate(stack) if fr.get("deciding")]
    last = min((deciding[-1] + 2) if deciding else 4, len(stack), MAX_FRAMES)
    return stack[:last]


def _image(data: bytes | None) -> str | None:
    if not data or not data.startswith(b"\x89PNG"):
        return None
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def render_report(
    session: dict,
    findings: list[dict],
    evidence: list[dict],
    sdks: list[dict],
    rules: list[dict] | None,
    timeline: dict | None,
    consents: list[dict],
    screenshots: dict[str, bytes],
    tools: dict,
    limits: str,
    apk: dict | None = None,
    gaps: list[tuple[str, str]] | None = None,
) -> bytes:
    """`session`: the stored session (times in µs); `findings`: reviewed findings, most severe first
    is how they are printed; `evidence`: finding_evidence() of each, in the same order; `sdks`:
    SdkSummary rows; `rules`: the analysis's rule coverage (None: analysed before it was stored);
    `gaps`: what the run could not capture (evidence/gaps.py), printed with the limits;
    `screenshots`: bundle name → PNG bytes (none in a redacted bundle); `apk`: apk_comparison()."""
    # printed in their groups (one per actor), most severe group first; numbered in that order
    by_fingerprint = {f["fingerprint"]: e for f, e in zip(findings, evidence)}
    ordered = sorted(findings, key=lambda f: (rank(f["severity"]), f["ts_us"]))
    groups = grouped(ordered)
    findings = [f for g in groups for f in g["findings"]]
    evidence = [by_fingerprint[f["fingerprint"]] for f in findings]
    first = 1
    for g in groups:
        g["first"], first = first, first + len(g["findings"])
    for e in evidence:
        e["frames"] = [_frames(h) for h in e["hook_events"]]
        shot = e.get("screenshot")
        e["image"] = _image(screenshots.get(f"screenshots/{shot['name']}")) if shot else None
    meta = session.get("meta") or {}
    device = meta.get("device") if isinstance(meta.get("device"), dict) else {}
    items = checked_items(rules, findings)
    html = _ENV.from_string(TEMPLATE).render(
        session=session,
        meta=meta,
        app=meta.get("app_metadata") if isinstance(meta.get("app_metadata"), dict) else {},
        device=device,
        build=(device.get("build") if isinstance(device.get("build"), dict) else None)
        or meta.get("device_build")
        or {},
        lab=session["target"] == "lab" or bool(device.get("lab")),
        scenario=meta.get("scenario"),
        started=times(session["started_at"]),
        ended=times(session.get("ended_at")),
        made=times(int(datetime.now(timezone.utc).timestamp() * 1e6)),
        findings=findings,
        evidence=evidence,
        item_groups=item_groups(items),
        groups=groups,
        coverage_known=rules is not None,
        verdict=verdict(items, findings),
        sdks=sdks,
        apk=apk,
        figure=timeline_figure(session, timeline, findings, consents),
        consents=consents,
        tools=tools,
        limits=limits,
        gaps=gaps or [],
        remedies=REMEDIES,
        status=STATUS,
        severity_zh=SEVERITY_ZH,
        phase_zh=PHASE_ZH,
        times=times,
    )
    return html.encode("utf-8")
