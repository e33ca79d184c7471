"""What this run let each rule judge. A rule whose situation never arose (no refusal, the app never
in the background, no traffic, no declared lists to compare with) is "not tested", with the reason,
so a report says so instead of a pass. Stored with the analysis (`rules` of analysis_facts) beside
each rule's summary and clauses, for readers that show every test item, failed or not."""

from __future__ import annotations

from ..rule_catalogue import RULES
from ..timeline import BACKGROUND, REFUSED, SCREEN_OFF, WITHDRAWN
from .behaviour_rules import denied_permissions
from .common import RuleContext

NO_TRAFFIC = ("no traffic was captured in this run", "本次运行未捕获到网络流量")
NEEDS_TRAFFIC = (
    "PRECONSENT_TRANSMISSION",
    "THIRD_PARTY_SHARING",
    "CROSS_BORDER_TRANSFER",
    "CLEARTEXT_TRANSMISSION",
)


def untested(ctx: RuleContext, flows: int) -> dict[str, tuple[str, str]]:
    """rule id → (why it could not be judged, 原因), for the rules this run could not judge."""
    phases = {p.name for p in ctx.timeline.phases}
    states = {s.name for s in ctx.timeline.states}
    refused = bool(phases & {REFUSED, WITHDRAWN})
    denied = any(denied_permissions(e) for e in ctx.signals if e.get("signal") == "permission_result")
    out: dict[str, tuple[str, str]] = {}
    if not refused:
        out["POST_REFUSAL"] = (
            "the user neither refused nor withdrew consent in this run (the refuse scenario tests it)",
            "本次运行中用户未拒绝或撤回同意（拒绝场景可检测此项）",
        )
    if not refused and not denied:
        out["FORCED_EXIT_AFTER_REFUSAL"] = (
            "nothing was refused in this run: neither consent nor a permission",
            "本次运行中用户未拒绝同意或权限",
        )
    if not denied:
        out["REPEATED_PERMISSION_REQUEST"] = (
            "no permission was denied in this run",
            "本次运行中没有权限被拒绝",
        )
    if not states & {BACKGROUND, SCREEN_OFF}:
        out["BACKGROUND_COLLECTION"] = (
            "the app never went to the background nor the screen off (the background scenario tests it)",
            "本次运行中应用未退到后台或锁屏（后台场景可检测此项）",
        )
    if ctx.profile.declared_collected is None and ctx.profile.declared_shared is None:
        out["COLLECTION_BEYOND_DECLARED"] = (
            "no lists of PI collected and shared to compare with: the app profile declares none and the "
            "run showed no privacy notice or policy page that names any (privmon policy)",
            "无可比对的清单：应用配置未声明个人信息收集清单和第三方共享清单，运行中也未读到列出它们的隐私弹窗或政策页面",
        )
    if not ctx.profile.children:
        out["CHILD_DATA_WITHOUT_GUARDIAN_CONSENT"] = (
            "the app profile does not mark the app as directed at children (judged only on age or "
            "birth-date fields seen in the run)",
            "应用配置未标记为面向儿童（仅依据运行中出现的年龄或出生日期字段判断）",
        )
    if flows == 0:
        out.update(dict.fromkeys(NEEDS_TRAFFIC, NO_TRAFFIC))
    return out


def rule_coverage(ctx: RuleContext, flows: int) -> list[dict]:
    """Every rule with its summary, clauses (stored whole) and whether this run could judge it."""
    skipped = untested(ctx, flows)
    return [
        {
            "rule_id": rule.id,
            "summary": rule.summary,
            "summary_zh": rule.summary_zh,
            "clauses": [c.stored() for c in rule.clauses],
            "tested": rule.id not in skipped,
            "reason": skipped.get(rule.id, (None, None))[0],
            "reason_zh": skipped.get(rule.id, (None, None))[1],
        }
        for rule in RULES.values()
    ]
