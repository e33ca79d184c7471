"""`privmon devices` and device selection through the real adb server against the simulated adbd."""

import json

import pytest

from monitor.device_profile import load_profile
from monitor.lab.adbd import lab_state
from tests.conftest import run_cli
from tests.simphone import simulated_phone


@pytest.fixture
def phone():
    with simulated_phone() as adbd:
        yield adbd


def test_devices_lists_the_simulated_phone_with_its_facts(phone, tmp_path):
    proc = run_cli(tmp_path, "devices", "--json")
    assert proc.returncode == 0, proc.stderr
    mine = next(d for d in json.loads(proc.stdout) if d["serial"] == phone.serial)
    assert (mine["state"], mine["model"], mine["android"], mine["abi"]) == (
        "device",
        "Lab Phone",
        "13",
        "arm64-v8a",
    )
    assert mine["root"] == "su" and mine["frida_server"] == "not running" and mine["lab"] is True
    phone.state.start_process("frida-server")
    phone.state.rooted = False
    again = next(
        d for d in json.loads(run_cli(tmp_path, "devices", "--json").stdout) if d["serial"] == phone.serial
    )
    assert again["frida_server"] == "running" and again["root"] == "no"
    table = run_cli(tmp_path, "devices")
    assert phone.serial in table.stdout and "(LAB)" in table.stdout


def test_two_devices_need_a_serial_and_android_serial_picks_one(phone, tmp_path, monkeypatch):
    with simulated_phone() as second:
        monkeypatch.delenv("ANDROID_SERIAL", raising=False)
        both = run_cli(tmp_path, "doctor", "--no-probe")
        assert both.returncode == 6
        assert "devices" in both.stderr and "--device SERIAL or ANDROID_SERIAL" in both.stderr
        assert "Traceback" not in both.stderr
        monkeypatch.setenv("ANDROID_SERIAL", second.serial)
        chosen = run_cli(tmp_path, "doctor", "--no-probe", "--json")
        assert json.loads(chosen.stdout)["serial"] == second.serial
        assert any(cmd == "getenforce" for cmd in second.state.log) and "getenforce" not in phone.state.log


def test_unknown_and_unauthorized_devices_get_one_line_advice(tmp_path):
    missing = run_cli(tmp_path, "doctor", "127.0.0.1:1", "--no-probe")
    assert missing.returncode == 6 and "no device '127.0.0.1:1'" in missing.stderr
    state = lab_state(load_profile("lab"))
    state.authorized = False
    with simulated_phone(state, expect="") as adbd:
        proc = run_cli(tmp_path, "doctor", adbd.serial, "--no-probe")
        assert proc.returncode == 6
        assert (
            "not authorized this computer" in proc.stderr and "accept the USB debugging prompt" in proc.stderr
        )
        assert len(proc.stderr.strip().splitlines()) == 1


def test_no_device_at_all(tmp_path, monkeypatch):
    """A fresh adb server of its own (ANDROID_ADB_SERVER_PORT, as adb honours it) sees nothing."""
    import subprocess

    from tests.conftest import free_port
    from tests.simphone import adb

    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(free_port()))
    monkeypatch.delenv("ANDROID_SERIAL", raising=False)
    try:
        proc = run_cli(tmp_path, "doctor", "--no-probe")
        assert proc.returncode == 6 and "no device" in proc.stderr and "USB debugging" in proc.stderr
        listed = run_cli(tmp_path, "devices")
        assert listed.returncode == 0 and "No devices" in listed.stdout
    finally:
        subprocess.run([adb(), "kill-server"], capture_output=True, timeout=30)
