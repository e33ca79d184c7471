"""report.html: a self-contained report (inline style, no scripts, opens offline) per finding:
the scenario, what happened, the evidence, the clauses and a remediation hint, in English and
Chinese, with the limits of a dynamic test stated. Everything captured is escaped."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, select_autoescape

from ..clauses import clause_text
from ..severity import HIGHEST_FIRST, rank

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


def render_report(session: dict, findings: list[dict], tools: dict, limits: str) -> bytes:
    counts: dict[str, int] = {}
    for f in findings:
        counts[f["severity"]] = counts.get(f["severity"], 0) + 1
    html = _ENV.from_string(TEMPLATE).render(
        session=session,
        findings=sorted(findings, key=lambda f: (rank(f["severity"]), f["ts"])),
        scenario=(session.get("meta") or {}).get("scenario"),
        lab=session["target"] == "lab",
        tools=tools,
        limits=limits,
        remedies=REMEDIES,
        by_severity=[(s, counts[s]) for s in HIGHEST_FIRST if s in counts],
    )
    return html.encode("utf-8")
