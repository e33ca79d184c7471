"""The values to look for in traffic: every PI value a hook returned during the run, each
expanded into the encodings apps use to send it."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from urllib.parse import quote

MIN_VALUE_LENGTH = 6


@dataclass(frozen=True)
class WatchValue:
    value: str
    pi_category: str
    pi_type: str
    hook_event_id: int  # the first hook event that returned it


@dataclass(frozen=True)
class Needle:
    pattern: bytes
    encoding: str
    watch: WatchValue


def values_from_event(event: dict) -> list[str]:
    """The PI values in one hook event's return value."""
    ret = event.get("ret")
    if event.get("pi_category") is None or ret is None:
        return []
    if event["pi_category"] == "location" and isinstance(ret, dict):
        out = []
        for key in ("latitude", "longitude"):
            if isinstance(ret.get(key), (int, float)):
                number = float(ret[key])
                out.append(repr(number))
                out.extend(f"{number:.{d}f}" for d in (6, 5, 4))
        return out
    if isinstance(ret, list):
        return [str(v) for v in ret if v is not None]
    if isinstance(ret, (str, int, float)):
        return [str(ret)]
    return []


def build_watchlist(hook_events: list[dict], exclude: set[str] = frozenset()) -> list[WatchValue]:
    seen: dict[str, WatchValue] = {}
    for event in hook_events:
        for value in values_from_event(event):
            value = value.strip()
            if len(value) < MIN_VALUE_LENGTH or value in exclude or value in seen:
                continue
            seen[value] = WatchValue(value, event["pi_category"], event["pi_type"], event["id"])
    return list(seen.values())


def expand(watch: WatchValue) -> list[Needle]:
    raw = watch.value.encode("utf-8")
    needles = [Needle(raw, "plain", watch)]
    quoted = quote(watch.value, safe="").encode()
    if quoted != raw:
        needles.append(Needle(quoted, "url-encoded", watch))
    for name in ("md5", "sha1", "sha256"):
        digest = hashlib.new(name, raw).hexdigest()
        needles.append(Needle(digest.encode(), name, watch))
        needles.append(Needle(digest.upper().encode(), name, watch))
    b64 = base64.b64encode(raw).rstrip(b"=")
    if len(b64) >= MIN_VALUE_LENGTH:
        needles.append(Needle(b64, "base64", watch))
    return needles
