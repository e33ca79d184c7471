"""SDK lookup by Java class name (stack attribution) and by receiving host."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Sdk:
    id: str
    name: str
    name_zh: str | None
    company: str | None
    country: str | None
    source: str  # which knowledge base entry decided


class SdkKnowledge:
    def __init__(self, curated: list[dict], derived_prefixes: list[dict], derived_source: str) -> None:
        self._by_prefix: list[tuple[str, Sdk]] = []
        self._by_host: dict[str, Sdk] = {}
        self._by_name: dict[str, Sdk] = {}
        for entry in curated:
            sdk = Sdk(
                entry["id"],
                entry["name"],
                entry.get("name_zh"),
                entry.get("company"),
                entry.get("country"),
                "privmon sdks.json",
            )
            self._by_name[sdk.name] = sdk
            for prefix in entry["prefixes"]:
                self._by_prefix.append((prefix, sdk))
            for host in entry["hosts"]:
                self._by_host[host.lower()] = sdk
        self._derived: list[tuple[str, Sdk]] = [
            (
                row["prefix"],
                Sdk("camille:" + row["name"], row["name"], row["name"], None, None, derived_source),
            )
            for row in derived_prefixes
        ]
        self._by_prefix.sort(key=lambda item: -len(item[0]))
        self._derived.sort(key=lambda item: -len(item[0]))

    def by_class(self, class_name: str) -> Sdk | None:
        """Curated SDKs first (they carry company and country), then the derived prefixes.
        Prefixes match as plain string prefixes, as in camille's data; longest wins."""
        for table in (self._by_prefix, self._derived):
            for prefix, sdk in table:
                if class_name.startswith(prefix):
                    return sdk
        return None

    def name_zh(self, name: str) -> str:
        """The SDK's Chinese name where the knowledge base has one (one name per SDK in each
        language), else the name it goes by."""
        sdk = self._by_name.get(name)
        return sdk.name_zh if sdk is not None and sdk.name_zh else name

    def policy_names(self) -> dict[str, list[str]]:
        """How a privacy policy may name each curated SDK (its names in both languages, without
        their brackets and pluses: 友盟+ → 友盟, "Tencent Ads (GDT / 优量汇)" → GDT, 优量汇) and each
        company (its English and Chinese names): canonical name → spellings. The canonical names
        are those the rules compare declared lists with (an SDK's name, a company's)."""
        out: dict[str, list[str]] = {}
        for name, sdk in self._by_name.items():
            out[name] = _spellings([name, sdk.name_zh or ""])
            if sdk.company:
                out.setdefault(sdk.company, _spellings([sdk.company]))
        return out

    def by_name(self, name: str) -> Sdk | None:
        """A curated SDK by the name findings and facts give it."""
        return self._by_name.get(name)

    def by_host(self, host: str) -> Sdk | None:
        """Exact host, then each parent domain (sdk.a.b.com → a.b.com → b.com)."""
        labels = host.lower().rstrip(".").split(".")
        for i in range(len(labels) - 1):
            sdk = self._by_host.get(".".join(labels[i:]))
            if sdk is not None:
                return sdk
        return None


def _spellings(names: list[str]) -> list[str]:
    found: list[str] = []
    for name in names:
        outer, _, inner = name.partition("(")
        if not inner:
            outer, _, inner = name.partition("（")
        for part in [name, outer, *inner.strip(" )）").split("/")]:
            part = part.strip().rstrip("+").strip()
            if len(part) >= 2 and not (part.isascii() and len(part) < 3) and part not in found:
                found.append(part)
    return found


@lru_cache(maxsize=1)
def knowledge() -> SdkKnowledge:
    curated = json.loads((DATA_DIR / "sdks.json").read_text(encoding="utf-8"))["sdks"]
    derived = json.loads((DATA_DIR / "camille_prefixes.json").read_text(encoding="utf-8"))
    return SdkKnowledge(curated, derived["prefixes"], derived["source"])
