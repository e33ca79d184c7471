"""What the APK declares against what the run observed, for the report and the CLI: the SDKs whose
code it carries against the SDKs seen reading or sending (the analysis's per-SDK rows), and the
permissions it requests against the permissions of the catalogue entries that fired (the
writer's hook tallies)."""

from __future__ import annotations


def apk_comparison(apk_facts: dict | None, sdk_rows: list[dict], tallies: list[dict]) -> dict | None:
    if not apk_facts or "package" not in apk_facts:
        return None
    from ..capture.catalogue import load_catalogue

    permission_of = {e["id"]: e.get("permission") for e in load_catalogue()}
    used = {permission_of.get(t["hook_id"]) for t in tallies if t.get("events")} - {None}
    present = {s["sdk"]: s for s in apk_facts.get("sdks", [])}
    observed = {r["sdk"] for r in sdk_rows if r.get("reads") or r.get("sent")}
    return {
        "sdks": [
            {
                "sdk": name,
                "company": (present.get(name) or {}).get("company"),
                "in_apk": name in present,
                "observed": name in observed,
            }
            for name in sorted(set(present) | observed)
        ],
        "permissions": [
            {"name": p["name"], "dangerous": p["dangerous"], "used": p["name"] in used}
            for p in apk_facts.get("permissions", [])
        ],
        "used_not_requested": sorted(used - {p["name"] for p in apk_facts.get("permissions", [])}),
    }
