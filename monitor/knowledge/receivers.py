"""Who receives a request: registrable domain, SDK or tracker, owning company and its country."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from publicsuffixlist import PublicSuffixList

from .sdks import DATA_DIR, knowledge


@dataclass(frozen=True)
class Receiver:
    host: str
    registrable_domain: str | None
    sdk: str | None  # privmon's curated SDK list
    tracker: str | None  # Exodus network signature
    company: str | None
    company_country: str | None
    sources: tuple[str, ...]


class ReceiverKnowledge:
    def __init__(self, data: dict) -> None:
        self._psl = PublicSuffixList()
        self._owners: dict[str, dict] = data["domains"]
        self._signatures = [
            (re.compile(s["pattern"], re.IGNORECASE), s["name"])
            for s in data["signatures"]
            if _compiles(s["pattern"])
        ]
        self._sources = data["sources"]

    def registrable_domain(self, host: str) -> str | None:
        return self._psl.privatesuffix(host.lower().rstrip("."))

    @lru_cache(maxsize=4096)  # noqa: B019 - one knowledge base per process, kept for its life
    def lookup(self, host: str) -> Receiver:
        host = host.lower().rstrip(".")
        sources: list[str] = []
        sdk = knowledge().by_host(host)
        if sdk:
            sources.append(sdk.source)
        tracker = next((name for regex, name in self._signatures if regex.search(host)), None)
        if tracker:
            sources.append(self._sources["signatures"])
        owner = None
        labels = host.split(".")
        for i in range(len(labels) - 1):
            owner = self._owners.get(".".join(labels[i:]))
            if owner:
                sources.append(self._sources["domains"])
                break
        company = (sdk.company if sdk else None) or (owner or {}).get("parent")
        country = (sdk.country if sdk else None) or (owner or {}).get("country")
        return Receiver(
            host,
            self.registrable_domain(host),
            sdk.name if sdk else None,
            tracker,
            company,
            country,
            tuple(sources),
        )


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
        return True
    except re.error:
        return False


@lru_cache(maxsize=1)
def receivers() -> ReceiverKnowledge:
    return ReceiverKnowledge(json.loads((DATA_DIR / "receivers.json").read_text(encoding="utf-8")))
