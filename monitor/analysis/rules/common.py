"""What every rule reads (RuleContext) and how a finding is written (bilingual, fingerprinted)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Iterator

import pandas as pd

from ... import events as ev
from ...app_profile import AppProfile
from ...timeutil import iso_utc
from ..attribution import Attribution
from ..rule_catalogue import RULES, Rule, parameters, severity_for
from ..timeline import Timeline

MAX_EVIDENCE_IDS = 50

PI_LABELS = {
    "imei": ("IMEI", "IMEI"),
    "imsi": ("IMSI", "IMSI"),
    "android_id": ("Android ID", "Android ID"),
    "precise_location": ("precise location", "精确位置"),
    "coarse_location": ("coarse location", "粗略位置"),
    "installed_packages": ("installed app list", "已安装应用列表"),
    "clipboard_text": ("clipboard content", "剪切板内容"),
    "contacts": ("contacts", "通讯录"),
    "sms": ("SMS", "短信"),
    "call_log": ("call log", "通话记录"),
    "phone_number": ("phone number", "手机号码"),
    "oaid": ("OAID", "OAID"),
    "serial": ("serial number", "设备序列号"),
    "wifi_mac": ("Wi-Fi MAC address", "Wi-Fi MAC地址"),
    "mac_address": ("MAC address", "MAC地址"),
    "running_apps": ("running app list", "运行中应用列表"),
    "accounts": ("accounts", "账户信息"),
    "build_fingerprint": ("build fingerprint", "系统构建指纹"),
    "router_mac": ("router MAC address", "路由器MAC地址"),
    "network_connections": ("network connection table", "网络连接列表"),
    "wifi_config": ("saved Wi-Fi networks", "已保存的Wi-Fi网络"),
    "shared_storage_id": ("device ID file on shared storage", "共享存储中的设备标识文件"),
    "vendor_device_id": ("vendor device ID", "厂商设备标识"),
    "system_properties": ("system properties", "系统属性"),
    "utdid": ("UTDID", "UTDID"),
}
CATEGORY_ZH = {
    "device_id": "设备标识符",
    "location": "位置信息",
    "contacts": "通讯录",
    "sms": "短信",
    "call_log": "通话记录",
    "installed_apps": "应用列表",
    "clipboard": "剪切板",
    "network_id": "网络标识",
    "phone_number": "手机号码",
    "camera": "摄像头",
    "microphone": "麦克风",
    "sensors": "传感器",
    "accounts": "账户",
    "device_info": "设备信息",
}


def pi_label(pi_type: str | None) -> str:
    return PI_LABELS.get(pi_type or "", ((pi_type or "PI").replace("_", " "),))[0]


def pi_label_zh(pi_type: str | None, category: str | None = None) -> str:
    if pi_type in PI_LABELS:
        return PI_LABELS[pi_type][1]
    return CATEGORY_ZH.get(category or "", (pi_type or "个人信息").replace("_", " "))


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def fingerprint(*parts: object) -> str:
    """Stable across re-analysis: built from what the finding is about, never from ids or times."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=str).encode()).hexdigest()[:20]


def attribution_evidence(attr: Attribution) -> dict:
    return {
        "party": attr.party,
        "sdk": attr.sdk.name if attr.sdk else None,
        "sdk_zh": attr.sdk.name_zh if attr.sdk else None,
        "company": attr.sdk.company if attr.sdk else None,
        "knowledge_source": attr.sdk.source if attr.sdk else None,
        "package": attr.package,
        "obfuscated": attr.obfuscated,
        "deciding_frame": attr.frame,
    }


def caller_text(attr: Attribution) -> tuple[str, str]:
    if attr.party == "sdk":
        return f"the {attr.sdk.name} SDK", f"{attr.sdk.name_zh or attr.sdk.name} SDK"
    if attr.party == "app":
        return "the app's own code", "应用自身代码"
    if attr.party == "unidentified":
        obfuscated = ", obfuscated" if attr.obfuscated else ""
        obfuscated_zh = "，已混淆" if attr.obfuscated else ""
        return (
            f"unidentified third-party code ({attr.package}{obfuscated})",
            f"未识别的第三方代码（{attr.package}{obfuscated_zh}）",
        )
    return "code of unknown origin", "来源不明的代码"


@dataclass
class RuleContext:
    session_id: str
    app_package: str
    profile: AppProfile
    scenario: str | None
    session_start: int
    session_end: int | None
    # PI reads: id, ts, api, pi_category, pi_type, hook_id, caller, sdk, party, reflective; in (ts, id) order,
    # which filters and groups keep: rules take a group's first row as its first read.
    events: pd.DataFrame
    signals: list[dict]  # non-PI hook events (permission, lifecycle, storage, wake-ups…), with args/ret
    attributions: Callable[[int], Attribution]
    matches_source: Callable[[], pd.DataFrame]  # gives `matches`, waiting for the traffic matching if need be
    timeline: Timeline
    entries: dict[str, dict]  # catalogue entry id → entry
    watch_values: dict[str, tuple[str, str | None]]  # watched value → (pi_type, pi_category)
    events_by_id: Callable[[int], dict]
    senders: dict = field(default_factory=dict)
    # a PI read's id → every read that returned the same value, (id, ts) in time order
    same_value_reads: Callable[[list[int]], dict[int, list[tuple[int, int]]]] = lambda ids: {}
    _reads: dict | None = field(default=None, init=False, repr=False)
    permissions_by_type: dict[str, str] = field(
        default_factory=dict
    )  # pi_type → permission (URI authorities)

    def reads_of_value(self, first_read: int) -> list[tuple[int, int]]:
        """Every read of the value `first_read` returned, (id, ts) in time order; looked up for all
        the values sent at once, the first time a rule asks."""
        if self._reads is None:
            sent = self.matches["hook_event_id"].dropna() if not self.matches.empty else []
            self._reads = self.same_value_reads(sorted({int(i) for i in sent}))
        return self._reads.get(int(first_read)) or [
            (int(first_read), int(self.events_by_id(first_read)["ts"]))
        ]

    @cached_property
    def matches(self) -> pd.DataFrame:
        """PI matches joined with their flow and receiver (see analyze.py)."""
        return self.matches_source()

    def permission_of(self, pi_type: str | None) -> str | None:
        return self.permissions_by_type.get(pi_type or "")

    def params(self, rule_id: str) -> dict[str, Any]:
        return parameters(rule_id, self.profile.rules)

    def timing(self, ts: int, cross_clock: bool) -> dict:
        """Margins to the consent in force, with the clock-error caveat (DESIGN.md time model)."""
        consent = self.timeline.first_consent()
        if consent is None:
            return {"before_consent_ms": None, "note": "no consent was recorded in this run"}
        margin = consent["ts"] - ts
        out: dict[str, Any] = {"before_consent_ms": round(margin / 1000, 3)}
        if cross_clock and abs(margin) < self.timeline.clock_error_us:
            out["ordering_uncertain"] = True
            out["note"] = (
                f"the margin ({margin} µs) is within the clock-offset error bound "
                f"({self.timeline.clock_error_us} µs) between device and host times"
            )
        return out

    def consent_evidence(self) -> dict:
        consent = self.timeline.first_consent()
        return {
            "consent_event_id": consent["id"] if consent else None,
            "consent_source": consent["source"] if consent else None,
            "consent_precedence": self.timeline.deciding_source,
        }


def with_phase(ctx: RuleContext, frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` (with a ts column) plus the consent phase in force at each row's time."""
    from ..timeline import names_at

    if frame.empty:
        return frame.assign(phase=pd.Series(dtype=object))
    return frame.assign(phase=names_at(ctx.timeline.phases, frame["ts"].to_numpy()))


def judged_matches(ctx: RuleContext) -> pd.DataFrame:
    """PI matches the rules judge (detector hits are shown, never judged), with their phase."""
    return with_phase(ctx, ctx.matches[~ctx.matches["detected"]]) if not ctx.matches.empty else ctx.matches


@dataclass
class Group:
    """One group of rows a rule judges: its grouping key, its rows, its first (earliest) row and the
    labels of the PI it is about (English, Chinese)."""

    key: tuple
    rows: pd.DataFrame
    first: pd.Series
    label: str
    label_zh: str

    @property
    def ts(self) -> int:
        return int(self.first["ts"])


@dataclass
class ReadGroup(Group):
    """A group of PI reads, with the code that made its first read."""

    attr: Attribution
    who: str
    who_zh: str


def _labels(first: pd.Series) -> tuple[str, str]:
    return pi_label(first["pi_type"]), pi_label_zh(first["pi_type"], first["pi_category"])


def read_groups(ctx: RuleContext, reads: pd.DataFrame, by) -> Iterator[ReadGroup]:
    """The rules' skeleton for reads: PI reads grouped by `by` (kept in time order, so each group's
    first row is its first read), each with who made that read and the PI's labels."""
    for key, rows in reads.groupby(by, sort=False):
        first = rows.iloc[0]
        attr = ctx.attributions(int(first["id"]))
        who, who_zh = caller_text(attr)
        yield ReadGroup(
            key if isinstance(key, tuple) else (key,), rows, first, *_labels(first), attr, who, who_zh
        )


def sent_groups(sent: pd.DataFrame, by) -> Iterator[Group]:
    """The rules' skeleton for transmissions: PI found in traffic grouped by `by`, each group's first
    row its earliest send (by time, then flow), with the PI's labels."""
    for key, rows in sent.groupby(by, sort=False):
        first = rows.sort_values(["ts", "flow_id"]).iloc[0]
        yield Group(key if isinstance(key, tuple) else (key,), rows, first, *_labels(first))


def make_finding(
    ctx: RuleContext,
    rule_id: str,
    key: tuple,
    ts: int,
    *,
    title: str,
    title_zh: str,
    explanation: str,
    explanation_zh: str,
    evidence: dict,
    pi_category: str | None = None,
    pi_type: str | None = None,
    sdk: str | None = None,
    host: str | None = None,
    encoding: str | None = None,
    severity: str | None = None,
    extra_clauses: tuple = (),
) -> ev.Finding:
    rule: Rule = RULES[rule_id]
    clauses = [c.stored() for c in rule.clauses + tuple(c for c in extra_clauses if c not in rule.clauses)]
    phase = ctx.timeline.phase_at(ts)
    state = ctx.timeline.state_at(ts)
    return ev.Finding(
        session_id=ctx.session_id,
        fingerprint=fingerprint(rule_id, *key),
        rule_id=rule_id,
        severity=severity_for(rule, pi_category, severity),
        title=title,
        explanation=explanation,
        ts=int(ts),
        pi_category=pi_category,
        pi_type=pi_type,
        sdk=sdk,
        host=host,
        encoding=encoding,
        clauses=clauses,
        evidence={
            **evidence,
            "phase": phase.name,
            "app_state": state.name,
            "scenario": ctx.scenario,
            "at": iso_utc(int(ts)),
        },
        title_zh=title_zh,
        explanation_zh=explanation_zh,
    )


def ids(series) -> list[int]:
    return (
        [int(i) for i in series.iloc[:MAX_EVIDENCE_IDS]]
        if isinstance(series, pd.Series)
        else [int(i) for i in list(series)[:MAX_EVIDENCE_IDS]]
    )


def distinct(values) -> list:
    """The distinct values in order of first appearance (a Series is deduplicated in pandas, not row
    by row)."""
    return values.drop_duplicates().tolist() if isinstance(values, pd.Series) else list(dict.fromkeys(values))
