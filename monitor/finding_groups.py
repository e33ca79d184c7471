"""Findings in the groups the analysis stored (one per actor: an SDK, the app, unknown code), most
severe group first, each group's facets in the order given; for every reader. Findings stored
before groups each stand alone."""

from __future__ import annotations

from .severity import rank


def grouped(findings: list[dict]) -> list[dict]:
    """[{key, title, title_zh, severity, size, findings: [...]}] from reviewed findings' JSON."""
    groups: dict[str, dict] = {}
    for f in findings:
        stored = f.get("group") or {
            "key": f"finding:{f['fingerprint']}",
            "title": f["title"],
            "title_zh": f.get("title_zh") or f["title"],
            "severity": f["severity"],
            "size": 1,
        }
        groups.setdefault(stored["key"], {**stored, "findings": []})["findings"].append(f)
    return sorted(
        groups.values(), key=lambda g: (rank(g["severity"]), min(f["ts_us"] for f in g["findings"]))
    )
