"""Derives the knowledge base's data files from ../shared/references: data/camille_prefixes.json
(SDK package prefixes) and data/receivers.json (X-Ray domain owners, Exodus network signatures).

    python -m monitor.knowledge.build [REFERENCES_DIR]
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

from ..config import PACKAGE_ROOT

DATA_DIR = Path(__file__).resolve().parent / "data"
SOURCE = "github zhengjim/camille utlis/sdk.json @83c5b239 (via shared/references)"


def build(references: Path) -> dict:
    raw = ast.literal_eval((references / "cn-sdk-prefixes.camille.pyliteral").read_text(encoding="utf-8"))
    prefixes = sorted(
        {(e["package_name"].strip(), e["sdk_name"].strip()) for e in raw if e.get("package_name")}
    )
    return {"source": SOURCE, "prefixes": [{"prefix": p, "name": n} for p, n in prefixes]}


XRAY_SOURCE = "X-Ray 2018 domain owners via TrackerControl xray-blacklist.json @8c119b04 (shared/references)"
EXODUS_SOURCE = "Exodus Privacy trackers via TrackerControl trackers.json @8c119b04 (shared/references)"


def build_receivers(references: Path) -> dict:
    owners = json.loads((references / "xray-domain-owners.json").read_text(encoding="utf-8"))
    domains = {}
    for owner in owners:
        for domain in owner.get("doms", []):
            domains[domain.lower()] = {
                "owner": owner.get("owner_name"),
                "parent": owner.get("root_parent") or owner.get("parent") or owner.get("owner_name"),
                "country": (owner.get("country") or "").upper() or None,
            }
    trackers = json.loads((references / "exodus-trackers.json").read_text(encoding="utf-8"))["trackers"]
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
    references = Path(sys.argv[1]) if len(sys.argv) > 1 else PACKAGE_ROOT.parent / "shared" / "references"
    for name, data in (
        ("camille_prefixes.json", build(references)),
        ("receivers.json", build_receivers(references)),
    ):
        out = DATA_DIR / name
        out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
