"""Consent events judged from the run's raw signals (clicks, dialogs, preference writes, SDK
privacy calls) with the app profile in force: re-analysing with another profile gives other
consent events. The tester's own marks are stored as they happen and kept as they are.

Ids stay stable across analyses: a judged event keeps the id it had for the same hook event and
kind, so reviewer overrides (`consent:<id>`) and finding evidence keep pointing at it."""

from __future__ import annotations

from .. import events as ev
from ..consent import CONFIDENCE, Vocabulary, signal_for


def _self_value(ret):
    """What the agent reported as the call's receiver (a clicked view's text, a dialog)."""
    return ret.get("this") if isinstance(ret, dict) and "this" in ret else None


def judge_consent_events(
    session_id: str,
    signals: list[dict],
    consent_args: dict[str, int | None],
    vocabulary: Vocabulary,
    stored: list[dict],
    last_id: int,
) -> tuple[list[ev.ConsentEvent], list[dict]]:
    """(the judged events to store, every consent event of the run as the timeline reads them:
    the tester's marks and the judged ones, in time order). `stored`: the session's consent
    events as stored; `last_id`: the store's highest consent event id (new ids come after it)."""
    marks = [c for c in stored if c.get("hook_event_id") is None]
    earlier = {(c["hook_event_id"], c["kind"]): c["id"] for c in stored if c.get("hook_event_id") is not None}
    next_id = max([last_id, *(c["id"] for c in stored)]) + 1
    judged: list[ev.ConsentEvent] = []
    for s in signals:
        api = s["api"]
        meaning = signal_for(
            s["signal"],
            api.rsplit(".", 1)[-1],
            s["args"],
            _self_value(s["ret"]),
            consent_args.get(s["hook_id"] or ""),
            api,
            vocabulary,
        )
        if meaning is None:
            continue
        event_id = earlier.get((s["id"], meaning.kind))
        if event_id is None:
            event_id, next_id = next_id, next_id + 1
        judged.append(
            ev.ConsentEvent(
                session_id,
                s["ts"],
                meaning.kind,
                meaning.source,
                detail=meaning.detail,
                hook_seq=s.get("seq"),
                confidence=CONFIDENCE[meaning.source],
                hook_event_id=s["id"],
                id=event_id,
            )
        )
    rows = marks + [dict(vars(c)) for c in judged]
    return judged, sorted(rows, key=lambda c: (c["ts"], c["id"]))
