"""Reviewer decisions: on findings (by fingerprint, so they survive re-analysis) and on consent
events (accept or reject a detected signal). Append-only: the latest decision per target is in
force; the earlier ones are the history."""

from __future__ import annotations

from . import events as ev
from .timeutil import iso_utc

FINDING_DECISIONS = ("confirm", "dismiss", "reopen")
CONSENT_DECISIONS = ("accept", "reject")


class ReviewError(ValueError):
    pass


def finding_target(fingerprint: str) -> str:
    return f"finding:{fingerprint}"


def resolve_target(target: str, findings: list[dict], consent_events: list[dict]) -> str:
    """A finding's fingerprint (or a unique prefix of it), or consent:<event id>."""
    if target.startswith("consent:"):
        ident = target.split(":", 1)[1]
        if not ident.isdigit() or int(ident) not in {c["id"] for c in consent_events}:
            raise ReviewError(
                f"no consent event {ident!r} in this session (see `privmon findings --json`, "
                "evidence.consent_event_id)"
            )
        return target
    prefix = target.removeprefix("finding:")
    hits = sorted({f["fingerprint"] for f in findings if f["fingerprint"].startswith(prefix)})
    if not prefix or not hits:
        raise ReviewError(f"no finding with fingerprint {target!r} in this session")
    if len(hits) > 1:
        raise ReviewError(f"{target!r} matches {len(hits)} findings; give more of the fingerprint")
    return finding_target(hits[0])


def check_decision(target: str, decision: str) -> None:
    allowed = CONSENT_DECISIONS if target.startswith("consent:") else FINDING_DECISIONS
    if decision not in allowed:
        raise ReviewError(
            f"decision for {target.split(':')[0]} targets must be one of {', '.join(allowed)}, "
            f"not {decision!r}"
        )


def decision(
    session_id: str, target: str, decision_: str, reviewer: str, note: str | None, ts: int
) -> ev.ReviewDecision:
    check_decision(target, decision_)
    if not reviewer.strip():
        raise ReviewError("a decision needs a reviewer name (--reviewer or PRIVMON_REVIEWER)")
    return ev.ReviewDecision(
        session_id, ts, target, decision_, reviewer.strip()[:200], (note or "")[:4000] or None
    )


def review_states(reviews: list[dict]) -> dict[str, dict]:
    """target → {"state", "reviewer", "ts", "note", "history"}; "open" when never decided or reopened."""
    out: dict[str, dict] = {}
    for r in sorted(reviews, key=lambda r: (r["ts"], r["id"])):
        item = out.setdefault(r["target"], {"history": []})
        item["history"].append(
            {"ts": iso_utc(r["ts"]), "decision": r["decision"], "reviewer": r["reviewer"], "note": r["note"]}
        )
        item.update(
            state="open" if r["decision"] == "reopen" else r["decision"],
            reviewer=r["reviewer"],
            ts=iso_utc(r["ts"]),
            note=r["note"],
        )
    return out


def finding_state(finding: dict, states: dict[str, dict]) -> dict:
    return states.get(finding_target(finding["fingerprint"]), {"state": "open", "history": []})


def diff_findings(a: list[dict], b: list[dict]) -> dict[str, list[dict]]:
    """Findings of session b against session a, by fingerprint: new, gone, unchanged."""
    fa = {f["fingerprint"]: f for f in a}
    fb = {f["fingerprint"]: f for f in b}
    return {
        "new": [fb[k] for k in fb if k not in fa],
        "gone": [fa[k] for k in fa if k not in fb],
        "unchanged": [fb[k] for k in fb if k in fa],
    }
