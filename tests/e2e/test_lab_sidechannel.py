"""The side-channel lab app (lab/apps/sidechannel): SDKs that read identifiers without any Android
API (sysfs and /proc files through Java file I/O, `getprop`, `pm` and `cat` through Runtime.exec and
ProcessBuilder, open()/read() and __system_property_get in a JNI library, an ID file on shared
storage). Each read is a hook event with its value, attributed to its SDK, in its consent phase; an
unlisted path gives nothing; the host's own identifiers never reach the session."""

import json
import os
import re
from pathlib import Path

import pytest

from monitor.config import Settings
from monitor.device_profile import load_profile
from monitor.storage.queries import StoreReader
from tests.conftest import run_cli

SIDE_API = re.compile(r"^(file|property|command) ")
PROFILE = load_profile("lab").identifiers


@pytest.fixture(scope="module")
def side(tmp_path_factory):
    home = tmp_path_factory.mktemp("side-lab-home")
    proc = run_cli(home, "lab", "run", "--app", "sidechannel", "--json", "--no-keys")
    assert proc.returncode == 0, proc.stderr
    run = json.loads(proc.stdout)
    coverage = json.loads(run_cli(home, "hooks", run["session"], "--json").stdout)
    with StoreReader(Settings(home=home).db_path) as reader:
        events = reader.hook_events(run["session"])
    db = Settings(home=home).db_path
    return run, events, coverage, db, proc.stderr


def reads(events):
    return {e["api"]: e for e in events if SIDE_API.match(e["api"])}


def test_every_side_channel_gives_its_value(side):
    _, events, _, _, _ = side
    got = reads(events)
    mac, serial = PROFILE["wifi_mac"], PROFILE["serial"]
    assert got["file /sys/class/net/wlan0/address"]["ret"] == mac
    assert got["file /proc/net/arp"]["ret"] == PROFILE["bssid"]
    assert got["command getprop ro.serialno"]["ret"] == serial
    assert got["command pm list packages"]["ret"] == load_profile("lab").installed_packages
    assert got["command cat /sys/class/net/wlan0/address"]["ret"] == mac
    assert got["property ro.serialno"]["ret"] == serial
    assert got["file /proc/cpuinfo"]["ret"] == serial  # fopen() in the JNI library
    assert got["file /sdcard/.UTSystemConfig/Global/Alvin2.xml"]["ret"] == PROFILE["utdid"]
    for event in got.values():
        assert event["pi_category"] and event["pi_type"]


def test_each_read_is_blamed_on_its_sdk_in_its_consent_phase(side):
    run, _, _, _, _ = side
    before = {
        (f["sdk"], f["pi_type"], f["title"].rsplit("(", 1)[-1].rstrip(")"))
        for f in run["findings"]
        if f["rule_id"] == "PRECONSENT_COLLECTION"
    }
    expected = {
        ("com.wifisdk.mac", "wifi_mac", "file /sys/class/net/wlan0/address"),
        ("cn.arpscan.router", "router_mac", "file /proc/net/arp"),
        ("com.serialkit.probe", "serial", "command getprop ro.serialno"),
        ("io.applist.scan", "installed_packages", "command pm list packages"),
        ("com.catprobe.sdk", "wifi_mac", "command cat /sys/class/net/wlan0/address"),
        ("com.nativeid.sdk", "wifi_mac", "file /sys/class/net/wlan0/address"),  # open() in its JNI library
        ("com.nativeid.sdk", "serial", "property ro.serialno"),  # __system_property_get in native code
        ("com.helperid.sdk", "wifi_mac", "file /sys/class/net/wlan0/address"),  # in its helper's process
    }
    assert expected <= before
    # the shared-storage ID is read after the user agreed: collected, but not before consent
    assert not any(sdk == "cn.utdid.share" for sdk, _, _ in before)


def test_a_read_in_a_program_the_sdk_started_is_blamed_on_the_sdk(side):
    run, events, _, _, _ = side
    in_child = [e for e in events if e["api"].startswith("file ") and e["pid"] != events[0]["pid"]]
    assert len(in_child) == 1
    event = in_child[0]
    assert event["ret"] == PROFILE["wifi_mac"]
    assert any(f.startswith("com.helperid.sdk.HelperId.run") for f in event["stack"])  # its starter's stack
    # the helper's own frames, kept beside it, from the program that made the call (the shell)
    shell = os.path.basename(os.path.realpath("/bin/sh"))
    assert event["args"][1]["native_stack"][0].startswith(shell), event["args"][1]["native_stack"]


def test_a_read_of_an_unlisted_path_gives_nothing(side):
    _, events, _, _, _ = side
    # the app reads /sys/class/net/wlan0/mtu itself: on no list
    assert not any("mtu" in json.dumps(e["args"]) for e in events)


def test_the_hosts_own_identifiers_never_reach_the_session(side):
    _, _, _, db, _ = side
    host_values = set()
    for path in Path("/sys/class/net").glob("*/address"):
        value = path.read_text().strip()
        if value and value != "00:00:00:00:00:00":
            host_values.add(value.lower())
    arp = Path("/proc/net/arp")
    if arp.exists():
        host_values |= {
            m.lower() for m in re.findall(r"(?:[0-9a-f]{2}:){5}[0-9a-f]{2}", arp.read_text(), re.I)
        }
    host_values.discard("00:00:00:00:00:00")
    stored = db.read_bytes().lower()
    for wal in db.parent.glob(db.name + "-wal"):
        stored += wal.read_bytes().lower()
    assert not [v for v in host_values if v.encode() in stored]


def test_the_coverage_report_lists_the_side_channel_hooks(side):
    _, _, coverage, _, stderr = side
    by_id = {row["id"]: row for row in coverage}
    for hook in ("side.open", "side.property", "side.output", "side.popen", "side.spawn"):
        assert by_id[hook]["state"] == "installed", by_id[hook]
    # Java file I/O, `cat`, the JNI library and the helper program
    assert by_id["file:/sys/class/net/*/address"]["fired"] == 4
    assert by_id["property:ro.serialno"]["fired"] == 2  # getprop's output and the native lookup
    assert by_id["file:/proc/cpuinfo"]["fired"] == 1
    assert by_id["file:/proc/net/tcp"]["fired"] == 0 and by_id["file:/proc/net/tcp"]["state"] == "installed"
    assert "side-channel reads watched: open on, property on" in stderr
