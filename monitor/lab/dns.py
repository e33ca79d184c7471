"""The lab's DNS table (lab/dns.yaml): names resolve to loopback addresses only, each standing for
a server somewhere (its `location`, for the receiver's country; nothing is sent there)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass


class LabDnsError(ValueError):
    """lab/dns.yaml is malformed (shown as a clear error by the CLI, like any LabError)."""


@dataclass(frozen=True)
class LabDns:
    addresses: dict[str, str]  # host → 127.x.y.z
    locations: dict[str, str]  # host → the public address it stands for

    @classmethod
    def parse(cls, data: dict) -> "LabDns":
        addresses, locations = {}, {}
        for host, entry in data.items():
            if not isinstance(entry, dict) or "address" not in entry:
                raise LabDnsError(f"lab/dns.yaml: {host}: needs an address (and a location)")
            address = str(entry["address"])
            if not ipaddress.ip_address(address).is_loopback:
                raise LabDnsError(f"lab/dns.yaml: {host}: {address} is not a loopback address")
            addresses[str(host).lower()] = address
            if entry.get("location"):
                locations[str(host).lower()] = str(entry["location"])
        return cls(addresses, locations)

    def location(self, host_or_address: str | None) -> str | None:
        if host_or_address is None:
            return None
        key = host_or_address.lower()
        return self.locations.get(key) or self.locations.get(self.host_of(key) or "")

    def host_of(self, address: str) -> str | None:
        return next((h for h, a in self.addresses.items() if a == address), None)

    def by_address(self) -> dict[str, str]:
        """Each lab address → its host name (what the hosts file makes the JVM resolve)."""
        return {a: h for h, a in sorted(self.addresses.items())}

    def hosts_file(self) -> str:
        """The JVM's hosts file (-Djdk.net.hosts.file): the lab's names and nothing else resolve."""
        lines = ["127.0.0.1 localhost"] + [f"{a} {h}" for h, a in sorted(self.addresses.items())]
        return "\n".join(lines) + "\n"
