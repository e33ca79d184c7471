"""Per SDK, for the report and the workbook: what its code read (the hook events the analysis gave
it), what it sent (the transmission findings that name it), and whether either happened before
consent. Read from what the analysis stored: the events' attribution and phase, the findings."""

from __future__ import annotations

from ..knowledge.sdks import knowledge
from ..severity import HIGHEST_FIRST, rank

PRECONSENT_PHASES = ("before-notice", "notice-shown")
NOT_AN_SDK = (None, "app", "unknown", "unattributed")


def _empty(name: str) -> dict:
    return {
        "sdk": name,
        "read": [],
        "reads": 0,
        "first": None,
        "read_early": False,
        "sent": [],
        "hosts": [],
        "sent_early": False,
        "findings": 0,
        "severity": None,
    }


class SdkSummary:
    """Fed every hook event once (a session may hold millions), then asked for the rows."""

    def __init__(self) -> None:
        self._reads: dict[str, dict] = {}

    def add_event(self, e: dict) -> None:
        """`e`: hook_event_json(), with the SDK and consent phase the analysis stored."""
        lane = e.get("sdk")
        if not e.get("pi_type") or lane in NOT_AN_SDK:
            return
        r = self._reads.setdefault(lane, _empty(lane))
        r["reads"] += 1
        r["first"] = e["ts_us"] if r["first"] is None else min(r["first"], e["ts_us"])
        r["read_early"] |= e.get("consent_phase") in PRECONSENT_PHASES
        if e["pi_type"] not in r["read"]:
            r["read"].append(e["pi_type"])

    def rows(self, findings: list[dict]) -> list[dict]:
        """Per SDK, most severe first: the reads fed so far, and the findings that name it."""
        rows = {name: {**r, "read": list(r["read"])} for name, r in self._reads.items()}
        for f in findings:
            if not f.get("sdk"):
                continue
            r = rows.setdefault(f["sdk"], _empty(f["sdk"]))
            r["findings"] += 1
            if r["severity"] is None or rank(f["severity"]) < rank(r["severity"]):
                r["severity"] = f["severity"]
            if f.get("host"):
                if f["pi_type"] and f["pi_type"] not in r["sent"]:
                    r["sent"].append(f["pi_type"])
                if f["host"] not in r["hosts"]:
                    r["hosts"].append(f["host"])
                r["sent_early"] |= f["rule_id"] == "PRECONSENT_TRANSMISSION"
        kb = knowledge()
        for r in rows.values():  # the knowledge base's facts on it: one name per language, who, where
            sdk = kb.by_name(r["sdk"])
            r |= {
                "name_zh": kb.name_zh(r["sdk"]),
                "company": sdk.company if sdk else None,
                "country": sdk.country if sdk else None,
            }
        return sorted(rows.values(), key=lambda r: (rank(r["severity"] or HIGHEST_FIRST[-1]), r["sdk"]))
