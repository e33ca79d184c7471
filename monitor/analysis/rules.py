"""The consent rules over a session's frames (pandas)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import pandas as pd

from .. import events as ev
from ..knowledge.sdks import knowledge
from .party import describe_receiver
from ..timeutil import iso_utc
from .attribution import Attribution
from .rule_catalogue import RULES, THIRD_PARTY_CLAUSE, severity_for

PI_LABELS = {
    "imei": "IMEI", "imsi": "IMSI", "android_id": "Android ID", "precise_location": "precise location",
    "installed_packages": "installed app list", "clipboard_text": "clipboard content",
}
MAX_EVIDENCE_IDS = 50


@dataclass(frozen=True)
class ConsentPoint:
    ts: int | None  # None: no consent in this run
    event_id: int | None
    source: str | None
    clock_error_us: int  # bound on the device/host clock offset


def fingerprint(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=str).encode()).hexdigest()[:20]


def pi_label(pi_type: str | None) -> str:
    return PI_LABELS.get(pi_type or "", (pi_type or "PI").replace("_", " "))


def _timing(ts: int, consent: ConsentPoint, cross_clock: bool) -> dict:
    if consent.ts is None:
        return {"before_consent_ms": None, "note": "no consent was recorded in this run"}
    margin = consent.ts - ts
    timing = {"before_consent_ms": round(margin / 1000, 3)}
    if cross_clock and margin < consent.clock_error_us:
        timing["ordering_uncertain"] = True
        timing["note"] = (f"the margin ({margin} µs) is within the clock-offset error bound "
                          f"({consent.clock_error_us} µs) between device and host times")
    return timing


def _caller_text(attr: Attribution) -> str:
    if attr.party == "sdk":
        return f"the {attr.sdk.name} SDK"
    if attr.party == "app":
        return "the app's own code"
    return "code of unknown origin"


def preconsent_collection(session_id: str, events: pd.DataFrame, attributions: dict[int, Attribution],
                          consent: ConsentPoint) -> list[ev.Finding]:
    rule = RULES["PRECONSENT_COLLECTION"]
    if events.empty:
        return []
    pi = events[events["pi_category"].notna()]
    if consent.ts is not None:
        pi = pi[pi["ts"] < consent.ts]
    findings = []
    if pi.empty:
        return findings
    pi = pi.assign(caller=[_caller_key(attributions[i]) for i in pi["id"]])
    for (pi_type, caller), group in pi.groupby(["pi_type", "caller"], sort=False):
        first = group.sort_values(["ts", "id"]).iloc[0]
        api = first["api"]  # the first call; delegation inside the platform adds more APIs
        apis = list(dict.fromkeys(group.sort_values(["ts", "id"])["api"]))
        attr = attributions[int(first["id"])]
        label = pi_label(pi_type)
        who = _caller_text(attr)
        when = "before consent" if consent.ts is not None else "with no consent in the run"
        findings.append(ev.Finding(
            session_id=session_id,
            fingerprint=fingerprint(rule.id, pi_type, caller),
            rule_id=rule.id,
            severity=severity_for(rule, first["pi_category"]),
            title=f"{label[0].upper() + label[1:]} read {when} by {who} ({api.rsplit('.', 2)[-2]}.{api.rsplit('.', 1)[-1]})",
            explanation=(
                f"{who[0].upper() + who[1:]} read the {label} {len(group)} time(s) through {', '.join(apis)}, first at "
                f"{iso_utc(int(first['ts']))}, {_before(consent, int(first['ts']))}.\n"
                f"{_zh_who(attr)}在用户同意隐私政策前调用 {api} 读取了{label}（{len(group)} 次）。"
            ),
            ts=int(first["ts"]),
            pi_category=first["pi_category"],
            pi_type=pi_type,
            sdk=attr.label,
            host=None,
            encoding=None,
            clauses=list(rule.clauses),
            evidence={
                "hook_event_ids": [int(i) for i in group.sort_values("ts")["id"].head(MAX_EVIDENCE_IDS)],
                "hook_event_count": int(len(group)),
                "api": api,
                "apis": apis,
                "attribution": _attribution_evidence(attr),
                "consent_event_id": consent.event_id,
                "consent_source": consent.source,
                **_timing(int(first["ts"]), consent, cross_clock=consent.source not in (None, "click")),
            },
        ))
    return findings


def preconsent_transmission(session_id: str, matches: pd.DataFrame, flows: pd.DataFrame,
                            events_by_id: dict[int, dict], attributions: dict[int, Attribution],
                            consent: ConsentPoint, senders: dict | None = None,
                            app_package: str | None = None) -> list[ev.Finding]:
    rule = RULES["PRECONSENT_TRANSMISSION"]
    matches = matches[matches["encoding"] != "detected"]  # lower confidence: shown as PI matches, not judged here
    if matches.empty:
        return []
    joined = matches.merge(flows[["id", "host", "url", "method", "server_ip"]], left_on="flow_id", right_on="id",
                           suffixes=("", "_flow"))
    joined["ts_start"] = joined["ts"]  # when the value left: the request, or its WebSocket message
    if consent.ts is not None:
        joined = joined[joined["ts_start"] < consent.ts]
    findings = []
    for (host, pi_type, encoding), group in joined.groupby(["host", "pi_type", "encoding"], sort=False):
        first = group.sort_values(["ts_start", "id"]).iloc[0]
        receiver = knowledge().by_host(host)
        described = describe_receiver(host, first["server_ip"] if pd.notna(first["server_ip"]) else None, app_package)
        hook_id = first["hook_event_id"]
        collector_attr = attributions.get(int(hook_id)) if pd.notna(hook_id) else None
        sender = (senders or {}).get(first["flow_id"])
        sdk = receiver or (sender.attribution.sdk if sender else None) or (collector_attr.sdk if collector_attr else None)
        clauses = list(rule.clauses) + ([THIRD_PARTY_CLAUSE] if described["party"] == "third" else [])
        label = pi_label(pi_type)
        enc_text = "in plain text" if encoding == "plain" else f"as {encoding}"
        ts = int(first["ts_start"])
        link = None
        if collector_attr is not None:
            collected = events_by_id[int(hook_id)]
            link = {"hook_event_id": int(hook_id), "api": collected["api"],
                    "collected_at": iso_utc(collected["ts"]), "delta_ms": round((ts - collected["ts"]) / 1000, 3),
                    "collected_by": _attribution_evidence(collector_attr)}
        findings.append(ev.Finding(
            session_id=session_id,
            fingerprint=fingerprint(rule.id, host, pi_type, encoding),
            rule_id=rule.id,
            severity=severity_for(rule, first["pi_category"]),
            title=f"{label[0].upper() + label[1:]} sent {enc_text} to {host} before consent" + (f" ({sdk.name})" if sdk else ""),
            explanation=(
                f"A {first['method']} request to {first['url']} carried the {label} {enc_text} "
                f"(at {first['location']}), {_before(consent, ts)}.\n"
                f"在用户同意隐私政策前，{label}以{'明文' if encoding == 'plain' else encoding}形式发送至 {host}。"
            ),
            ts=ts,
            pi_category=first["pi_category"],
            pi_type=pi_type,
            sdk=sdk.name if sdk else None,
            host=host,
            encoding=encoding,
            clauses=clauses,
            evidence={
                "flow_ids": list(dict.fromkeys(group.sort_values("ts_start")["flow_id"]))[:MAX_EVIDENCE_IDS],
                "pi_match_locations": sorted(set(group["location"]))[:10],
                "value_preview": first["value_preview"],
                "receiver": described,
                "data_flow": link,
                "sent_by": ({"hook_event_id": sender.hook_event_id, "api": sender.api, "lead_ms": sender.lead_ms,
                             **_attribution_evidence(sender.attribution)} if sender else None),
                "consent_event_id": consent.event_id,
                "consent_source": consent.source,
                **_timing(ts, consent, cross_clock=consent.source == "click"),
            },
        ))
    return findings


def _caller_key(attr: Attribution) -> str:
    return attr.sdk.id if attr.sdk else attr.party


def _attribution_evidence(attr: Attribution) -> dict:
    return {
        "party": attr.party,
        "sdk": attr.sdk.name if attr.sdk else None,
        "sdk_zh": attr.sdk.name_zh if attr.sdk else None,
        "company": attr.sdk.company if attr.sdk else None,
        "knowledge_source": attr.sdk.source if attr.sdk else None,
        "deciding_frame": attr.frame,
    }


def _before(consent: ConsentPoint, ts: int) -> str:
    if consent.ts is None:
        return "and no consent was recorded in this run"
    return f"{(consent.ts - ts) / 1000:.1f} ms before the user consented ({consent.source})"


def _zh_who(attr: Attribution) -> str:
    if attr.party == "sdk":
        return f"{attr.sdk.name_zh or attr.sdk.name} SDK "
    if attr.party == "app":
        return "应用自身代码"
    return "来源不明的代码"
