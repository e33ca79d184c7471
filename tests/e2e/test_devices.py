"""`privmon devices` through the real adb server against the lab's simulated adbd."""

import json
import shutil
import subprocess

import pytest

from monitor.device_profile import load_profile
from monitor.lab.adbd import SimulatedAdbd, lab_state
from tests.conftest import run_cli


@pytest.fixture
def phone():
    adb = shutil.which("adb")
    assert adb, "adb is missing: run `make setup`"
    state = lab_state(load_profile("lab"))
    with SimulatedAdbd(state) as adbd:
        subprocess.run([adb, "start-server"], check=True, capture_output=True, timeout=60)
        connected = subprocess.run([adb, "connect", adbd.serial], capture_output=True, text=True, timeout=30)
        assert "connected" in connected.stdout, connected
        try:
            yield adbd
        finally:
            subprocess.run([adb, "disconnect", adbd.serial], capture_output=True, timeout=30)


def test_devices_lists_the_simulated_phone_with_its_facts(phone, tmp_path):
    proc = run_cli(tmp_path, "devices", "--json")
    assert proc.returncode == 0, proc.stderr
    mine = next(d for d in json.loads(proc.stdout) if d["serial"] == phone.serial)
    assert (mine["state"], mine["model"], mine["android"], mine["abi"]) == ("device", "Lab Phone", "13", "arm64-v8a")
    assert mine["root"] == "su" and mine["frida_server"] == "not running" and mine["lab"] is True
    phone.state.start_process("frida-server")
    phone.state.rooted = False
    again = next(d for d in json.loads(run_cli(tmp_path, "devices", "--json").stdout) if d["serial"] == phone.serial)
    assert again["frida_server"] == "running" and again["root"] == "no"
    table = run_cli(tmp_path, "devices")
    assert phone.serial in table.stdout and "(LAB)" in table.stdout
