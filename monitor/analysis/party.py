"""A transmission's receiver as a finding reports it: registrable domain, first or third party,
SDK/tracker and company, and the country of the server's IP (offline, iptocc)."""

from __future__ import annotations

import ipaddress

import iptocc

from ..knowledge.networks import network_of
from ..knowledge.receivers import receivers

GENERIC_TOKENS = {"com", "cn", "net", "org", "android", "app", "apps", "mobile", "client", "www", "api"}


def _first_party(registrable: str | None, app_package: str | None, own_domains: set[str]) -> bool:
    if registrable is None:
        return False
    if registrable in own_domains:
        return True
    if not app_package:
        return False
    label = registrable.split(".")[0]
    tokens = {t for t in app_package.lower().split(".") if len(t) >= 4 and t not in GENERIC_TOKENS}
    return label in tokens


def ip_country(ip: str | None) -> str | None:
    if not ip:
        return None
    try:
        if not ipaddress.ip_address(ip).is_global:
            return None
    except ValueError:
        return None
    return iptocc.country_code(ip)


def describe_receiver(
    host: str,
    server_ip: str | None,
    app_package: str | None,
    own_domains: set[str] = frozenset(),
    certificate: tuple[str | None, str | None] | None = None,
) -> dict:
    """`certificate`: the organisation and country the server's TLS certificate names (the proxy
    saw it), the first resort for a host no list knows, before the address's network."""
    r = receivers().lookup(host)
    if _first_party(r.registrable_domain, app_package, own_domains):
        party = "first"
    elif r.sdk or r.tracker or r.company:
        party = "third"
    else:
        party = "unknown"
    company, country, source, confidence, hosting = (
        r.company,
        r.company_country,
        r.source,
        r.confidence,
        r.hosting,
    )
    network = network_of(server_ip) if party != "first" else None
    org, org_country = certificate or (None, None)
    if org and not company and not hosting and party != "first":
        company, country = org, org_country or ip_country(server_ip)
        source, confidence = "tls-certificate", "medium"
    elif network is not None and not company and not hosting:
        provider = receivers().companies.hosting_asns.get(network.asn)
        if provider is not None:
            hosting = provider["provider"]
        else:  # the network's owner: often the company itself, but only a guess (the party stays unknown)
            company, country = network.owner, ip_country(server_ip)
            source, confidence = "network-owner", "low"
    return {
        "host": r.host,
        "registrable_domain": r.registrable_domain,
        "party": party,
        "sdk": r.sdk,
        "tracker": r.tracker,
        "company": company,
        "company_country": country,
        "server_ip": server_ip,
        "ip_country": ip_country(server_ip),
        "hosting": hosting,
        "network": f"AS{network.asn} {network.owner}" if network else None,
        "attribution_source": source,
        "confidence": confidence,
        "knowledge_sources": list(r.sources),
    }
