"""The declarative hook catalogue (hooks/catalogue.json), shared by the agent and the host."""

from __future__ import annotations

import json
from functools import lru_cache

from ..config import HOOKS_DIR

CATALOGUE_PATH = HOOKS_DIR / "catalogue.json"


@lru_cache(maxsize=1)
def load_catalogue() -> list[dict]:
    with open(CATALOGUE_PATH, encoding="utf-8") as fh:
        return json.load(fh)["entries"]
