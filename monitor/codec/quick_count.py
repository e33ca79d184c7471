"""The live count while capturing: watched values visible without decoding (URL, headers, raw
body), in every spelling of the transform lattice. Progress only: the analysis pass decodes
everything and is the one that counts."""

from __future__ import annotations

from .multipattern import make_matcher
from .transforms import WatchValue, expand


class QuickCounter:
    def __init__(self, values: list[dict]) -> None:
        needles = [
            n for v in values for n in expand(WatchValue(v["value"], v["pi_category"], v["pi_type"], None))
        ]
        self._matcher = make_matcher([n.pattern for n in needles])

    def count(self, flow: dict) -> int:
        data = b"\n".join(
            [
                flow["url"].encode("utf-8", "replace"),
                *(f"{k}: {v}".encode("utf-8", "replace") for k, v in flow["request_headers"]),
                flow["request_body"] or b"",
            ]
        )
        return len(self._matcher.scan(data))


def quick_counter(values: list[dict]) -> QuickCounter | None:
    """None when there is nothing to watch."""
    return QuickCounter(values) if values else None
