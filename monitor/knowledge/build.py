"""Derives data/camille_prefixes.json from ../shared/references/cn-sdk-prefixes.camille.pyliteral.

    python -m monitor.knowledge.build [REFERENCES_DIR]
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

from ..config import REPO_ROOT

DATA_DIR = Path(__file__).resolve().parent / "data"
SOURCE = "github zhengjim/camille utlis/sdk.json @83c5b239 (via shared/references)"


def build(references: Path) -> dict:
    raw = ast.literal_eval((references / "cn-sdk-prefixes.camille.pyliteral").read_text(encoding="utf-8"))
    prefixes = sorted({(e["package_name"].strip(), e["sdk_name"].strip()) for e in raw if e.get("package_name")})
    return {"source": SOURCE, "prefixes": [{"prefix": p, "name": n} for p, n in prefixes]}


def main() -> None:
    references = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO_ROOT.parent / "shared" / "references"
    out = DATA_DIR / "camille_prefixes.json"
    out.write_text(json.dumps(build(references), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
