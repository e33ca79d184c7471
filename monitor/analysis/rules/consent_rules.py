"""Rules on the consent timeline: collection and transmission before consent or after refusal,
SDKs before consent, runs without a notice, children's apps without guardian consent."""

from __future__ import annotations

import pandas as pd

from ...knowledge.sdks import knowledge
from ...timeutil import iso_utc
from ..rule_catalogue import THIRD_PARTY_CLAUSE
from ..timeline import BEFORE_NOTICE, NOTICE_SHOWN, REFUSED, WITHDRAWN
from .common import (
    RuleContext,
    attribution_evidence,
    caller_text,
    cap,
    distinct,
    ids,
    judged_matches,
    make_finding,
    pi_label,
    pi_label_zh,
    read_groups,
    sent_groups,
    with_phase,
)

PRECONSENT_PHASES = (BEFORE_NOTICE, NOTICE_SHOWN)
REFUSAL_PHASES = (REFUSED, WITHDRAWN)


def _short_api(api: str) -> str:
    if " " in api:  # a side-channel read ("file /proc/net/arp", "command pm list packages"): whole
        return api
    return ".".join(api.rsplit(".", 2)[-2:])


def _when(ctx: RuleContext, ts: int) -> tuple[str, str]:
    consent = ctx.timeline.first_consent()
    if consent is None:
        return "and no consent was recorded in this run", "本次运行中未记录到用户同意"
    return (
        f"{(consent['ts'] - ts) / 1000:.1f} ms before the user consented ({consent['source']})",
        f"早于用户同意 {(consent['ts'] - ts) / 1000:.1f} 毫秒",
    )


def _collection_group_evidence(ctx: RuleContext, group: pd.DataFrame) -> dict:
    ordered = group  # in time order, as ctx.events is
    first = ordered.iloc[0]
    return {
        "hook_event_ids": ids(ordered["id"]),
        "hook_event_count": int(len(group)),
        "api": first["api"],
        "apis": distinct(ordered["api"]),
        "attribution": attribution_evidence(ctx.attributions(int(first["id"]))),
    }


def preconsent_collection(ctx: RuleContext) -> list:
    reads = with_phase(ctx, ctx.events)
    reads = reads[reads["phase"].isin(PRECONSENT_PHASES)]
    out = []
    for g in read_groups(ctx, reads, ["pi_type", "caller"]):
        (pi_type, caller), group, first, ts = g.key, g.rows, g.first, g.ts
        attr, who, who_zh, label, label_zh = g.attr, g.who, g.who_zh, g.label, g.label_zh
        apis = distinct(group["api"])
        when, when_zh = _when(ctx, ts)
        no_consent = ctx.timeline.first_consent() is None
        out.append(
            make_finding(
                ctx,
                "PRECONSENT_COLLECTION",
                (pi_type, caller),
                ts,
                title=(
                    f"{cap(label)} read {'with no consent in the run' if no_consent else 'before consent'} "
                    f"by {who} "
                    f"({_short_api(first['api'])})"
                ),
                title_zh=f"{who_zh}在用户同意前读取{label_zh}（{_short_api(first['api'])}）",
                explanation=(
                    f"{cap(who)} read the {label} {len(group)} time(s) through {', '.join(apis)}, first at "
                    f"{iso_utc(ts)}, {when}."
                ),
                explanation_zh=(
                    f"{who_zh}在用户同意隐私政策前通过 {first['api']} 读取了{label_zh}（{len(group)} 次），"
                    f"首次于 {iso_utc(ts)}，{when_zh}。"
                ),
                pi_category=first["pi_category"],
                pi_type=pi_type,
                sdk=attr.label,
                evidence={
                    **_collection_group_evidence(ctx, group),
                    **ctx.consent_evidence(),
                    **ctx.timing(
                        ts,
                        cross_clock=ctx.timeline.deciding_source
                        not in (None, "click", "sdk_api", "pref_write"),
                    ),
                },
            )
        )
    return out


VERBS_ZH = {"encrypted": "加密", "hashed": "哈希", "signed": "签名", "encoded": "编码", "compressed": "压缩"}
CRYPTO_VERBS = ("encrypted", "hashed", "signed")


def derived_chain(first) -> list[dict] | None:
    chain = first.get("chain")
    return chain if isinstance(chain, list) and chain else None


def _deciding_step(chain: list[dict]) -> dict:
    """The step a reader is told about: the last encryption, hash or MAC, else the last call."""
    calls = [s for s in chain if s.get("hook_event_id") is not None and s.get("verb")]
    crypto = [s for s in calls if s["verb"] in CRYPTO_VERBS]
    return (crypto or calls or chain)[-1]


def derived_evidence(ctx: RuleContext, first) -> dict | None:
    """For a value the app transformed before sending it: the chain, and who made the call that
    did it (its stack is the evidence)."""
    chain = derived_chain(first)
    if chain is None:
        return None
    step = _deciding_step(chain)
    out = {
        "chain": " › ".join(s["step"] for s in chain),
        "steps": chain,
        "verb": step.get("verb"),
        "algorithm": step["step"],
    }
    if step.get("hook_event_id") is not None:
        event = ctx.events_by_id(int(step["hook_event_id"]))
        out.update(
            hook_event_id=int(step["hook_event_id"]),
            api=event["api"],
            at=iso_utc(event["ts"]),
            stack=event["stack"][:40],
            by=attribution_evidence(ctx.attributions(int(step["hook_event_id"]))),
        )
    return out


def derived_text(ctx: RuleContext, first, label: str, label_zh: str) -> tuple[str, str, str, str] | None:
    """(how, how_zh, who did it, 谁) for a derived value: "encrypted with AES", "the Umeng SDK"."""
    chain = derived_chain(first)
    if chain is None:
        return None
    step = _deciding_step(chain)
    algorithm = step["step"]
    verb = step.get("verb") or "encoded"
    if step.get("hook_event_id") is not None:
        who, who_zh = caller_text(ctx.attributions(int(step["hook_event_id"])))
    else:
        who, who_zh = "the app", "应用"
    return f"{verb} with {algorithm}", f"经 {algorithm} {VERBS_ZH.get(verb, verb)}", who, who_zh


def pi_label_chain(first) -> str:
    return " › ".join(s["step"] for s in derived_chain(first) or [])


def _data_flow(ctx: RuleContext, first) -> dict | None:
    """The read the sent value came from: the sending code's own read of it, nearest before the
    request; when that code never read it (or who sent is unknown), the nearest earlier read by
    anyone, and the evidence says so."""
    hook_id = first["hook_event_id"]
    if pd.isna(hook_id):
        return None
    sent_at = int(first["ts"])
    reads = ctx.reads_of_value(int(hook_id))
    before = [r for r in reads if r[1] <= sent_at] or reads[:1]
    sender = ctx.senders.get(first["flow_id"])
    chosen, linked_by, note = before[-1], "nearest_read", None
    if sender is not None:
        own = [r for r in before if ctx.attributions(r[0]).key == sender.attribution.key]
        if own:
            chosen, linked_by = own[-1], "sender"
        else:
            who = sender.attribution.label or sender.attribution.party
            note = (
                f"the sending code ({who}) did not read this value itself; the nearest earlier read is shown"
            )
    else:
        note = "who sent the request is not known; the nearest earlier read is shown"
    collected = ctx.events_by_id(chosen[0])
    link = {
        "hook_event_id": int(chosen[0]),
        "api": collected["api"],
        "collected_at": iso_utc(collected["ts"]),
        "delta_ms": round((sent_at - collected["ts"]) / 1000, 3),
        "collected_by": attribution_evidence(ctx.attributions(int(chosen[0]))),
        "linked_by": linked_by,
        "reads_of_value": len(reads),
    }
    if note:
        link["note"] = note
    return link


def _transmission_evidence(ctx: RuleContext, group: pd.DataFrame) -> dict:
    ordered = group.sort_values(["ts", "flow_id"])
    first = ordered.iloc[0]
    link = _data_flow(ctx, first)
    sender = ctx.senders.get(first["flow_id"])
    return {
        "derived": derived_evidence(ctx, first),
        "flow_ids": distinct(ordered["flow_id"])[:50],
        "pi_match_locations": sorted(set(group["location"]))[:10],
        "value_preview": first["value_preview"],
        "receiver": first["receiver"],
        "data_flow": link,
        "sent_by": (
            {
                "hook_event_id": sender.hook_event_id,
                "api": sender.api,
                "lead_ms": sender.lead_ms,
                **attribution_evidence(sender.attribution),
            }
            if sender
            else None
        ),
    }


def transmission_fields(ctx: RuleContext, group: pd.DataFrame, first, host: str, **evidence) -> dict:
    """What every finding about a transmission carries: PI, SDK, host, encoding, the evidence of the
    group's requests (plus the rule's own evidence)."""
    sent = _transmission_evidence(ctx, group)
    return {
        "pi_category": first["pi_category"],
        "pi_type": first["pi_type"],
        "sdk": _sdk_of_transmission(ctx, first, sent["data_flow"]),
        "host": host,
        "encoding": first["encoding"],
        "evidence": {**sent, **evidence},
    }


def _sdk_of_transmission(ctx: RuleContext, first, link: dict | None) -> str | None:
    """The receiver's SDK, else the sender's (a known SDK or unidentified code's package), else who
    collected what was sent (`link`: the evidence's data_flow)."""
    if first["receiver_sdk"]:
        return first["receiver_sdk"]
    sender = ctx.senders.get(first["flow_id"])
    if sender and sender.attribution.label:  # a known SDK, or unidentified code's package
        return sender.attribution.label
    if sender and sender.attribution.party == "app":
        return None
    return link["collected_by"]["sdk"] or link["collected_by"]["package"] if link else None


def preconsent_transmission(ctx: RuleContext) -> list:
    sent = judged_matches(ctx)
    if sent.empty:
        return []
    sent = sent[sent["phase"].isin(PRECONSENT_PHASES)]
    out = []
    for g in sent_groups(sent, ["host", "pi_type", "encoding"]):
        (host, pi_type, encoding), group, first, ts = g.key, g.rows, g.first, g.ts
        label, label_zh = g.label, g.label_zh
        sent_evidence = _transmission_evidence(ctx, group)
        sdk = _sdk_of_transmission(ctx, first, sent_evidence["data_flow"])
        # "plain" is the value as it is, not hashed or encoded: over HTTPS it is encrypted in transit,
        # so it is "unmasked" (未脱敏/原值), never "plain text" (明文), which is cleartext (another rule)
        how = "unmasked (the original value)" if encoding == "plain" else f"as {encoding}"
        how_zh = "原值（未脱敏）" if encoding == "plain" else encoding
        when, when_zh = _when(ctx, ts)
        derived = derived_text(ctx, first, label, label_zh)
        if derived is None:
            title = f"{cap(label)} sent {how} to {host} before consent" + (f" ({sdk})" if sdk else "")
            title_zh = f"用户同意前以{how_zh}形式向 {host} 发送{label_zh}"
            explanation = (
                f"A {first['method']} request to {first['url']} carried the {label} {how} "
                f"(at {first['location']}), {when}."
            )
            explanation_zh = (
                f"在用户同意隐私政策前，{label_zh}以{how_zh}形式发送至 {host}"
                f"（位置 {first['location']}），{when_zh}。"
            )
        else:
            did, did_zh, who, who_zh = derived
            title = f"{cap(label)} {did} and sent to {host} before consent" + (f" ({sdk})" if sdk else "")
            title_zh = f"用户同意前{label_zh}{did_zh}后发送至 {host}"
            explanation = (
                f"{cap(who)} {did.replace(' with ', f' the {label} with ', 1)} ({pi_label_chain(first)}) and "
                f"a {first['method']} request to {first['url']} carried the result (at {first['location']}), "
                f"{when}."
            )
            explanation_zh = (
                f"在用户同意隐私政策前，{who_zh}将{label_zh}{did_zh}（{pi_label_chain(first)}）后"
                f"发送至 {host}（位置 {first['location']}），{when_zh}。"
            )
        out.append(
            make_finding(
                ctx,
                "PRECONSENT_TRANSMISSION",
                (host, pi_type, encoding),
                ts,
                title=title,
                title_zh=title_zh,
                explanation=explanation,
                explanation_zh=explanation_zh,
                pi_category=first["pi_category"],
                pi_type=pi_type,
                sdk=sdk,
                host=host,
                encoding=encoding,
                extra_clauses=(THIRD_PARTY_CLAUSE,) if first["party"] == "third" else (),
                evidence={
                    **sent_evidence,
                    **ctx.consent_evidence(),
                    **ctx.timing(ts, cross_clock=ctx.timeline.deciding_source == "click"),
                },
            )
        )
    return out


def sdk_preconsent(ctx: RuleContext) -> list:
    reads = with_phase(ctx, ctx.events)
    reads = reads[reads["phase"].isin(PRECONSENT_PHASES) & reads["party"].isin(("sdk", "unidentified"))]
    unidentified = set(reads.loc[reads["party"] == "unidentified", "sdk"])
    sent = judged_matches(ctx)
    if not sent.empty:
        sent = sent[sent["phase"].isin(PRECONSENT_PHASES) & sent["receiver_sdk"].notna()]
    by_sdk: dict[str, dict] = {}

    def item_for(sdk: str, ts: int) -> dict:
        item = by_sdk.setdefault(sdk, {"ts": ts, "types": [], "hooks": [], "flows": [], "hosts": []})
        item["ts"] = min(item["ts"], ts)
        return item

    for sdk, group in reads.groupby("sdk", sort=False):
        item = item_for(sdk, int(group["ts"].iloc[0]))
        item["types"] += [t for t in distinct(group["pi_type"]) if t not in item["types"]]
        item["hooks"] += [int(i) for i in group["id"].head(50)]
    if not sent.empty:
        for sdk, group in sent.sort_values(["ts", "flow_id"]).groupby("receiver_sdk", sort=False):
            item = item_for(sdk, int(group["ts"].iloc[0]))
            item["types"] += [t for t in distinct(group["pi_type"]) if t not in item["types"]]
            item["flows"] += distinct(group["flow_id"])[:50]
            item["hosts"] += [h for h in distinct(group["host"]) if h not in item["hosts"]]
    out = []
    for sdk, item in by_sdk.items():
        labels = ", ".join(pi_label(t) for t in item["types"])
        labels_zh = "、".join(pi_label_zh(t) for t in item["types"])
        how = " and ".join(
            x for x in ("collected" if item["hooks"] else "", "sent" if item["flows"] else "") if x
        )
        if sdk in unidentified:
            who, who_zh = f"unidentified third-party code ({sdk})", f"未识别的第三方代码（{sdk}）"
            actor, actor_zh = f"unidentified code {sdk}", who_zh
        else:
            sdk_zh = knowledge().name_zh(sdk)
            who, who_zh = f"the {sdk} SDK", f"{sdk_zh} SDK"
            actor, actor_zh = f"the third-party SDK {sdk}", f"第三方SDK {sdk_zh}"
        out.append(
            make_finding(
                ctx,
                "SDK_PRECONSENT",
                (sdk,),
                item["ts"],
                title=f"{cap(who)} {how} PI before consent ({labels})",
                title_zh=f"{who_zh} 在用户同意前收集或发送个人信息（{labels_zh}）",
                explanation=f"Before the user consented, {actor} {how} {labels}"
                + (f", sending to {', '.join(item['hosts'])}" if item["hosts"] else "")
                + ". The app developer answers for the SDKs it embeds.",
                explanation_zh=f"在用户同意前，{actor_zh} 收集或发送了{labels_zh}"
                + (f"（接收方 {'、'.join(item['hosts'])}）" if item["hosts"] else "")
                + "。开发者对所嵌入的SDK承担连带责任。",
                sdk=sdk,
                pi_type=item["types"][0],
                evidence={
                    "pi_types": item["types"],
                    "hook_event_ids": item["hooks"][:50],
                    "flow_ids": item["flows"][:50],
                    "hosts": item["hosts"],
                    **ctx.consent_evidence(),
                    **ctx.timing(item["ts"], cross_clock=False),
                },
            )
        )
    return out


def _refusal_margin(ctx: RuleContext, ts: int) -> tuple[dict | None, int]:
    phase = ctx.timeline.phase_at(ts)
    decision = next((d for d in ctx.timeline.decisions if d["id"] == phase.event_id), None)
    return decision, ts - phase.start


def post_refusal(ctx: RuleContext) -> list:
    grace_us = int(ctx.params("POST_REFUSAL")["grace_ms"] * 1000)
    out = []
    reads = with_phase(ctx, ctx.events)
    reads = reads[reads["phase"].isin(REFUSAL_PHASES)]
    if not reads.empty:
        phase_start = [ctx.timeline.phase_at(int(t)).start for t in reads["ts"]]
        reads = reads[
            (reads["ts"].to_numpy() - pd.Series(phase_start, index=reads.index).to_numpy()) > grace_us
        ]
    for g in read_groups(ctx, reads, ["pi_type", "caller"]):
        (pi_type, caller), group, first, ts = g.key, g.rows, g.first, g.ts
        attr, who, who_zh, label, label_zh = g.attr, g.who, g.who_zh, g.label, g.label_zh
        decision, after = _refusal_margin(ctx, ts)
        out.append(
            make_finding(
                ctx,
                "POST_REFUSAL",
                ("collect", pi_type, caller),
                ts,
                title=f"{cap(label)} read by {who} after the user refused",
                title_zh=f"用户拒绝后{who_zh}仍读取{label_zh}",
                explanation=f"{cap(who)} read the {label} {len(group)} time(s) after the user's refusal "
                f"({decision['source'] if decision else 'unknown source'}), the first {after / 1000:.1f} ms "
                "after it "
                f"(grace period {grace_us / 1000:.0f} ms).",
                explanation_zh=(
                    f"用户拒绝后（{decision['source'] if decision else ''}），"
                    f"{who_zh}仍读取{label_zh} {len(group)} 次，"
                    f"首次在拒绝后 {after / 1000:.1f} 毫秒（宽限期 {grace_us / 1000:.0f} 毫秒）。"
                ),
                pi_category=first["pi_category"],
                pi_type=pi_type,
                sdk=attr.label,
                evidence={
                    **_collection_group_evidence(ctx, group),
                    "refusal_event_id": decision["id"] if decision else None,
                    "after_refusal_ms": round(after / 1000, 3),
                    "grace_ms": grace_us / 1000,
                },
            )
        )
    sent = judged_matches(ctx)
    if not sent.empty:
        sent = sent[sent["phase"].isin(REFUSAL_PHASES)]
        sent = (
            sent[[(int(t) - ctx.timeline.phase_at(int(t)).start) > grace_us for t in sent["ts"]]]
            if not sent.empty
            else sent
        )
        for g in sent_groups(sent, ["host", "pi_type"]):
            (host, pi_type), group, first, ts = g.key, g.rows, g.first, g.ts
            label, label_zh = g.label, g.label_zh
            decision, after = _refusal_margin(ctx, ts)
            out.append(
                make_finding(
                    ctx,
                    "POST_REFUSAL",
                    ("send", host, pi_type),
                    ts,
                    title=f"{cap(label)} sent to {host} after the user refused",
                    title_zh=f"用户拒绝后仍向 {host} 发送{label_zh}",
                    explanation=(
                        f"A {first['method']} request to {first['url']} carried the {label} "
                        f"({first['encoding']}, at "
                        f"{first['location']}) {after / 1000:.1f} ms after the user's refusal."
                    ),
                    explanation_zh=(
                        f"用户拒绝 {after / 1000:.1f} 毫秒后，请求 {first['url']} "
                        f"仍携带{label_zh}（{first['encoding']}）。"
                    ),
                    **transmission_fields(
                        ctx,
                        group,
                        first,
                        host,
                        refusal_event_id=decision["id"] if decision else None,
                        after_refusal_ms=round(after / 1000, 3),
                        grace_ms=grace_us / 1000,
                    ),
                )
            )
    return out


def no_notice_at_first_run(ctx: RuleContext) -> list:
    tl = ctx.timeline
    if ctx.events.empty or tl.notices or tl.decisions or tl.corroborating or tl.guardian_consents:
        return []
    first = ctx.events.iloc[0]
    types = distinct(ctx.events["pi_type"])
    labels = ", ".join(pi_label(t) for t in types[:8])
    return [
        make_finding(
            ctx,
            "NO_NOTICE_AT_FIRST_RUN",
            (),
            int(first["ts"]),
            title="PI collected in a run that never showed a privacy notice",
            title_zh="首次运行未展示隐私政策即收集个人信息",
            explanation=(
                f"The app read {labels} and at no point in the run showed a privacy notice (no dialog about "
                "privacy, "
                "no agree or refuse click, no consent mark)."
            ),
            explanation_zh=(
                f"应用读取了{'、'.join(pi_label_zh(t) for t in types[:8])}，"
                "整个运行过程中未展示隐私政策（无隐私弹窗、无同意或拒绝点击、无人工标记）。"
            ),
            pi_category=first["pi_category"],
            pi_type=first["pi_type"],
            evidence={
                "first_hook_event_id": int(first["id"]),
                "pi_types": types,
                "hook_event_count": int(len(ctx.events)),
            },
        )
    ]


def child_without_guardian_consent(ctx: RuleContext) -> list:
    if not ctx.profile.children or ctx.events.empty:
        return []
    guardian = min((g["ts"] for g in ctx.timeline.guardian_consents), default=None)
    reads = ctx.events if guardian is None else ctx.events[ctx.events["ts"] < guardian]
    out = []
    for category, group in reads.groupby("pi_category", sort=False):
        first = group.iloc[0]
        types = distinct(group["pi_type"])
        out.append(
            make_finding(
                ctx,
                "CHILD_DATA_WITHOUT_GUARDIAN_CONSENT",
                (category,),
                int(first["ts"]),
                title=f"A children's app read {category.replace('_', ' ')} before a guardian consented",
                title_zh=f"儿童应用在监护人同意前读取{pi_label_zh(None, category)}",
                explanation=(
                    f"The app profile marks this app as directed at children; it read "
                    f"{', '.join(pi_label(t) for t in types)} "
                )
                + (
                    "and no guardian consent was recorded in the run."
                    if guardian is None
                    else f"{(guardian - int(first['ts'])) / 1000:.1f} ms before the guardian consent."
                ),
                explanation_zh="该应用面向儿童，"
                + ("本次运行中未记录到监护人同意，" if guardian is None else "在监护人同意前")
                + f"读取了{'、'.join(pi_label_zh(t, category) for t in types)}。",
                pi_category=category,
                pi_type=types[0],
                sdk=ctx.attributions(int(first["id"])).label,
                evidence={
                    **_collection_group_evidence(ctx, group),
                    "guardian_consent_event_id": ctx.timeline.guardian_consents[0]["id"]
                    if guardian
                    else None,
                },
            )
        )
    return out
