"""Rules on how the app behaves: frequency, background reads, reflection, plaintext storage,
self-start and wake-ups, forced exit after a refusal."""

from __future__ import annotations

import json
import re

import numpy as np

from ..timeline import BACKGROUND, SCREEN_OFF, names_at
from .common import (
    RuleContext,
    attribution_evidence,
    caller_text,
    cap,
    distinct,
    ids,
    make_finding,
    pi_label,
    pi_label_zh,
    read_groups,
)


def _bursts(times: np.ndarray, max_gap_us: float, merge_us: int) -> list[tuple[int, int, int]]:
    """Runs of reads each following the previous one by less than max_gap_us: (start, end, reads).
    Reads closer than merge_us to the last counted read count once (one call answered twice)."""
    if len(times) > 1 and (np.diff(times) >= merge_us).all():
        reads = times  # nothing to merge: the common case, kept in numpy
    else:
        kept = [int(times[0])]
        for t in times[1:]:
            if t - kept[-1] >= merge_us:
                kept.append(int(t))
        reads = np.asarray(kept, dtype=np.int64)
    breaks = np.flatnonzero(np.diff(reads) >= max_gap_us)
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [len(reads) - 1]))
    return [(int(reads[a]), int(reads[b]), int(b - a + 1)) for a, b in zip(starts, ends)]


def excessive_frequency(ctx: RuleContext) -> list:
    params = ctx.params("EXCESSIVE_FREQUENCY")
    out = []
    if ctx.events.empty:
        return out
    all_times = ctx.events["ts"].to_numpy()
    evidence_columns = ctx.events[["id", "ts", "api", "pi_type"]]
    # by row positions: the group's rows are taken only where there is a finding to write
    for (category, caller), rows in ctx.events.groupby(["pi_category", "caller"], sort=False).indices.items():
        p = {**params, **(params.get("per_category") or {}).get(category, {})}
        allowed_gap_us = p["window_s"] / p["max_reads"] * 1_000_000
        group_times = all_times[rows]
        times = np.sort(group_times)
        bursts = [
            b
            for b in _bursts(times, allowed_gap_us, int(p["merge_ms"] * 1000))
            if b[1] - b[0] >= p["sustain_s"] * 1_000_000
        ]
        if not bursts:
            continue
        start, end, reads = max(bursts, key=lambda b: b[2])
        group = evidence_columns.iloc[rows]
        first = group.iloc[0]
        attr = ctx.attributions(int(first["id"]))
        who, who_zh = caller_text(attr)
        span_s = (end - start) / 1_000_000
        rate = (reads - 1) / span_s * p["window_s"] if span_s else float(reads)
        label = category.replace("_", " ")
        out.append(
            make_finding(
                ctx,
                "EXCESSIVE_FREQUENCY",
                (category, caller),
                start,
                title=f"{cap(who)} read {label} {reads} times in {span_s:.0f} s",
                title_zh=f"{who_zh}在 {span_s:.0f} 秒内读取{pi_label_zh(None, category)} {reads} 次",
                explanation=(
                    f"{cap(who)} read {label} {reads} times over {span_s:.1f} s, about {rate:.1f} reads "
                    f"per {p['window_s']} s (allowed: {p['max_reads']}), sustained for at least "
                    f"{p['sustain_s']} s."
                ),
                explanation_zh=(
                    f"{who_zh}在 {span_s:.1f} 秒内读取{pi_label_zh(None, category)} {reads} 次，"
                    f"约每 {p['window_s']} 秒 {rate:.1f} 次（允许 {p['max_reads']} 次），"
                    f"持续超过 {p['sustain_s']} 秒。"
                ),
                pi_category=category,
                pi_type=first["pi_type"],
                sdk=attr.label,
                evidence={
                    "reads": reads,
                    "span_s": round(span_s, 3),
                    "reads_per_window": round(rate, 3),
                    "parameters": {k: p[k] for k in ("max_reads", "window_s", "sustain_s", "merge_ms")},
                    "apis": distinct(group["api"]),
                    "hook_event_ids": ids(group["id"][(group_times >= start) & (group_times <= end)]),
                    "attribution": attribution_evidence(attr),
                },
            )
        )
    return out


def background_collection(ctx: RuleContext) -> list:
    categories = set(ctx.params("BACKGROUND_COLLECTION")["categories"])
    reads = ctx.events[ctx.events["pi_category"].isin(categories)] if not ctx.events.empty else ctx.events
    if reads.empty:
        return []
    # a read in the same millisecond tick as the app leaving the foreground (the read, then finish()
    # on the next line) is judged in the state before: the device clock cannot order them
    reads = reads.assign(state=names_at(ctx.timeline.states, reads["ts"].to_numpy(), side="left"))
    reads = reads[reads["state"].isin((BACKGROUND, SCREEN_OFF))]
    out = []
    for g in read_groups(ctx, reads, ["pi_type", "caller"]):
        (pi_type, caller), group, first = g.key, g.rows, g.first
        attr, who, who_zh = g.attr, g.who, g.who_zh
        state = first["state"]
        label, label_zh = g.label, g.label_zh
        since = ctx.timeline.state_at(int(first["ts"])).start
        out.append(
            make_finding(
                ctx,
                "BACKGROUND_COLLECTION",
                (pi_type, caller),
                int(first["ts"]),
                title=(
                    f"{cap(label)} read by {who} while the app was "
                    f"{'in the background' if state == BACKGROUND else 'behind a screen that was off'}"
                ),
                title_zh=f"应用{'处于后台' if state == BACKGROUND else '锁屏'}时{who_zh}读取{label_zh}",
                explanation=f"{cap(who)} read the {label} {len(group)} time(s) while the app was {state} "
                f"(since {(int(first['ts']) - since) / 1000:.0f} ms before the first read), through "
                f"{first['api']}.",
                explanation_zh=(
                    f"应用处于{'后台' if state == BACKGROUND else '锁屏'}状态时，"
                    f"{who_zh}通过 {first['api']} 读取{label_zh} {len(group)} 次。"
                ),
                pi_category=first["pi_category"],
                pi_type=pi_type,
                sdk=attr.label,
                evidence={
                    "hook_event_ids": ids(group["id"]),
                    "state": state,
                    "state_since_ms": round((int(first["ts"]) - since) / 1000, 3),
                    "attribution": attribution_evidence(attr),
                },
            )
        )
    return out


def reflective_access(ctx: RuleContext) -> list:
    reads = ctx.events[ctx.events["reflective"]] if not ctx.events.empty else ctx.events
    out = []
    for g in read_groups(ctx, reads, ["api", "caller"]):
        (api, caller), group, first = g.key, g.rows, g.first
        attr, who, who_zh = g.attr, g.who, g.who_zh
        out.append(
            make_finding(
                ctx,
                "REFLECTIVE_ACCESS",
                (api, caller),
                int(first["ts"]),
                title=(
                    f"{api.rsplit('.', 2)[-2]}.{api.rsplit('.', 1)[-1]} reached through reflection by {who}"
                ),
                title_zh=f"{who_zh}通过反射调用 {api}",
                explanation=(
                    f"{cap(who)} called {api} through Method.invoke {len(group)} time(s), reading the "
                    f"{pi_label(first['pi_type'])}; reflection hides the call from static analysis."
                ),
                explanation_zh=(
                    f"{who_zh}通过反射（Method.invoke）调用 {api} {len(group)} "
                    f"次，读取{pi_label_zh(first['pi_type'], first['pi_category'])}，规避静态检测。"
                ),
                pi_category=first["pi_category"],
                pi_type=first["pi_type"],
                sdk=attr.label,
                evidence={
                    "hook_event_ids": ids(group["id"]),
                    "api": api,
                    "attribution": attribution_evidence(attr),
                },
            )
        )
    return out


def _text_of(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def plaintext_local_storage(ctx: RuleContext) -> list:
    found: dict[tuple[str, str], dict] = {}
    for event in ctx.signals:
        if event.get("signal") not in ("pref_write", "storage_write"):
            continue
        text = _text_of(event.get("args"))
        for value, (pi_type, category) in ctx.watch_values.items():
            if value in text:
                item = found.setdefault(
                    (pi_type, event["api"]), {"event": event, "category": category, "ids": [], "value": value}
                )
                item["ids"].append(event["id"])
    out = []
    for (pi_type, api), item in found.items():
        event = item["event"]
        attr = ctx.attributions(event["id"])
        who, who_zh = caller_text(attr)
        label, label_zh = pi_label(pi_type), pi_label_zh(pi_type, item["category"])
        key = event["args"][0] if event.get("args") and isinstance(event["args"][0], str) else None
        out.append(
            make_finding(
                ctx,
                "PLAINTEXT_LOCAL_STORAGE",
                (pi_type, api),
                event["ts"],
                title=f"{cap(label)} stored in plain text by {who} ({api.rsplit('.', 1)[-1]})",
                title_zh=f"{who_zh}明文存储{label_zh}",
                explanation=f"{cap(who)} wrote the {label} unencrypted through {api}"
                + (f" under the key {key!r}" if key else "")
                + f", {len(item['ids'])} time(s).",
                explanation_zh=f"{who_zh}通过 {api} 明文写入{label_zh}"
                + (f"（键 {key}）" if key else "")
                + "。",
                pi_category=item["category"],
                pi_type=pi_type,
                sdk=attr.label,
                evidence={
                    "hook_event_ids": item["ids"][:50],
                    "api": api,
                    "key": key,
                    "attribution": attribution_evidence(attr),
                },
            )
        )
    return out


_INTENT_COMPONENT = re.compile(r"cmp=(?:ComponentInfo\{)?([\w.]+)/")
_INTENT_PACKAGE = re.compile(r"pkg=([\w.]+)")


def _target(event: dict) -> str:
    """The other package an Intent names (start_component), or what woke the app (wakeup)."""
    if event.get("signal") == "start_component":
        for arg in event.get("args") or []:
            if isinstance(arg, str):
                for pattern in (_INTENT_COMPONENT, _INTENT_PACKAGE):
                    m = pattern.search(arg)
                    if m and m.group(1) != "null":
                        return m.group(1)
    ret = event.get("ret")
    if isinstance(ret, dict) and isinstance(ret.get("this"), str):
        return ret["this"]
    return ".".join(event["api"].rsplit(".", 2)[-2:])


def self_or_associated_start(ctx: RuleContext) -> list:
    found: dict[tuple[str, str], list[dict]] = {}
    for event in ctx.signals:
        if event.get("signal") in ("start_component", "wakeup"):
            found.setdefault((event["api"], _target(event)), []).append(event)
    out = []
    for (api, target), events in found.items():
        first = events[0]
        attr = ctx.attributions(first["id"])
        who, who_zh = caller_text(attr)
        start = first.get("signal") == "start_component"
        method = api.rsplit(".", 1)[-1]
        out.append(
            make_finding(
                ctx,
                "SELF_OR_ASSOCIATED_START",
                (api, target),
                first["ts"],
                title=(
                    f"{cap(who)} started a component of another app ({target})"
                    if start
                    else f"{cap(who)} scheduled a wake-up ({target})"
                ),
                title_zh=(
                    f"{who_zh}关联启动其他应用（{target}）"
                    if start
                    else f"{who_zh}设置自启动/唤醒（{method}）"
                ),
                explanation=(
                    f"{api} was called {len(events)} time(s) with an Intent for {target}, another package."
                    if start
                    else f"{api} was called {len(events)} time(s) ({target}), so the app can run without "
                    "the user opening it."
                ),
                explanation_zh=(
                    f"调用 {api} 启动其他应用的组件 {target}，共 {len(events)} 次。"
                    if start
                    else f"调用 {api}（{target}）{len(events)} 次，使应用可在用户未主动打开时运行。"
                ),
                sdk=attr.label,
                evidence={
                    "hook_event_ids": [e["id"] for e in events][:50],
                    "api": api,
                    "target": target,
                    "attribution": attribution_evidence(attr),
                },
            )
        )
    return out


def forced_exit_after_refusal(ctx: RuleContext) -> list:
    within_us = ctx.params("FORCED_EXIT_AFTER_REFUSAL")["within_s"] * 1_000_000
    refusals = [
        (d["ts"], "privacy policy", d["id"])
        for d in ctx.timeline.decisions
        if d["kind"] in ("refuse", "withdraw")
    ]
    for event in ctx.signals:
        if event.get("signal") == "permission_result":
            for permission in denied_permissions(event):
                refusals.append((event["ts"], permission, None))
    out = []
    for exit_ in ctx.timeline.exits:
        before = [r for r in refusals if 0 <= exit_["ts"] - r[0] <= within_us]
        if not before:
            continue
        ts, what, consent_id = max(before, key=lambda r: r[0])
        attr = ctx.attributions(exit_["hook_event_id"])
        out.append(
            make_finding(
                ctx,
                "FORCED_EXIT_AFTER_REFUSAL",
                (what if consent_id is None else "privacy policy", exit_["api"]),
                exit_["ts"],
                title=(
                    f"The app closed itself {(exit_['ts'] - ts) / 1_000_000:.1f} s after the user refused "
                    f"the {what}"
                ),
                title_zh=(
                    f"用户拒绝{('隐私政策' if consent_id else what)}后"
                    f"应用 {(exit_['ts'] - ts) / 1_000_000:.1f} 秒内退出"
                ),
                explanation=(
                    f"{exit_['api']} was called {(exit_['ts'] - ts) / 1000:.0f} ms after the refusal of the "
                    f"{what}: "
                    "refusing must not cost the user the app's basic functions."
                ),
                explanation_zh=(
                    f"用户拒绝后 {(exit_['ts'] - ts) / 1000:.0f} 毫秒，应用调用 {exit_['api']} "
                    "退出；拒绝不应导致无法使用基本功能。"
                ),
                sdk=attr.label,
                evidence={
                    "exit_hook_event_id": exit_["hook_event_id"],
                    "exit_api": exit_["api"],
                    "refused": what,
                    "refusal_consent_event_id": consent_id,
                    "after_refusal_ms": round((exit_["ts"] - ts) / 1000, 3),
                    "within_s": within_us / 1_000_000,
                },
            )
        )
    return out


def _int_list(value) -> list[int] | None:
    if isinstance(value, list) and all(isinstance(v, int) for v in value):
        return value
    if isinstance(value, dict) and isinstance(value.get("hex"), str):  # int[] small enough to look like bytes
        raw = bytes.fromhex(value["hex"])
        return [b - 256 if b > 127 else b for b in raw]
    return None


def permissions_in(event: dict) -> list[str]:
    for arg in event.get("args") or []:
        if isinstance(arg, list) and arg and all(isinstance(a, str) for a in arg):
            return arg
        if isinstance(arg, str) and arg.startswith("android.permission."):
            return [arg]
    return []


def denied_permissions(event: dict) -> list[str]:
    args = event.get("args") or []
    permissions = permissions_in(event)
    results = next((r for r in (_int_list(a) for a in args[2:] if a is not None) if r is not None), None)
    if not permissions or results is None:
        return []
    return [p for p, r in zip(permissions, results) if r != 0]


__all__ = [
    "excessive_frequency",
    "background_collection",
    "reflective_access",
    "plaintext_local_storage",
    "self_or_associated_start",
    "forced_exit_after_refusal",
    "permissions_in",
    "denied_permissions",
]
