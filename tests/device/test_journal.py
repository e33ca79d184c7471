"""The teardown journal against the simulated phone (real adb server, adbutils)."""

import json
import subprocess
import sys

import pytest

from monitor.device.adb import select_device
from monitor.device.devices import DeviceError
from monitor.device.facts import parse_parcel_string
from monitor.device.journal import Journal
from monitor.lab.phone import _parcel_string
from tests.simphone import simulated_phone


@pytest.fixture
def phone():
    with simulated_phone() as adbd:
        yield adbd, select_device(adbd.serial)


def test_entries_are_on_disk_before_the_change_and_undone_newest_first(tmp_path, phone):
    adbd, device = phone
    journal = Journal(tmp_path, device.serial, owner="run:1")
    with journal.change(
        "proxy", {"op": "setting", "namespace": "global", "key": "http_proxy", "previous": None}
    ):
        on_disk = json.loads(journal.path.read_text())["entries"]
        assert [e["what"] for e in on_disk] == ["proxy"] and "global/http_proxy" not in adbd.state.settings
        device.shell("settings put global http_proxy 127.0.0.1:9")
    journal.record("first value", {"op": "setting", "namespace": "global", "key": "x", "previous": "a"})
    journal.record("second value", {"op": "setting", "namespace": "global", "key": "x", "previous": "b"})
    device.shell("settings put global x c")
    lines = []
    assert journal.restore(device, lines.append) == []
    assert adbd.state.settings["global/x"] == "a"  # newest first: c → b → a
    assert "global/http_proxy" not in adbd.state.settings
    assert lines == ["restored: second value", "restored: first value", "restored: proxy"]
    assert not journal.path.exists()


def test_a_step_that_fails_stays_in_the_journal(tmp_path, phone):
    adbd, device = phone
    journal = Journal(tmp_path, device.serial)
    journal.record("mount", {"op": "umount", "target": "/somewhere"})
    adbd.state.rooted = False  # the undo needs root, which is gone now
    left = journal.restore(device)
    assert left == ["mount"] and [e["what"] for e in journal.entries()] == ["mount"]
    adbd.state.rooted = True
    assert journal.restore(select_device(device.serial)) == [] and journal.entries() == []


def test_orphans_are_entries_of_runs_whose_process_is_gone(tmp_path, phone):
    _adbd, device = phone
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    journal = Journal(tmp_path, device.serial, owner="run:x")
    journal.record("mine", {"op": "reverse", "remote": "tcp:1"})
    data = json.loads(journal.path.read_text())
    data["entries"].append({**data["entries"][0], "id": 2, "what": "killed run's", "pid": int(dead.stdout)})
    data["entries"].append(
        {**data["entries"][0], "id": 3, "what": "doctor's", "owner": "doctor", "pid": int(dead.stdout)}
    )
    journal.path.write_text(json.dumps(data))
    assert [e["what"] for e in journal.orphaned()] == ["killed run's"]
    journal.restore(device, only=journal.orphaned())
    assert [e["what"] for e in journal.entries()] == ["mine", "doctor's"]


def test_an_unreadable_journal_is_reported_not_ignored(tmp_path, phone):
    _adbd, device = phone
    journal = Journal(tmp_path, device.serial)
    journal.path.parent.mkdir(parents=True)
    journal.path.write_text("{half")
    with pytest.raises(DeviceError, match="unreadable"):
        journal.entries()


def test_service_call_parcels_decode_to_the_string():
    assert parse_parcel_string(_parcel_string("864273052471596").decode()) == "864273052471596"
    assert parse_parcel_string("Result: Parcel(ffffffff 0000004b 00650052 'Permission denial')") is None
