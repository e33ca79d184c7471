"""Rules on where PI went: third parties, other countries, cleartext, beyond the declared lists."""

from __future__ import annotations

from ...knowledge.sdks import knowledge
from ..timeline import CONSENTED
from .common import (
    RuleContext,
    cap,
    distinct,
    judged_matches,
    make_finding,
    pi_label,
    pi_label_zh,
    sent_groups,
)
from .consent_rules import transmission_fields


def third_party_sharing(ctx: RuleContext) -> list:
    sent = judged_matches(ctx)
    if sent.empty:
        return []
    sent = sent[sent["party"] == "third"]
    out = []
    for g in sent_groups(sent, ["registrable", "pi_type"]):
        (domain, pi_type), group, first = g.key, g.rows, g.first
        phases = set(group["phase"])
        severity = "medium" if phases <= {CONSENTED} else "high"
        who = first["receiver_sdk"] or first["company"] or domain
        who_zh = knowledge().name_zh(first["receiver_sdk"]) if first["receiver_sdk"] else who
        label, label_zh = g.label, g.label_zh
        hosts = sorted(set(group["host"]))
        out.append(
            make_finding(
                ctx,
                "THIRD_PARTY_SHARING",
                (domain, pi_type),
                int(first["ts"]),
                title=f"{cap(label)} shared with {who} ({domain})",
                title_zh=f"向第三方 {who_zh}（{domain}）提供{label_zh}",
                explanation=f"The {label} reached {', '.join(hosts)}, which belongs to {who}"
                + (f" ({first['company']})" if first["company"] and first["company"] != who else "")
                + (
                    f", not to the app's first party; {len(group)} time(s), in the phases "
                    f"{', '.join(sorted(phases))}."
                ),
                explanation_zh=(
                    f"{label_zh}被发送至第三方 {who_zh} 的服务器（{'、'.join(hosts)}），共 {len(group)} 次。"
                ),
                severity=severity,
                **transmission_fields(ctx, group, first, first["host"], phases=sorted(phases), hosts=hosts),
            )
        )
    return out


def cross_border_transfer(ctx: RuleContext) -> list:
    sent = judged_matches(ctx)
    if sent.empty:
        return []
    home = ctx.profile.jurisdiction.upper()
    sent = sent[sent["ip_country"].notna() & (sent["ip_country"] != home)]
    out = []
    for g in sent_groups(sent, ["host", "pi_type"]):
        (host, pi_type), group, first = g.key, g.rows, g.first
        label, label_zh = g.label, g.label_zh
        country = first["ip_country"]
        out.append(
            make_finding(
                ctx,
                "CROSS_BORDER_TRANSFER",
                (host, pi_type),
                int(first["ts"]),
                title=f"{cap(label)} sent to a server in {country} ({host})",
                title_zh=f"{label_zh}传输至境外服务器（{country}，{host}）",
                explanation=(
                    f"The server of {host} ({first['server_ip']}) is in {country}, outside {home}, the "
                    "jurisdiction "
                    f"under test; it received the {label} {len(group)} time(s)."
                ),
                explanation_zh=(
                    f"{host} 的服务器（{first['server_ip']}）位于 {country}，不在 {home} 境内；"
                    f"共收到{label_zh} {len(group)} 次。"
                ),
                **transmission_fields(
                    ctx,
                    group,
                    first,
                    host,
                    server_ip=first["server_ip"],
                    ip_country=country,
                    jurisdiction=home,
                ),
            )
        )
    return out


def cleartext_transmission(ctx: RuleContext) -> list:
    sent = judged_matches(ctx)
    if sent.empty:
        return []
    sent = sent[~sent["tls"]]
    out = []
    for g in sent_groups(sent, ["host", "pi_type"]):
        (host, pi_type), group, first = g.key, g.rows, g.first
        label, label_zh = g.label, g.label_zh
        out.append(
            make_finding(
                ctx,
                "CLEARTEXT_TRANSMISSION",
                (host, pi_type),
                int(first["ts"]),
                title=f"{cap(label)} sent without TLS to {host}",
                title_zh=f"{label_zh}经未加密的 HTTP 发送至 {host}",
                explanation=(
                    f"{first['url']} is plain HTTP: anyone on the network path could read the {label} it "
                    "carried "
                    f"({first['encoding']}, at {first['location']})."
                ),
                explanation_zh=(
                    f"{first['url']} 使用明文 HTTP 传输，网络路径上的任何人都能读取其中的{label_zh}。"
                ),
                **transmission_fields(ctx, group, first, host),
            )
        )
    return out


def _named(declared: list[str], *names: str | None) -> bool:
    wanted = {d.strip().lower() for d in declared}
    return any(n and n.strip().lower() in wanted for n in names)


def collection_beyond_declared(ctx: RuleContext) -> list:
    profile = ctx.profile
    out = []
    if profile.declared_collected is not None and not ctx.events.empty:
        for (category, pi_type), group in ctx.events.groupby(["pi_category", "pi_type"], sort=False):
            if _named(profile.declared_collected, category, pi_type):
                continue
            first = group.iloc[0]
            out.append(
                make_finding(
                    ctx,
                    "COLLECTION_BEYOND_DECLARED",
                    ("collected", category, pi_type),
                    int(first["ts"]),
                    title=f"{cap(pi_label(pi_type))} collected but not declared",
                    title_zh=f"收集了未声明的{pi_label_zh(pi_type, category)}",
                    explanation=(
                        f"The app read the {pi_label(pi_type)} ({category}) {len(group)} time(s); the "
                        "declared list of "
                        f"collected PI names only {', '.join(profile.declared_collected) or 'nothing'}."
                    ),
                    explanation_zh=(
                        f"应用读取了{pi_label_zh(pi_type, category)} {len(group)} 次，但收集清单中只声明了"
                        f"{'、'.join(profile.declared_collected) or '无'}。"
                    ),
                    pi_category=category,
                    pi_type=pi_type,
                    sdk=ctx.attributions(int(first["id"])).label,
                    evidence={
                        "hook_event_ids": [int(i) for i in group["id"].head(50)],
                        "declared": profile.declared_collected,
                    },
                )
            )
    if profile.declared_shared is not None:
        parties: dict[str, dict] = {}
        sdk_reads = ctx.events[ctx.events["party"] == "sdk"] if not ctx.events.empty else ctx.events
        for _sdk, group in sdk_reads.groupby("sdk", sort=False):
            attr = ctx.attributions(int(group["id"].iloc[0]))
            parties[attr.sdk.name] = {
                "ts": int(group["ts"].iloc[0]),
                "names": (attr.sdk.name, attr.sdk.company),
                "hooks": [int(i) for i in group["id"].head(50)],
                "flows": [],
                "pi_types": set(group["pi_type"]),
            }
        sent = judged_matches(ctx)
        if not sent.empty:
            third = sent[sent["party"] == "third"].sort_values(["ts", "flow_id"])
            third = third.assign(
                key=[
                    s or c or r
                    for s, c, r in zip(third["receiver_sdk"], third["company"], third["registrable"])
                ]
            )
            for key, group in third.groupby("key", sort=False):
                first = group.iloc[0]
                item = parties.setdefault(
                    key, {"ts": int(first["ts"]), "names": (), "hooks": [], "flows": [], "pi_types": set()}
                )
                item["names"] = tuple(item["names"]) + (
                    first["receiver_sdk"],
                    first["company"],
                    first["registrable"],
                )
                item["flows"] += distinct(group["flow_id"])[:50]
                item["pi_types"] |= set(group["pi_type"])
        for key, item in parties.items():
            if _named(profile.declared_shared, key, *item["names"]):
                continue
            out.append(
                make_finding(
                    ctx,
                    "COLLECTION_BEYOND_DECLARED",
                    ("shared", key),
                    item["ts"],
                    title=f"Third party {key} not declared",
                    title_zh=f"未声明的第三方 {knowledge().name_zh(key)}",
                    explanation=(
                        f"{key} collected or received "
                        f"{', '.join(pi_label(t) for t in sorted(item['pi_types']))}; the "
                        f"declared list of third parties names only "
                        f"{', '.join(profile.declared_shared) or 'nobody'}."
                    ),
                    explanation_zh=(
                        f"第三方 {knowledge().name_zh(key)} 收集或接收了"
                        f"{'、'.join(pi_label_zh(t) for t in sorted(item['pi_types']))}，"
                        f"但第三方共享清单中只声明了{'、'.join(profile.declared_shared) or '无'}。"
                    ),
                    sdk=key,
                    evidence={
                        "hook_event_ids": item["hooks"][:50],
                        "flow_ids": distinct(item["flows"])[:50],
                        "declared": profile.declared_shared,
                        "pi_types": sorted(item["pi_types"]),
                    },
                )
            )
    return out
