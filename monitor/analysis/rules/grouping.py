"""Findings a reader can follow: the findings about one actor (an SDK, the app's own code, code
nobody identified) form one group, its facets, with a title that says the behaviour in one line
("The Umeng SDK read IMEI, Android ID before consent and sent IMEI, Android ID to ulogs.umeng.com")
instead of seven separate high findings. Stored with each finding (`finding_group`), so every reader
(CLI, dashboard, report) shows the same groups."""

from __future__ import annotations

from ... import events as ev
from ...knowledge.sdks import knowledge
from ...severity import rank
from ..rule_catalogue import RULES
from .common import cap, pi_label, pi_label_zh

READS = ("PRECONSENT_COLLECTION", "POST_REFUSAL", "BACKGROUND_COLLECTION", "EXCESSIVE_FREQUENCY")
SPELLED = {*READS, "PRECONSENT_TRANSMISSION", "SDK_PRECONSENT", "THIRD_PARTY_SHARING"}


def _actor(f: ev.Finding) -> tuple[str, str, str]:
    """(key, who, 谁) of a finding: its SDK or code package, else the party its evidence names."""
    if f.sdk:
        kb = knowledge()
        if kb.by_name(f.sdk) is not None:
            return f"sdk:{f.sdk}", f"the {f.sdk} SDK", f"{kb.name_zh(f.sdk)} SDK"
        return f"code:{f.sdk}", f"third-party code {f.sdk}", f"第三方代码 {f.sdk}"
    evidence = f.evidence or {}
    who = evidence.get("attribution") or evidence.get("sent_by") or {}
    if who.get("party") == "unknown":
        return "unknown", "code of unknown origin", "来源不明的代码"
    return "app", "the app", "应用"


def _labels(types: list[str], zh: bool) -> str:
    return ("、" if zh else ", ").join(pi_label_zh(t) if zh else pi_label(t) for t in types)


def _title(who: str, who_zh: str, facets: list[ev.Finding]) -> tuple[str, str]:
    read = list(dict.fromkeys(f.pi_type for f in facets if f.rule_id in READS and f.pi_type))
    sent = list(dict.fromkeys(f.pi_type for f in facets if f.host and f.pi_type))
    hosts = list(dict.fromkeys(f.host for f in facets if f.host))
    read_early = any(f.rule_id in ("PRECONSENT_COLLECTION", "SDK_PRECONSENT") for f in facets)
    sent_early = any(f.rule_id == "PRECONSENT_TRANSMISSION" for f in facets)
    parts, parts_zh = [], []
    if read:
        parts.append(f"read {_labels(read, False)}" + (" before consent" if read_early else ""))
        parts_zh.append(("同意前" if read_early else "") + f"读取{_labels(read, True)}")
    if sent:
        shown = ", ".join(hosts[:3]) + (f" and {len(hosts) - 3} more" if len(hosts) > 3 else "")
        parts.append(f"sent {_labels(sent, False)} to {shown}" + (" before consent" if sent_early else ""))
        more = "等" if len(hosts) > 3 else ""
        parts_zh.append(
            ("同意前" if sent_early else "") + f"向 {'、'.join(hosts[:3])}{more} 发送{_labels(sent, True)}"
        )
    # what the reads and sends above do not say (cross-border, cleartext, permissions, storage…)
    for rule_id in dict.fromkeys(f.rule_id for f in facets if f.rule_id not in SPELLED):
        summary = RULES[rule_id].summary
        parts.append(summary[:1].lower() + summary[1:])
        parts_zh.append(RULES[rule_id].summary_zh)
    return cap(who) + ": " + "; ".join(parts), who_zh + "：" + "；".join(parts_zh)


def group_findings(findings: list[ev.Finding]) -> None:
    """Sets each finding's `group`: {key, title, title_zh, severity, size}."""
    by_actor: dict[str, list[ev.Finding]] = {}
    names: dict[str, tuple[str, str]] = {}
    for f in findings:
        key, who, who_zh = _actor(f)
        by_actor.setdefault(key, []).append(f)
        names[key] = (who, who_zh)
    for key, facets in by_actor.items():
        title, title_zh = _title(*names[key], facets)
        group = {
            "key": key,
            "title": title,
            "title_zh": title_zh,
            "severity": min((f.severity for f in facets), key=rank),
            "size": len(facets),
        }
        for f in facets:
            f.finding_group = group
