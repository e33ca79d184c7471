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
    assert r["party"] == "third" and r["company"] == "Facebook" and r["ip_country"] != "CN"


def test_first_party_from_the_package_name_or_declared_domains():
    assert describe_receiver("api.labshop.cn", None, "com.labshop.app")["party"] == "first"
    assert describe_receiver("api.labshop.cn", None, "com.example.app", {"labshop.cn"})["party"] == "first"
    assert describe_receiver("api.labshop.cn", None, "com.example.app")["party"] == "unknown"


def test_private_and_missing_addresses_have_no_country():
    assert describe_receiver("x.example.com", "10.0.0.2", None)["ip_country"] is None
    assert describe_receiver("x.example.com", None, None)["ip_country"] is None
    assert describe_receiver("x.example.com", "not-an-ip", None)["ip_country"] is None
