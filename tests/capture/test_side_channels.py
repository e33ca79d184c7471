"""The catalogue's side-channel rules (files, system properties, commands) as data: how globs are
matched, what a malformed rule gives, and that an extra catalogue file's rules come first."""

import re

import pytest
import yaml

from monitor.capture.catalogue import CatalogueError
from monitor.capture.side_channels import expand_side_channels, glob_regex, load_side_channels, side_options


def test_path_globs_stay_within_a_segment_unless_doubled():
    one = re.compile(glob_regex("/sys/class/net/*/address", "file"))
    assert one.match("/sys/class/net/wlan0/address")
    assert not one.match("/sys/class/net/wlan0/x/address")
    assert not one.match("/sys/class/net/wlan0/address2")
    deep = re.compile(glob_regex("/data/misc/wifi/**", "file"))
    assert deep.match("/data/misc/wifi/WifiConfigStore.xml") and deep.match("/data/misc/wifi/a/b")
    hidden = re.compile(glob_regex("/sdcard/.*/**", "file"))
    assert hidden.match("/sdcard/.UTSystemConfig/Global/Alvin2.xml")
    assert not hidden.match("/sdcard/DCIM/photo.jpg")
    name = re.compile(glob_regex("persist.sys.*id*", "property"))
    assert name.match("persist.sys.vendor.device_id") and not name.match("persist.sys.locale")


def test_every_builtin_rule_is_well_formed_and_the_filter_prefix_is_literal():
    rules = load_side_channels()
    kinds = {r["kind"] for r in rules}
    assert kinds == {"file", "property", "command"}
    for rule in rules:
        assert rule["pi_category"] and rule["pi_type"]
        assert "*" not in rule["prefix"] and rule["pattern"].startswith(rule["prefix"])
        re.compile(rule["regex"])
    ids = {r["id"] for r in rules}
    assert {"file:/sys/class/net/*/address", "file:/proc/net/arp", "property:ro.serialno"} <= ids
    assert any(r["kind"] == "command" and r["pattern"].startswith("pm list packages") for r in rules)


@pytest.mark.parametrize(
    "rule, message",
    [
        ({"kind": "socket", "pi_category": "x", "pi_type": "y", "paths": ["/a"]}, "kind must be one of"),
        ({"kind": "file", "pi_type": "y", "paths": ["/a"]}, "needs pi_category and pi_type"),
        ({"kind": "file", "pi_category": "x", "pi_type": "y"}, "needs a list of paths"),
        ({"kind": "file", "pi_category": "x", "pi_type": "y", "paths": ["relative"]}, "not an absolute path"),
        (
            {"kind": "file", "pi_category": "x", "pi_type": "y", "paths": ["/a"], "extract": "("},
            "not a regular",
        ),
        (
            {"kind": "file", "pi_category": "x", "pi_type": "y", "paths": ["/a"], "extract": "a"},
            "needs one group",
        ),
        (
            {"kind": "file", "pi_category": "x", "pi_type": "y", "paths": ["/a"], "colour": 1},
            "unknown fields",
        ),
    ],
)
def test_a_malformed_rule_is_refused_with_where_and_why(rule, message):
    with pytest.raises(CatalogueError, match=message) as caught:
        expand_side_channels({"side_channels": [rule]}, "extra.yaml")
    assert "extra.yaml: side_channels[0]" in str(caught.value)


def test_an_extra_files_rules_come_first_and_duplicates_are_dropped(tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        yaml.safe_dump(
            {
                "side_channels": [
                    {
                        "kind": "file",
                        "pi_category": "device_id",
                        "pi_type": "oem_id",
                        "paths": ["/vendor/oem/id"],
                    },
                    {"kind": "file", "pi_category": "network_id", "pi_type": "x", "paths": ["/proc/net/arp"]},
                ]
            }
        )
    )
    rules = load_side_channels(extra)
    assert rules[0]["id"] == "file:/vendor/oem/id"
    assert [r["pi_type"] for r in rules if r["id"] == "file:/proc/net/arp"] == ["x"]
    options = side_options(rules, {"root": "/tmp/lab", "prefixes": ["/proc/net/arp"]})
    assert (
        options["rules"] is rules and options["window_ms"] > 0 and options["path_map"]["root"] == "/tmp/lab"
    )
