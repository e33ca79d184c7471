"""The lab's DNS: names resolve to loopback only."""

import pytest

from monitor.lab.build import load_lab_dns
from monitor.lab.dns import LabDns, LabDnsError


def test_every_lab_host_has_its_own_loopback_address():
    dns = load_lab_dns()
    assert dns.addresses and all(a.startswith("127.") for a in dns.addresses.values())
    assert len(set(dns.addresses.values())) == len(dns.addresses)
    assert dns.location("ulogs.umeng.com") == "106.11.84.3"
    assert dns.location(dns.addresses["ulogs.umeng.com"]) == "106.11.84.3"  # by address too
    assert dns.location("nowhere.example") is None
    hosts = dns.hosts_file().splitlines()
    assert f"{dns.addresses['api.labshop.cn']} api.labshop.cn" in hosts


def test_a_non_loopback_address_is_refused():
    with pytest.raises(LabDnsError, match="not a loopback"):
        LabDns.parse({"evil.cn": {"address": "8.8.8.8", "location": "8.8.8.8"}})
    with pytest.raises(LabDnsError, match="needs an address"):
        LabDns.parse({"old.cn": "106.11.84.3"})
