"""The vendors lab app (lab/apps/vendors): SDKs in namespaces no knowledge base names. Each keeps
its own identity in findings (never merged into one "unknown" caller), every transmission's data
flow names the sender's own read of the value, and a call whose arguments the agent had trouble
with is still recorded."""

import json

import pytest

from monitor.config import Settings
from monitor.storage.queries import StoreReader
from tests.conftest import REPO, run_cli


@pytest.fixture(scope="module")
def vendors(tmp_path_factory):
    home = tmp_path_factory.mktemp("vendors-lab-home")
    hooks = REPO / "tests" / "data" / "vendors-hooks.yaml"
    proc = run_cli(home, "lab", "run", "--app", "vendors", "--json", "--no-keys", "--extra-hooks", str(hooks))
    assert proc.returncode == 0, proc.stderr
    run = json.loads(proc.stdout)
    with StoreReader(Settings(home=home).db_path) as reader:
        events = reader.hook_events(run["session"])
        coverage = reader.hook_coverage(run["session"])
    return run, events, coverage


def by_rule(run, rule_id):
    return [f for f in run["findings"] if f["rule_id"] == rule_id]


def test_each_unknown_sdk_keeps_its_own_identity(vendors):
    run, _, _ = vendors
    collected = {(f["pi_type"], f["sdk"]) for f in by_rule(run, "PRECONSENT_COLLECTION")}
    assert collected == {
        ("imei", "com.quantbeacon.sdk"),
        ("imei", "io.adnexus.core"),
        ("android_id", "net.pushlane.client"),
        ("clipboard_listener", "com.clipwatch.sdk"),
    }
    for f in by_rule(run, "PRECONSENT_COLLECTION"):
        attribution = f["evidence"]["attribution"]
        assert attribution["party"] == "unidentified" and attribution["package"] == f["sdk"]
        assert f"unidentified third-party code ({f['sdk']}" in f["title"]
    pushlane = next(f for f in by_rule(run, "PRECONSENT_COLLECTION") if f["sdk"] == "net.pushlane.client")
    assert pushlane["evidence"]["attribution"]["obfuscated"] is True
    assert {f["sdk"] for f in by_rule(run, "SDK_PRECONSENT")} == {
        "com.quantbeacon.sdk",
        "io.adnexus.core",
        "net.pushlane.client",
        "com.clipwatch.sdk",
    }


def test_a_transmission_is_linked_to_the_senders_own_read(vendors):
    run, _, _ = vendors
    sent = {f["host"]: f for f in by_rule(run, "PRECONSENT_TRANSMISSION")}
    assert set(sent) == {"ads.adnexus.io", "push.pushlane.net", "collect.metricly.org"}
    ads = sent["ads.adnexus.io"]
    assert ads["sdk"] == "io.adnexus.core"
    flow = ads["evidence"]["data_flow"]
    # the IMEI was read first by com.quantbeacon.sdk; the sender read it again itself
    assert flow["linked_by"] == "sender" and flow["collected_by"]["package"] == "io.adnexus.core"
    assert flow["reads_of_value"] >= 2 and flow["api"].endswith("getImei")
    push = sent["push.pushlane.net"]["evidence"]["data_flow"]
    assert push["linked_by"] == "sender" and push["collected_by"]["package"] == "net.pushlane.client"


def test_a_sender_that_never_read_the_value_is_said_so(vendors):
    run, _, _ = vendors
    metricly = next(f for f in by_rule(run, "PRECONSENT_TRANSMISSION") if f["host"] == "collect.metricly.org")
    assert metricly["sdk"] == "org.metricly.agent"
    flow = metricly["evidence"]["data_flow"]
    assert flow["linked_by"] == "nearest_read"
    assert "org.metricly.agent" in flow["note"] and "did not read this value" in flow["note"]
    assert flow["collected_by"]["package"] == "io.adnexus.core"  # the nearest earlier read


def test_a_call_whose_arguments_cannot_be_converted_is_kept_with_them_marked(vendors):
    # AdLoader.track takes BidRequest objects whose toString() needs a class this device lacks
    # (android.app.LoadedApk): the event is kept, each such argument marked with its type and the
    # error, and the coverage report counts the event.
    _, events, coverage = vendors
    track = next(c for c in coverage if c["id"] == "io.adnexus.core.AdLoader.track")
    assert track["state"] == "installed" and track["fired"] == 1 and track["conversion_errors"] == 1
    event = next(e for e in events if e["api"] == "io.adnexus.core.AdLoader.track")
    requests, imei = event["args"]
    assert imei == "864273052471596"
    assert len(requests) == 2
    for mark in requests:
        assert mark["unconverted"] == "io.adnexus.core.BidRequest"
        assert "NoClassDefFoundError" in mark["error"] and "android/app/LoadedApk" in mark["error"]
    assert event["stack"] and event["stack"][0].startswith("io.adnexus.core.AdLoader.track")
