"""Who receives a request: registrable domain, SDK or tracker, the company as it is now and its
country (data/companies.json follows acquisitions and gives each company one country), or the cloud
or CDN provider that hosts it (its customer, not it, received what was sent)."""

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
    company: str | None  # the company as it is now (acquisitions followed)
    company_country: str | None  # its headquarters, one per company (ISO 3166)
    sources: tuple[str, ...]
    hosting: str | None = None  # a cloud or CDN provider: its customer received, not it
    source: str | None = None  # what named the company: sdk-list, domain-owners, tracker-signature
    confidence: str | None = None  # high (curated SDK host), medium (domain owners, signatures)


@dataclass(frozen=True)
class Company:
    name: str
    country: str


class Companies:
    """Companies as they are now: the names the lists know them by (and those of what they
    bought) → one company with one country."""

    def __init__(self, data: dict) -> None:
        self._by_alias: dict[str, Company] = {}
        for entry in data["companies"]:
            company = Company(entry["name"], entry["country"])
            for alias in [entry["name"], *entry.get("aliases", []), *entry.get("acquired", {})]:
                self._by_alias[alias.lower()] = company
        self._hosting_domains: dict[str, dict] = {}
        self.hosting_asns: dict[int, dict] = {}
        for provider in data["hosting"]:
            for domain in provider["domains"]:
                self._hosting_domains[domain.lower()] = provider
            for asn in provider.get("asns", []):
                self.hosting_asns[int(asn)] = provider

    def named(self, *names: str | None) -> Company | None:
        """The first of these names (an owner, then its parent) that is a known company now."""
        for name in names:
            if name and name.lower() in self._by_alias:
                return self._by_alias[name.lower()]
        return None

    def hosting(self, host: str) -> str | None:
        labels = host.split(".")
        for i in range(len(labels) - 1):
            provider = self._hosting_domains.get(".".join(labels[i:]))
            if provider:
                return provider["provider"]
        return None


# the domain-owner list writes the United Kingdom as UK; ISO 3166 (and everything else here) as GB
COUNTRY_CODES = {"UK": "GB"}


class ReceiverKnowledge:
    def __init__(self, data: dict, companies: Companies) -> None:
        self._psl = PublicSuffixList()
        self._owners: dict[str, dict] = data["domains"]
        self._signatures = [
            (re.compile(s["pattern"], re.IGNORECASE), s["name"])
            for s in data["signatures"]
            if _compiles(s["pattern"])
        ]
        self._sources = data["sources"]
        self.companies = companies

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
        hosting = self.companies.hosting(host)
        company, country, source, confidence = None, None, None, None
        if sdk and sdk.company:
            current = self.companies.named(sdk.company.split(" (")[0])
            company, country = sdk.company, (current.country if current else sdk.country)
            source, confidence = "sdk-list", "high"
        elif owner and not hosting:
            current = self.companies.named(owner.get("owner"), owner.get("parent"))
            company = current.name if current else owner.get("parent")
            country = (
                current.country if current else COUNTRY_CODES.get(owner.get("country"), owner.get("country"))
            )
            source, confidence = "domain-owners", "medium"
        elif tracker and not hosting:
            current = self.companies.named(tracker)
            if current:
                company, country, source, confidence = (
                    current.name,
                    current.country,
                    "tracker-signature",
                    "medium",
                )
        return Receiver(
            host,
            self.registrable_domain(host),
            sdk.name if sdk else None,
            tracker,
            company,
            country,
            tuple(sources),
            hosting,
            source,
            confidence,
        )


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
        return True
    except re.error:
        return False


@lru_cache(maxsize=1)
def receivers() -> ReceiverKnowledge:
    return ReceiverKnowledge(
        json.loads((DATA_DIR / "receivers.json").read_text(encoding="utf-8")),
        Companies(json.loads((DATA_DIR / "companies.json").read_text(encoding="utf-8"))),
    )
