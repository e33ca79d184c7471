"""The catalogue lab app calls every catalogued API: each entry installs and fires with the right
PI category; entries for classes absent from the JVM come back "not installed" with a reason while
the rest keep working."""

import json
from collections import defaultdict

import pytest
import yaml

from monitor.capture.catalogue import authorities, load_catalogue
from monitor.capture.hook_runner import NET_HOOKS
from monitor.capture.side_channels import load_side_channels
from monitor.config import Settings
from monitor.storage.facts import SessionFacts
from monitor.storage.queries import StoreReader
from tests.conftest import run_cli

ABSENT = {
    "groups": [
        {
            "class": "com.example.absent.Tracker",
            "pi_category": "device_id",
            "pi_type": "imei",
            "methods": {"collect": {}},
        },
        {
            "class": "android.telephony.TelephonyManager",
            "pi_category": "device_id",
            "pi_type": "imei",
            "methods": {"getImeiForSlotThatDoesNotExist": {}},
        },
    ]
}


@pytest.fixture(scope="module")
def catalogue_run(tmp_path_factory):
    home = tmp_path_factory.mktemp("catalogue-home")
    extra = home / "absent.yaml"
    extra.write_text(yaml.safe_dump(ABSENT))
    proc = run_cli(
        home, "lab", "run", "--app", "catalogue", "--json", "--no-keys", "--extra-hooks", str(extra)
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    coverage = json.loads(run_cli(home, "hooks", result["session"], "--json").stdout)
    with StoreReader(Settings.load(home).db_path) as reader:
        events = reader.hook_events(result["session"])
        facts = SessionFacts(reader, result["session"])
    return {
        "home": home,
        "result": result,
        "coverage": {r["id"]: r for r in coverage},
        "events": events,
        "facts": facts,
    }


def test_every_catalogue_entry_installs_and_fires(catalogue_run):
    coverage = catalogue_run["coverage"]
    for entry in load_catalogue():
        row = coverage[entry["id"]]
        assert row["state"] == "installed", (entry["id"], row["reasons"])
        assert row["fired"] >= 1, entry["id"]


def test_events_carry_the_right_pi_category_or_signal(catalogue_run):
    by_entry = defaultdict(list)
    for event in catalogue_run["events"]:
        by_entry[event["hook_id"]].append(event)
    table = authorities()
    for entry in load_catalogue():
        events = by_entry[entry["id"]]
        assert events, entry["id"]
        if entry.get("classify"):
            assert {e["pi_category"] for e in events} <= {a["pi_category"] for a in table.values()}, entry[
                "id"
            ]
        elif entry.get("signal"):
            assert {e["signal"] for e in events} == {entry["signal"]}, entry["id"]
            assert {e["pi_category"] for e in events} == {None}, entry["id"]
        else:
            assert {(e["pi_category"], e["pi_type"]) for e in events} == {
                (entry["pi_category"], entry["pi_type"])
            }, entry["id"]
        assert all(e["stack"] for e in events), entry["id"]


def test_filters_keep_only_matching_calls(catalogue_run):
    events = catalogue_run["events"]
    settings = [e for e in events if e["api"].startswith("android.provider.Settings$Secure.getString")]
    assert settings and all(e["args"][1] == "android_id" for e in settings)  # bluetooth_name was filtered out
    props = [e for e in events if e["api"] == "android.os.SystemProperties.get"]
    assert [e["args"][0] for e in props] == ["ro.serialno"]
    installer = [
        e for e in events if e["api"] == "android.app.ApplicationPackageManager.getInstallerPackageName"
    ]
    assert [e["args"][0] for e in installer] == [
        "com.tencent.mm"
    ]  # the app's own package is not "other apps"
    content = {
        (e["pi_category"], e["pi_type"])
        for e in events
        if e["api"].startswith("android.content.ContentResolver.")
    }
    assert content == {
        ("contacts", "contacts"),
        ("sms", "sms"),
        ("media", "media_store"),
        ("call_log", "call_log"),
        ("calendar", "calendar"),
        ("device_id", "gsf_id"),
    }  # content://settings was not PI
    starts = [e for e in events if e["signal"] == "start_component"]
    assert len(starts) == 3  # startActivity, startService, bindService to com.tencent.mm; not its own service


def test_values_are_recorded_as_a_reviewer_reads_them(catalogue_run):
    events = {e["api"]: e for e in catalogue_run["events"]}
    assert events["android.net.wifi.WifiInfo.getIpAddress"]["ret"] == "192.168.31.57"
    assert (
        events["android.media.MediaDrm.getPropertyByteArray"]["ret"]["hex"]
        == "a3f19c7e5b2d80461e9f3c7a5b1d8e20"
    )
    assert events["android.content.pm.PackageManager.getInstalledPackages"]["ret"][0] == "com.tencent.mm"
    assert "LAB-COUPON-2026" in str(events["android.content.ClipboardManager.setPrimaryClip"]["args"])
    assert events["android.view.View.performClick"]["ret"]["this"] == "同意"
    # a Java long is a number (frida-java-bridge hands it over as an Int64), not an unconverted value
    put_long = events["android.app.SharedPreferencesImpl$EditorImpl.putLong"]
    key, millis = put_long["args"]
    assert key == "first_launch" and abs(millis - put_long["ts"] // 1000) < 60_000
    assert not any("unconverted" in json.dumps(e["args"]) for e in catalogue_run["events"])
    assert events["java.lang.ProcessBuilder.start"]["ret"]["this"] == "cat /sys/class/net/lo/address"
    digest = next(e for e in catalogue_run["events"] if e["api"] == "java.security.MessageDigest.digest")
    assert (
        digest["ret"]["return"]["hex"] == "45cf2848cd66ef6edf0fd74aede4f34d"
    )  # md5 of the IMEI, for linking
    # the digest instance (to pair update() with digest()) and its algorithm
    assert isinstance(digest["ret"]["this"]["id"], int) and digest["ret"]["this"]["algorithm"] == "MD5"


def test_reflective_access_is_recognised(catalogue_run):
    from monitor.evidence.serialize import hook_event_json

    facts = catalogue_run["facts"]
    imei = [
        hook_event_json(e, facts)
        for e in catalogue_run["events"]
        if e["api"] == "android.telephony.TelephonyManager.getImei"
    ]
    assert [e["reflective"] for e in imei] == [True]
    device_id = [
        hook_event_json(e, facts)
        for e in catalogue_run["events"]
        if e["api"] == "android.telephony.TelephonyManager.getDeviceId"
    ]
    assert not any(e["reflective"] for e in device_id)


def test_sdk_privacy_apis_are_consent_events(catalogue_run):
    with StoreReader(Settings.load(catalogue_run["home"]).db_path) as reader:
        consents = reader.consent_events(catalogue_run["result"]["session"])
    sources = {(c["source"], c["detail"]) for c in consents}
    assert ("sdk_api", "com.amap.api.location.AMapLocationClient.updatePrivacyAgree") in sources
    assert ("sdk_api", "com.umeng.commonsdk.UMConfigure.submitPolicyGrantResult") in sources
    assert ("click", "同意") in sources


def test_absent_classes_and_methods_are_reported_not_installed(catalogue_run):
    coverage = catalogue_run["coverage"]
    absent = coverage["com.example.absent.Tracker.collect"]
    assert absent["state"] == "not_installed" and absent["fired"] == 0
    assert "class not found" in absent["reasons"][0]
    missing = coverage["android.telephony.TelephonyManager.getImeiForSlotThatDoesNotExist"]
    assert missing["state"] == "not_installed" and "no method" in missing["reasons"][0]
    installed = {k for k, r in coverage.items() if r["state"] == "installed"}
    # the catalogue's, the connect() redirect's, the side channels' (hook points and rules), and the
    # TLS watch of the processes the app started (its shell probes run `getprop` and the like as
    # child processes, followed under the agent)
    tls = {k for k in installed if k.startswith("tls.")}
    side = {"side.open", "side.property", "side.output", "side.popen", "side.spawn"}
    rules = {r["id"] for r in load_side_channels()}
    assert side | rules <= installed
    assert len(installed - tls - side - rules) == len(load_catalogue()) + len(NET_HOOKS)
    assert tls <= {"tls.plaintext"} | {k for k in tls if k.startswith("tls.lib")}
