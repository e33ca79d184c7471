"""Rules on runtime permissions: sensitive PI without a prompt of its own, bundled or early
requests, a denied permission asked for again."""

from __future__ import annotations

from ..rule_catalogue import DANGEROUS_PERMISSIONS, SENSITIVE_CATEGORIES
from ..timeline import BEFORE_NOTICE, NOTICE_SHOWN
from .behaviour_rules import denied_permissions, permissions_in
from .common import RuleContext, cap, make_finding, read_groups

SAME_REQUEST_US = 50_000  # ActivityCompat.requestPermissions delegating to Activity.requestPermissions


def _requests(ctx: RuleContext) -> list[dict]:
    """Permission requests, one per user-visible prompt (a helper's delegation is the same prompt)."""
    out: list[dict] = []
    for event in sorted(
        (e for e in ctx.signals if e.get("signal") == "permission_request"), key=lambda e: (e["ts"], e["id"])
    ):
        if (
            out
            and event["ts"] - out[-1]["ts"] < SAME_REQUEST_US
            and permissions_in(event) == permissions_in(out[-1])
        ):
            continue
        out.append(event)
    return out


def sensitive_without_separate_consent(ctx: RuleContext) -> list:
    if ctx.events.empty:
        return []
    reads = ctx.events[ctx.events["pi_category"].isin(SENSITIVE_CATEGORIES)]
    # (time, row id): a request and the read it allows can fall in one tick of the device's
    # millisecond clock; the one stored first returned first
    requested = [((e["ts"], e["id"]), set(permissions_in(e))) for e in _requests(ctx)]
    out = []
    for g in read_groups(ctx, reads, ["pi_category", "caller"]):  # each SDK's first read, the app's
        (category, caller), first = g.key, g.first
        permission = ctx.entries.get(first["hook_id"] or "", {}).get("permission") or ctx.permission_of(
            first["pi_type"]
        )
        if not permission:
            continue  # no permission guards this API: nothing to prompt for
        at = (first["ts"], first["id"])
        if any(when < at and permission in perms for when, perms in requested):
            continue
        attr, who, who_zh, label, label_zh = g.attr, g.who, g.who_zh, g.label, g.label_zh
        out.append(
            make_finding(
                ctx,
                "SENSITIVE_WITHOUT_SEPARATE_CONSENT",
                (category, caller),
                int(first["ts"]),
                title=(
                    f"Sensitive PI ({label}) read by {who} without asking for "
                    f"{permission.rsplit('.', 1)[-1]} first"
                ),
                title_zh=f"未单独征得同意即读取敏感个人信息（{label_zh}）",
                explanation=(
                    f"{cap(who)} read the {label} through {first['api']} and no runtime request for "
                    f"{permission} "
                    "came before it in this run: sensitive PI needs the user's separate consent."
                ),
                explanation_zh=(
                    f"{who_zh}通过 {first['api']} 读取{label_zh}之前，本次运行中未出现 {permission} "
                    "权限申请；敏感个人信息需单独同意。"
                ),
                pi_category=category,
                pi_type=first["pi_type"],
                sdk=attr.label,
                evidence={
                    "first_hook_event_id": int(first["id"]),
                    "permission": permission,
                    "permission_requests_before": [sorted(p) for when, p in requested if when < at],
                },
            )
        )
    return out


def permission_bundling(ctx: RuleContext) -> list:
    min_bundle = ctx.params("PERMISSION_BUNDLING")["min_bundle"]
    out = []
    for event in _requests(ctx):
        dangerous = sorted(p for p in permissions_in(event) if p in DANGEROUS_PERMISSIONS)
        if not dangerous:
            continue
        phase = ctx.timeline.phase_at(event["ts"]).name
        early = phase in (BEFORE_NOTICE, NOTICE_SHOWN)
        if len(dangerous) < min_bundle and not early:
            continue
        why = [f"{len(dangerous)} dangerous permissions at once"] if len(dangerous) >= min_bundle else []
        why += ["before consent"] if early else []
        short = ", ".join(p.rsplit(".", 1)[-1] for p in dangerous)
        attr = ctx.attributions(event["id"])
        out.append(
            make_finding(
                ctx,
                "PERMISSION_BUNDLING",
                (tuple(dangerous), tuple(why)),
                event["ts"],
                title=f"Permissions requested {' and '.join(why)} ({short})",
                title_zh=("一次申请多项危险权限" if len(dangerous) >= min_bundle else "")
                + ("；" if len(why) == 2 else "")
                + ("用户同意前申请权限" if early else "")
                + f"（{short}）",
                explanation=(
                    f"{event['api']} asked for {short} ({' and '.join(why)}); permissions should be asked "
                    "one at a time, "
                    "when the feature that needs them is used."
                ),
                explanation_zh=f"{event['api']} 申请了 {short}；权限应在使用相关功能时逐项申请。",
                sdk=attr.label,
                evidence={
                    "hook_event_id": event["id"],
                    "permissions": dangerous,
                    "phase": phase,
                    "reasons": why,
                },
            )
        )
    return out


def _request_code(event: dict) -> int | None:
    args = event.get("args") or []
    for i, arg in enumerate(args):
        if isinstance(arg, list):
            after = args[i + 1] if i + 1 < len(args) else None
            return after if isinstance(after, int) else None
    return None


def repeated_permission_request(ctx: RuleContext) -> list:
    """A prompt is a repeat when it asks for a permission that an *earlier* prompt's result denied.
    Hook times are those of the calls' starts, so a prompt and the result it produced can share
    a millisecond: a result answers the latest prompt that began before it with its request code."""
    prompts = _requests(ctx)
    denied_by: dict[str, tuple[int, int]] = {}  # permission → (index of the answered prompt, result ts)
    for result in sorted(
        (e for e in ctx.signals if e.get("signal") == "permission_result"), key=lambda e: (e["ts"], e["id"])
    ):
        code = (result.get("args") or [None])[0]
        answered = None
        for i, prompt in enumerate(prompts):
            if prompt["ts"] > result["ts"]:
                break
            if not isinstance(code, int) or _request_code(prompt) in (None, code):
                answered = i
        if answered is None:
            continue
        for permission in denied_permissions(result):
            denied_by.setdefault(permission, (answered, result["ts"]))
    out = []
    seen: set[str] = set()
    for i, event in enumerate(prompts):
        for permission in permissions_in(event):
            if permission not in denied_by or permission in seen or i <= denied_by[permission][0]:
                continue
            seen.add(permission)
            denied_ts = denied_by[permission][1]
            short = permission.rsplit(".", 1)[-1]
            out.append(
                make_finding(
                    ctx,
                    "REPEATED_PERMISSION_REQUEST",
                    (permission,),
                    event["ts"],
                    title=f"{short} asked for again after the user denied it",
                    title_zh=f"用户拒绝后再次申请 {short} 权限",
                    explanation=(
                        f"The user denied {permission}; {(event['ts'] - denied_ts) / 1_000_000:.1f} s later "
                        f"{event['api']} asked for it again."
                    ),
                    explanation_zh=(
                        f"用户拒绝 {permission} 后 {(event['ts'] - denied_ts) / 1_000_000:.1f} "
                        "秒，应用再次申请该权限。"
                    ),
                    sdk=ctx.attributions(event["id"]).label,
                    evidence={
                        "hook_event_id": event["id"],
                        "permission": permission,
                        "denied_ms_before": round((event["ts"] - denied_ts) / 1000, 3),
                    },
                )
            )
    return out
