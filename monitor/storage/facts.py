"""What the analysis stored about a session, as readers (dashboard, evidence) ask for it: who made
a call, the consent phase and app state at a time, the timeline, the watchlist. Nothing here is
derived anew: a session the analysis has not seen yet has no attributions and no timeline."""

from __future__ import annotations

import bisect
from functools import cached_property

from .. import events as ev
from .queries import StoreReader

UNATTRIBUTED = "unattributed"  # a call the analysis has not judged (the session is not analysed yet)


def _lane(who: dict | None) -> str:
    if who is None:
        return UNATTRIBUTED
    return who["sdk"] or ("app" if who["party"] == "app" else "unknown")


class SessionFacts:
    def __init__(self, reader: StoreReader, session_id: str) -> None:
        stored = reader.analysis_facts(session_id)
        self.analysed = stored is not None
        self.timeline: dict = (stored or {}).get("timeline") or {"phases": [], "states": []}
        self.watchlist: list[dict] = (stored or {}).get("watchlist") or []
        # every rule with its clauses and whether the run could judge it (None: analysed before
        # that was stored, or not analysed)
        self.rules: list[dict] | None = (stored or {}).get("rules")
        self.policy: dict | None = (stored or {}).get("policy")
        self._reader, self._session_id = reader, session_id
        self._phase_starts = [p["start"] for p in self.timeline["phases"]]
        self._state_starts = [s["start"] for s in self.timeline["states"]]

    @property
    def phases(self) -> list[dict]:
        return self.timeline["phases"]

    @property
    def states(self) -> list[dict]:
        return self.timeline["states"]

    @cached_property
    def _who(self) -> dict[tuple[int, str], dict]:
        return self._reader.stack_attributions(self._session_id)

    @cached_property
    def _receivers(self) -> dict[tuple[str, str | None], dict]:
        return self._reader.receiver_facts(self._session_id)

    def who(self, event: dict) -> dict | None:
        return self._who.get((event.get("stack_hash"), event.get("api")))

    def lane(self, event: dict) -> str:
        """The SDK's name, "app" for the app's own code, "unknown" for code nobody knows."""
        return _lane(self.who(event))

    def stack_hashes_of(self, lane: str) -> list[int]:
        """The stacks whose call the analysis gave to `lane` (an SDK's name, "app" or "unknown")."""
        return sorted({h for (h, _api), who in self._who.items() if _lane(who).lower() == lane.lower()})

    def phase_at(self, ts: int) -> str | None:
        """The consent phase in force at `ts` (an event at the very moment of a decision is before it)."""
        i = bisect.bisect_left(self._phase_starts, ts) - 1
        return self.phases[max(i, 0)]["name"] if self.phases else None

    def state_at(self, ts: int) -> str | None:
        i = bisect.bisect_right(self._state_starts, ts) - 1
        return self.states[max(i, 0)]["name"] if self.states else None

    def receiver(self, flow: dict) -> dict | None:
        """Who received this flow (party, SDK or tracker, company, countries); None: not analysed."""
        r = self._receivers.get((flow["host"], flow.get("server_ip")))
        return None if r is None else {k: r[k] for k in ev.RECEIVER_FIELDS}

    def senders(self, flow_ids: list[str]) -> dict[str, dict]:
        """flow id → the call that sent it (hook event, API, SDK or app), where the analysis found one."""
        return {
            fid: {k: s[k] for k in ("hook_event_id", "api", "sdk", "party", "lead_ms")}
            for fid, s in self._reader.sender_facts(self._session_id, flow_ids).items()
        }

    def event_facts(self, event: dict) -> dict:
        who = self.who(event)
        return {
            "sdk": self.lane(event),
            "party": who["party"] if who else None,
            "reflective": bool(who["reflective"]) if who else None,
            "consent_phase": self.phase_at(event["ts"]),
            "app_state": self.state_at(event["ts"]),
        }
