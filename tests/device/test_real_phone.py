"""Needs a real phone or emulator that adb sees (ANDROID_SERIAL picks one): `make test-device`.
PRIVMON_TEST_PACKAGE names an installed app for the run test (default: com.android.settings)."""

import json

import pytest

from monitor.config import env
from tests.conftest import run_cli

pytestmark = pytest.mark.device


def test_devices_and_doctor_see_the_phone(tmp_path):
    listed = json.loads(run_cli(tmp_path, "devices", "--json").stdout)
    assert any(d["state"] == "device" and not d["lab"] for d in listed)
    report = json.loads(run_cli(tmp_path, "doctor", "--json", "--no-probe").stdout)
    assert {c["name"] for c in report["checks"]} >= {"adb", "root", "frida-server", "proxy CA"}


def test_profile_capture_reads_the_phone(tmp_path):
    out = tmp_path / "phone.yaml"
    assert run_cli(tmp_path, "profile", "capture", "-o", str(out)).returncode == 0
    assert "android_id" in out.read_text()


def test_a_short_run_restores_the_proxy_setting(tmp_path):
    package = env("PRIVMON_TEST_PACKAGE") or "com.android.settings"
    proc = run_cli(
        tmp_path, "run", package, "--keep-data", "--no-keys", "--timeout", "20", "--json", timeout=300
    )
    result = json.loads(proc.stdout)
    assert result["not_restored"] == [] and result["counts"]["hook_events"] > 0, proc.stderr
