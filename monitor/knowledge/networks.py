"""Who owns the network an IP address is in (its autonomous system), offline: the RouteViews, NRO
and DB-IP ranges of the @ip-location-db/asn package that `make setup` installs beside this file
(CC BY 4.0). The last resort for a receiver no list knows: the network's owner is often the
company itself, or a hosting provider (data/companies.json lists those networks).

Loaded once per process, only when asked (the IPv4 table into numpy arrays by pandas' C reader in
about 0.1 s, where the csv module took 1.8 s; the IPv6 table, whose numbers do not fit 64 bits, by
the csv module); without the package (an installation without `make setup`), nothing is known and
`available()` says so."""

from __future__ import annotations

import bisect
import csv
import ipaddress
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent / "networks" / "node_modules" / "@ip-location-db" / "asn"
TABLES = {4: "asn-ipv4-num.csv", 6: "asn-ipv6-num.csv"}


@dataclass(frozen=True)
class Network:
    asn: int
    owner: str


class _Table:
    def __init__(self, path: Path) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.networks: list[Network] = []
        owners: dict[tuple[int, str], Network] = {}
        with open(path, newline="", encoding="utf-8") as fh:
            for start, end, asn, owner in csv.reader(fh):
                key = (int(asn), owner)
                self.starts.append(int(start))
                self.ends.append(int(end))
                self.networks.append(owners.setdefault(key, Network(*key)))

    def find(self, number: int) -> Network | None:
        i = bisect.bisect_right(self.starts, number) - 1
        return self.networks[i] if i >= 0 and number <= self.ends[i] else None


def _folder() -> Path:
    return Path(os.environ.get("PRIVMON_NETWORKS_DB") or PACKAGE)


def available() -> bool:
    return all((_folder() / name).exists() for name in TABLES.values())


class _Ipv4Table:
    def __init__(self, path: Path) -> None:
        import pandas as pd

        frame = pd.read_csv(
            path,
            header=None,
            names=["start", "end", "asn", "owner"],
            dtype={"start": "uint64", "end": "uint64", "asn": "int64", "owner": "object"},
            keep_default_na=False,
        )
        self.starts = frame["start"].to_numpy()
        self.ends = frame["end"].to_numpy()
        self.asns = frame["asn"].to_numpy()
        self.owners = frame["owner"].to_numpy()

    def find(self, number: int) -> Network | None:
        i = int(self.starts.searchsorted(number, side="right")) - 1
        if i < 0 or number > int(self.ends[i]):
            return None
        return Network(int(self.asns[i]), str(self.owners[i]))


@lru_cache(maxsize=2)
def _table(version: int) -> _Table | _Ipv4Table | None:
    path = _folder() / TABLES[version]
    if not path.exists():
        return None
    return _Ipv4Table(path) if version == 4 else _Table(path)


def network_of(ip: str | None) -> Network | None:
    """The autonomous system a public address is announced from; None for a private, loopback or
    malformed address, or without the database."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return None
    if not address.is_global:
        return None
    table = _table(address.version)
    return table.find(int(address)) if table else None
