from monitor.analysis.party import describe_receiver


def test_known_sdk_host_is_a_third_party_in_china():
    r = describe_receiver("ulogs.umeng.com", "106.11.84.3", "com.labapp.shop")
    assert (r["registrable_domain"], r["party"], r["sdk"], r["company_country"], r["ip_country"]) == (
        "umeng.com",
        "third",
        "Umeng",
        "CN",
        "CN",
    )
    assert r["tracker"] == "Umeng Analytics" and r["knowledge_sources"]


def test_tracker_abroad_from_reference_data():
    r = describe_receiver("graph.facebook.com", "157.240.22.35", "com.labapp.shop")
    # the company as it is now (the 2018 owner list says Facebook)
    assert r["party"] == "third" and r["company"] == "Meta Platforms" and r["ip_country"] != "CN"
    assert (r["attribution_source"], r["confidence"]) == ("domain-owners", "medium")


def test_first_party_from_the_package_name_or_declared_domains():
    assert describe_receiver("api.labshop.cn", None, "com.labshop.app")["party"] == "first"
    assert describe_receiver("api.labshop.cn", None, "com.example.app", {"labshop.cn"})["party"] == "first"
    assert describe_receiver("api.labshop.cn", None, "com.example.app")["party"] == "unknown"


def test_private_and_missing_addresses_have_no_country():
    assert describe_receiver("x.example.com", "10.0.0.2", None)["ip_country"] is None
    assert describe_receiver("x.example.com", None, None)["ip_country"] is None
    assert describe_receiver("x.example.com", "not-an-ip", None)["ip_country"] is None


def _cases():
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "data" / "receiver_hosts.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_hosts_with_known_owners_are_attributed_to_them_as_they_are_now():
    """tests/data/receiver_hosts.jsonl: hosts whose owner is known (after acquisitions), cloud and
    CDN hosts, and hosts only their network can name; each attribution says its source."""
    wrong = []
    for case in _cases():
        r = describe_receiver(case["host"], case["ip"], "com.example.app")
        if "hosting" in case:
            ok = r["hosting"] == case["hosting"] and r["party"] == "unknown" and not r["sdk"]
        elif "network_owner" in case:
            ok = (r["company"], r["company_country"], r["attribution_source"], r["confidence"]) == (
                case["network_owner"],
                case["country"],
                "network-owner",
                "low",
            ) and r["party"] == "unknown"
        else:
            ok = r["party"] == "third" and r["company_country"] == case["country"]
            ok = ok and case["company"] in (r["company"] or "") and r["confidence"] in ("high", "medium")
        if not ok:
            wrong.append(
                (case["host"], {k: r[k] for k in ("company", "company_country", "hosting", "party")})
            )
    assert wrong == []


def test_every_company_has_one_country():
    import json
    from collections import defaultdict

    from monitor.knowledge.receivers import receivers
    from monitor.knowledge.sdks import DATA_DIR

    countries = defaultdict(set)
    for owner in json.loads((DATA_DIR / "receivers.json").read_text(encoding="utf-8"))["domains"].values():
        current = receivers().companies.named(owner.get("owner"), owner.get("parent"))
        if current is not None:
            countries[current.name].add(current.country)
    assert all(len(c) == 1 for c in countries.values())
    # the 2018 list's mistakes are not repeated: a Chinese company is not "UK", Samsung is Korean
    assert receivers().lookup("kika.com").company_country in (None, "CN")
    assert describe_receiver("samsungads.com", None, "x")["company_country"] in (None, "KR")


def test_the_ipv4_network_table_answers_as_the_registry_file_reads():
    """The IPv4 table is read into arrays (fast); it answers every address, range edges included,
    as a plain reading of the same CSV does."""
    import random

    from monitor.knowledge import networks

    if not networks.available():
        import pytest

        pytest.skip("the ASN package is not installed (make setup)")
    plain = networks._Table(networks._folder() / networks.TABLES[4])
    fast = networks._table(4)
    rng = random.Random(7)
    edges = [n for i in range(0, len(plain.starts), 997) for n in (plain.starts[i], plain.ends[i] + 1)]
    for number in [0, 2**32 - 1, *edges, *(rng.randrange(2**32) for _ in range(5000))]:
        assert fast.find(number) == plain.find(number), number
    assert networks.network_of("1.1.1.1").owner == "Cloudflare, Inc."
