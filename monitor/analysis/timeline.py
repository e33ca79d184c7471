"""The consent timeline and the app-state timeline of one run (docs/consent.md).

Consent phases: before-notice → notice-shown → consented | refused → withdrawn (and back to
consented on a new consent). They come from the run's consent events after the reviewer's
overrides, with a precedence between sources: when the tester marked consent by hand (mark, a
key, the dashboard), those marks decide; otherwise clicks on agree/refuse texts; otherwise the
app's calls to SDK privacy APIs; otherwise consent-like preference writes. Lower sources are kept
as corroboration, never dropped.

App states: foreground from Activity.onResume, background from onPause/finish (unless another
onResume follows within TRANSITION_US: one activity handing over to the next), screen-off from
PowerManager.isInteractive returning false. A run starts in the foreground.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from ..consent import DECISION_KINDS, PRECEDENCE, SOURCE_CLASS

BEFORE_NOTICE, NOTICE_SHOWN, CONSENTED, REFUSED, WITHDRAWN = (
    "before-notice",
    "notice-shown",
    "consented",
    "refused",
    "withdrawn",
)
FOREGROUND, BACKGROUND, SCREEN_OFF = "foreground", "background", "screen-off"
TRANSITION_US = 1_000_000


@dataclass(frozen=True)
class Interval:
    start: int
    end: int | None  # None: until the end of the run
    name: str
    event_id: int | None = None
    source: str | None = None


@dataclass
class Timeline:
    phases: list[Interval]
    states: list[Interval]
    decisions: list[dict]  # the consent events in force (after overrides and precedence)
    corroborating: list[dict]  # decision events of lower-precedence sources
    rejected: list[dict]  # events a reviewer rejected
    notices: list[dict]
    guardian_consents: list[dict]
    clock_error_us: int
    deciding_source: str | None
    exits: list[dict] = field(default_factory=list)  # the app closing itself: {ts, api, hook_event_id}
    _phase_starts: list[int] = field(default_factory=list, repr=False)
    _state_starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._phase_starts = [p.start for p in self.phases]
        self._state_starts = [s.start for s in self.states]

    def phase_at(self, ts: int) -> Interval:
        """The phase in force at `ts` (an event at the very moment of a decision is before it)."""
        i = bisect.bisect_left(self._phase_starts, ts) - 1
        return self.phases[max(i, 0)]

    def state_at(self, ts: int) -> Interval:
        i = bisect.bisect_right(self._state_starts, ts) - 1
        return self.states[max(i, 0)]

    def first_consent(self) -> dict | None:
        return next((d for d in self.decisions if d["kind"] == "consent"), None)

    def to_json(self) -> dict:
        def iv(i: Interval) -> dict:
            return {
                "start": i.start,
                "end": i.end,
                "name": i.name,
                "consent_event_id": i.event_id,
                "source": i.source,
            }

        return {
            "phases": [iv(p) for p in self.phases],
            "states": [iv(s) for s in self.states],
            "deciding_source": self.deciding_source,
            "clock_error_us": self.clock_error_us,
            "decisions": [d["id"] for d in self.decisions],
            "corroborating": [d["id"] for d in self.corroborating],
            "rejected_by_reviewer": [d["id"] for d in self.rejected],
        }


def _overrides(reviews: list[dict]) -> dict[int, str]:
    """consent event id → the reviewer's latest decision on it ("reject" or "accept")."""
    latest: dict[int, str] = {}
    for r in sorted(reviews, key=lambda r: (r["ts"], r["id"])):
        if r["target"].startswith("consent:"):
            try:
                latest[int(r["target"].split(":", 1)[1])] = r["decision"]
            except ValueError:
                continue
    return latest


def _phases(start: int, end: int | None, decisions: list[dict], notices: list[dict]) -> list[Interval]:
    marks: list[tuple[int, int, str, dict | None]] = []
    first_notice = min([n["ts"] for n in notices] + [d["ts"] for d in decisions], default=None)
    if first_notice is not None:  # a decision implies the notice was on screen
        marks.append(
            (first_notice, 0, NOTICE_SHOWN, next((n for n in notices if n["ts"] == first_notice), None))
        )
    state = None
    for d in decisions:
        if d["kind"] == "consent":
            state = CONSENTED
        elif d["kind"] == "withdraw" or (d["kind"] == "refuse" and state in (CONSENTED, WITHDRAWN)):
            state = WITHDRAWN
        else:
            state = REFUSED
        marks.append((d["ts"], 1, state, d))
    out: list[Interval] = []
    name, since, event = BEFORE_NOTICE, start, None
    for ts, _order, next_name, next_event in sorted(marks, key=lambda m: (m[0], m[1])):
        if next_name == name:
            continue
        out.append(
            Interval(since, ts, name, event["id"] if event else None, event["source"] if event else None)
        )
        name, since, event = next_name, ts, next_event
    out.append(Interval(since, end, name, event["id"] if event else None, event["source"] if event else None))
    return out


def _lifecycle(events: list[dict]) -> list[tuple[int, str, dict]]:
    marks = []
    for e in events:
        api, signal = e["api"], e.get("signal")
        if signal == "lifecycle":
            method = api.rsplit(".", 1)[-1]
            if method == "onResume":
                marks.append((e["ts"], FOREGROUND, e))
            elif method in ("onPause", "finish", "onStop"):
                marks.append((e["ts"], BACKGROUND, e))
        elif signal == "screen_state":
            ret = e.get("ret")
            value = ret.get("return") if isinstance(ret, dict) else ret
            if value is False:
                marks.append((e["ts"], SCREEN_OFF, e))
            elif value is True:
                marks.append((e["ts"], "screen-on", e))
    return sorted(marks, key=lambda m: (m[0], m[2].get("id", 0)))


def _states(start: int, end: int | None, signal_events: list[dict]) -> list[Interval]:
    marks = _lifecycle(signal_events)
    out = [Interval(start, None, FOREGROUND)]
    resumes = [ts for ts, name, _ in marks if name == FOREGROUND]
    activity_state = FOREGROUND
    screen_off = False
    for ts, name, event in marks:
        if name == BACKGROUND:
            nxt = bisect.bisect_right(resumes, ts)
            if nxt < len(resumes) and resumes[nxt] - ts <= TRANSITION_US:
                continue  # one activity handing over to the next
            activity_state = BACKGROUND
        elif name == FOREGROUND:
            activity_state = FOREGROUND
            screen_off = False
        elif name == SCREEN_OFF:
            screen_off = True
        elif name == "screen-on":
            screen_off = False
        current = SCREEN_OFF if screen_off else activity_state
        if current != out[-1].name:
            out[-1] = Interval(out[-1].start, ts, out[-1].name)
            out.append(Interval(ts, None, current, event.get("id"), event.get("api")))
    out[-1] = Interval(out[-1].start, end, out[-1].name, out[-1].event_id, out[-1].source)
    return out


EXIT_APIS = (
    "android.os.Process.killProcess",
    "android.app.Activity.finish",
    "android.app.Activity.finishAffinity",
)


def build_timeline(
    session: dict,
    consent_events: list[dict],
    signal_events: list[dict],
    reviews: list[dict],
    clock_samples: list[dict],
) -> Timeline:
    overrides = _overrides(reviews)
    rejected = [c for c in consent_events if overrides.get(c["id"]) == "reject"]
    kept = [c for c in consent_events if overrides.get(c["id"]) != "reject"]
    decisions_all = sorted(
        (c for c in kept if c["kind"] in DECISION_KINDS and c["kind"] != "guardian_consent"),
        key=lambda c: (c["ts"], c["id"]),
    )
    deciding = None
    for cls in PRECEDENCE:
        if any(SOURCE_CLASS.get(c["source"], "tester") == cls for c in decisions_all):
            deciding = cls
            break
    decisions = [c for c in decisions_all if SOURCE_CLASS.get(c["source"], "tester") == deciding]
    corroborating = [c for c in decisions_all if c not in decisions]
    notices = sorted((c for c in kept if c["kind"] == "notice"), key=lambda c: (c["ts"], c["id"]))
    guardians = sorted((c for c in kept if c["kind"] == "guardian_consent"), key=lambda c: (c["ts"], c["id"]))
    start, end = session["started_at"], session.get("ended_at")
    error = max((c["error_us"] for c in clock_samples), default=0)
    exits = [
        {"ts": e["ts"], "api": e["api"], "hook_event_id": e["id"]}
        for e in signal_events
        if e["api"] in EXIT_APIS
    ]
    return Timeline(
        _phases(start, end, decisions, notices),
        _states(start, end, signal_events),
        decisions,
        corroborating,
        rejected,
        notices,
        guardians,
        error,
        deciding,
        exits,
    )


def names_at(intervals: list[Interval], ts, side: str = "left"):
    """Vectorised phase_at/state_at: the interval name in force at each time of `ts` (an array)."""
    import numpy as np

    starts = np.array([i.start for i in intervals], dtype="int64")
    names = np.array([i.name for i in intervals], dtype=object)
    index = np.searchsorted(starts, np.asarray(ts, dtype="int64"), side=side) - 1
    return names[np.clip(index, 0, len(intervals) - 1)]
