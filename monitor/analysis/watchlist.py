"""The values to look for in traffic: every PI value a hook returned during the run, each
expanded into the encodings apps use to send it."""

from __future__ import annotations

from ..codec.transforms import Needle, WatchValue, expand  # noqa: F401  (re-exported for callers)

MIN_VALUE_LENGTH = 6


def values_from_event(event: dict) -> list[str]:
    """The PI values in one hook event's return value."""
    ret = event.get("ret")
    if event.get("pi_category") is None or ret is None:
        return []
    if event["pi_category"] == "location" and isinstance(ret, dict):
        # the transform lattice adds the rounded and scaled spellings
        return [
            repr(float(ret[k])) for k in ("latitude", "longitude") if isinstance(ret.get(k), (int, float))
        ]
    if isinstance(ret, list):
        # items only: a mark the agent left for an item it could not convert is not a value
        return [str(v) for v in ret if isinstance(v, (str, int, float)) and not isinstance(v, bool)]
    if isinstance(ret, (str, int, float)) and not isinstance(ret, bool):
        return [str(ret)]
    return []


def build_watchlist(
    hook_events: list[dict], exclude: set[str] = frozenset(), profile: list[dict] = ()
) -> list[WatchValue]:
    """Every PI value the hooks returned (linked to the first event that returned it), then the
    device profile's identifiers that no hook returned (no hook event to link)."""
    seen: dict[str, WatchValue] = {}
    for event in hook_events:
        for value in values_from_event(event):
            value = value.strip()
            if len(value) < MIN_VALUE_LENGTH or value in exclude or value in seen:
                continue
            seen[value] = WatchValue(value, event["pi_category"], event["pi_type"], event["id"])
    for item in profile:
        value = str(item.get("value", "")).strip()
        if len(value) >= MIN_VALUE_LENGTH and value not in exclude and value not in seen:
            seen[value] = WatchValue(value, item["pi_category"], item["pi_type"], None)
    return list(seen.values())
