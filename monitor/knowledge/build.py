"""Derives the knowledge base's data files from a folder of upstream reference files (camille's
sdk.json as a Python literal, X-Ray domain owners, Exodus Privacy trackers):
data/camille_prefixes.json (SDK package prefixes) and data/receivers.json (X-Ray domain owners,
Exodus network signatures). The derived files are committed; this is only for refreshing them.

    python -m monitor.knowledge.build REFERENCES_DIR
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
CAMILLE_FILE = "cn-sdk-prefixes.camille.pyliteral"
XRAY_FILE = "xray-domain-owners.json"
EXODUS_FILE = "exodus-trackers.json"
SOURCE = "github zhengjim/camille utlis/sdk.json @83c5b239"


def build(references: Path) -> dict:
    raw = ast.literal_eval((references / CAMILLE_FILE).read_text(encoding="utf-8"))
    prefixes = sorted(
        {(e["package_name"].strip(), e["sdk_name"].strip()) for e in raw if e.get("package_name")}
    )
    return {"source": SOURCE, "prefixes": [{"prefix": p, "name": n} for p, n in prefixes]}


XRAY_SOURCE = "X-Ray 2018 domain owners via TrackerControl xray-blacklist.json @8c119b04"
EXODUS_SOURCE = "Exodus Privacy trackers via TrackerControl trackers.json @8c119b04"


def build_receivers(references: Path) -> dict:
    owners = json.loads((references / XRAY_FILE).read_text(encoding="utf-8"))
    domains = {}
    for owner in owners:
        for domain in owner.get("doms", []):
            domains[domain.lower()] = {
                "owner": owner.get("owner_name"),
                "parent": owner.get("root_parent") or owner.get("parent") or owner.get("owner_name"),
                "country": (owner.get("country") or "").upper() or None,
            }
    trackers = json.loads((references / EXODUS_FILE).read_text(encoding="utf-8"))["trackers"]
    signatures = [
        {"name": t["name"], "pattern": t["network_signature"], "categories": t.get("categories", [])}
        for t in trackers.values()
        if t.get("network_signature")
    ]
    return {
        "sources": {"domains": XRAY_SOURCE, "signatures": EXODUS_SOURCE},
        "domains": dict(sorted(domains.items())),
        "signatures": sorted(signatures, key=lambda s: s["name"]),
    }


def main() -> None:
    needed = (CAMILLE_FILE, XRAY_FILE, EXODUS_FILE)
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        raise SystemExit(
            f"usage: python -m monitor.knowledge.build REFERENCES_DIR (holding {', '.join(needed)})"
        )
    references = Path(sys.argv[1])
    missing = [name for name in needed if not (references / name).is_file()]
    if missing:
        raise SystemExit(f"{references}: missing {', '.join(missing)}")
    for name, data in (
        ("camille_prefixes.json", build(references)),
        ("receivers.json", build_receivers(references)),
    ):
        out = DATA_DIR / name
        out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
