"""`privmon run` on the simulated phone: set-up and teardown over the real adb server, the lab
app as the app process, screenshots, the journal after SIGKILL and after a lost connection."""

import json
import os
import signal
import subprocess
import time
import zipfile

import yaml

from monitor.device_profile import load_profile
from monitor.lab.adbd import lab_state
from monitor.run.live import LiveFindings
from tests.conftest import PRIVMON, REPO, run_cli, wait_until
from tests.simphone import simulated_phone

BEFORE = "10.0.0.2:3128"  # the tester's own proxy setting, which must come back exactly


def _state():
    state = lab_state(load_profile("lab"))
    state.settings["global/http_proxy"] = BEFORE
    return state


def _hook_events(home) -> int:
    import sqlite3

    try:
        with sqlite3.connect(f"file:{home / 'privmon.sqlite3'}?mode=ro", uri=True) as db:
            return db.execute("SELECT count(*) FROM hook_events").fetchone()[0]
    except sqlite3.Error:
        return 0


def _long_run(home, serial: str, *extra: str) -> subprocess.Popen:
    """`privmon run` of the demo app held before its consent tap (the lab app's own tester waits a
    minute), in the background."""
    return subprocess.Popen(
        [
            *PRIVMON,
            "run",
            "com.labapp.shop",
            "--device",
            serial,
            "--no-keys",
            "--driver",
            "tester",
            *extra,
            "--lab-prop",
            "consentDelayMs=60000",
        ],
        cwd=REPO,
        env={**os.environ, "PRIVMON_HOME": str(home)},
        stdout=subprocess.PIPE if "--json" in extra else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_run_sets_up_records_and_restores_the_phone(tmp_path):
    state = _state()
    with simulated_phone(state) as adbd:
        proc = run_cli(
            tmp_path, "run", "com.labapp.shop", "--device", adbd.serial, "--no-keys", "--json", timeout=300
        )
        assert proc.returncode == 0, proc.stderr
        result = json.loads(proc.stdout)
        assert result["status"] == "completed" and result["not_restored"] == []
        assert "PRECONSENT_TRANSMISSION" in {f["rule_id"] for f in result["findings"]}
        # set-up: fresh data, the route pointed at the proxy while the app ran, then restored
        assert "pm clear com.labapp.shop" in state.log
        assert any(cmd.startswith("settings put global http_proxy 127.0.0.1:") for cmd in state.log)
        assert state.settings["global/http_proxy"] == BEFORE and state.reverses == {}
        assert "the lab app 'demo'" in proc.stderr and "restored: adb reverse" in proc.stderr
        # metadata and identifiers read over adb are in the session, the identifiers watched
        session = json.loads(run_cli(tmp_path, "sessions", "--json").stdout)[0]
        meta = session["meta"]
        assert meta["app_metadata"]["version_name"] == "1.0" and len(meta["app_metadata"]["apk_sha256"]) == 64
        assert meta["device"]["serial"] == adbd.serial
        assert {"android_id", "imei", "wifi_mac", "advertising_id"} <= set(meta["device"]["identifiers_read"])
        watched = {w["pi_type"]: w["value"] for w in meta["watch"]}
        assert watched["build_fingerprint"] == load_profile("lab").build["fingerprint"]
        assert watched["imei"] == load_profile("lab").identifiers["imei"]
        assert result["screenshots"] >= 2
        bundle = tmp_path / "b.zip"
        assert run_cli(tmp_path, "export", result["session"], "-o", str(bundle)).returncode == 0
        with zipfile.ZipFile(bundle) as zf:
            shots = [n for n in zf.namelist() if n.startswith("screenshots/")]
            manifest = json.loads(zf.read("manifest.json"))
            assert shots and zf.read(shots[0]).startswith(b"\x89PNG")
        assert manifest["screenshots"] == {"count": len(shots), "problems": []}
        assert manifest["app_metadata"]["package"] == "com.labapp.shop"
        assert run_cli(tmp_path, "verify", str(bundle)).returncode == 0
        _dashboard_shows_the_run(tmp_path, result["session"], shots)


def _dashboard_shows_the_run(home, session_id, shots):
    from fastapi.testclient import TestClient

    from dashboard.app import create_app

    client = TestClient(
        create_app(home / "privmon.sqlite3", "t"),
        base_url="http://127.0.0.1",
        headers={"Authorization": "Bearer t"},
    )
    page = client.get(f"/sessions/{session_id}").text
    name = shots[0].rsplit("/", 1)[1]
    assert f"/screenshots/{name}" in page and "APK SHA-256" in page
    image = client.get(f"/sessions/{session_id}/screenshots/{name}")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert client.get(f"/sessions/{session_id}/screenshots/..%2Fprivmon.sqlite3").status_code == 404


def test_sigkill_mid_run_then_doctor_restore(tmp_path):
    state = _state()
    with simulated_phone(state) as adbd:
        proc = _long_run(tmp_path, adbd.serial)
        try:
            assert wait_until(lambda: state.settings.get("global/http_proxy", "").startswith("127.0.0.1:")), (
                "the run never routed the phone"
            )
            second = run_cli(tmp_path, "run", "com.labapp.shop", "--device", adbd.serial, "--no-keys")
            assert second.returncode == 6 and "another privmon run" in second.stderr
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
        assert state.settings["global/http_proxy"].startswith("127.0.0.1:") and state.reverses  # left behind
        restored = run_cli(tmp_path, "doctor", adbd.serial, "--restore")
        assert restored.returncode == 0, restored.stderr
        assert state.settings["global/http_proxy"] == BEFORE and state.reverses == {}


def test_sigterm_ends_the_run_like_ctrl_c_and_the_run_restores_the_phone(tmp_path):
    state = _state()
    with simulated_phone(state) as adbd:
        proc = _long_run(tmp_path, adbd.serial, "--json")
        assert wait_until(lambda: _hook_events(tmp_path) > 0), "the app never ran"
        time.sleep(LiveFindings.MIN_GAP_S + 6)  # the live line gets its first "findings so far"
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stderr
        assert "Ctrl-C" in json.loads(stdout)["reason"]
        so_far = [line for line in stderr.splitlines() if "findings so far" in line]
        assert so_far and int(so_far[-1].rsplit("·", 1)[1].split()[0]) >= 1  # the IMEI left before consent
        assert state.settings["global/http_proxy"] == BEFORE and state.reverses == {}


def test_lost_connection_ends_the_run_and_the_phone_is_restored_when_back(tmp_path):
    state = _state()
    with simulated_phone(state) as adbd:
        port = adbd.port
        proc = _long_run(tmp_path, adbd.serial, "--json")
        assert wait_until(lambda: state.settings.get("global/http_proxy", "").startswith("127.0.0.1:"))
        assert wait_until(lambda: _hook_events(tmp_path) > 0), "the app never ran"
    # the phone is gone (its adbd closed) mid-run; the run must end by itself, as interrupted
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 5, stderr
    result = json.loads(stdout)
    assert result["status"] == "interrupted" and "connection" in result["reason"]
    assert result["counts"]["hook_events"] > 0, stderr  # what was captured is kept
    assert list(tmp_path.glob("sessions/*/hs_err_pid*.log")) == []  # the lab JVM ended without crashing
    assert state.settings["global/http_proxy"].startswith("127.0.0.1:")
    with simulated_phone(state, port=port) as back:
        # the phone is back: any doctor run takes back what the dead run left
        report = run_cli(tmp_path, "doctor", back.serial, "--no-probe", "--json")
        leftovers = next(c for c in json.loads(report.stdout)["checks"] if c["name"] == "leftovers")
        assert leftovers["fixed"] and "change(s) an earlier run left behind" in leftovers["detail"]
        assert state.settings["global/http_proxy"] == BEFORE and state.reverses == {}


def test_bad_packages_and_apks_get_one_line_errors(tmp_path):
    state = _state()
    with simulated_phone(state) as adbd:
        missing = run_cli(tmp_path, "run", "com.example.absent", "--device", adbd.serial, "--no-keys")
        assert missing.returncode == 6 and "com.example.absent is not installed" in missing.stderr
        not_apk = tmp_path / "x.apk"
        not_apk.write_text("hello")
        bad = run_cli(
            tmp_path, "run", "com.labapp.shop", "--device", adbd.serial, "--apk", str(not_apk), "--no-keys"
        )
        assert bad.returncode == 6 and "not an APK" in bad.stderr
        for proc in (missing, bad):
            assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) <= 2
        assert state.settings["global/http_proxy"] == BEFORE


def test_apk_is_installed_before_the_run(tmp_path):
    state = _state()
    del state.packages["com.labapp.shop"]
    apk = tmp_path / "shop.apk"
    apk.write_bytes(b"PK\x03\x04 AndroidManifest package=com.labapp.shop versionName=1.0")
    with simulated_phone(state) as adbd:
        proc = run_cli(
            tmp_path,
            "run",
            "com.labapp.shop",
            "--device",
            adbd.serial,
            "--apk",
            str(apk),
            "--no-keys",
            "--json",
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        assert "com.labapp.shop" in state.packages and "installed shop.apk" in proc.stderr
        assert not any(p.startswith("/data/local/tmp/privmon-install") for p in state.files)


def test_a_real_phone_path_stops_at_frida_server_and_still_restores(tmp_path):
    """Not the lab: everything up to the adb boundary runs, then Frida finds no frida-server."""
    state = _state()
    state.props["ro.product.brand"] = "acme"
    with simulated_phone(state) as adbd:
        proc = run_cli(
            tmp_path, "run", "com.labapp.shop", "--device", adbd.serial, "--no-keys", "--json", timeout=300
        )
        assert proc.returncode == 5, proc.stderr
        result = json.loads(proc.stdout)
        assert result["status"] == "interrupted" and "frida-server" in result["reason"]
        assert "tcp:27042" in state.services  # Frida asked the phone, over adb, for its server
        assert state.settings["global/http_proxy"] == BEFORE and state.reverses == {}
        moved = run_cli(
            tmp_path,
            "run",
            "com.labapp.shop",
            "--device",
            adbd.serial,
            "--no-keys",
            "--json",
            "--frida-port",
            "27999",
            timeout=300,
        )
        assert moved.returncode == 5 and "tcp:27999" in state.services  # through adb forward to that port
        forwards = subprocess.run(["adb", "forward", "--list"], capture_output=True, text=True).stdout
        assert "27999" not in forwards and state.settings["global/http_proxy"] == BEFORE


def test_profile_capture_writes_a_loadable_profile(tmp_path):
    with simulated_phone() as adbd:
        out = tmp_path / "captured.yaml"
        proc = run_cli(tmp_path, "profile", "capture", adbd.serial, "-o", str(out))
        assert proc.returncode == 0, proc.stderr
        captured = load_profile(out)
        lab = load_profile("lab")
        for key in ("android_id", "imei", "serial", "wifi_mac", "bluetooth_mac", "advertising_id"):
            assert captured.identifiers[key] == lab.identifiers[key], key
        assert (
            captured.build["model"] == "Lab Phone" and yaml.safe_load(out.read_text())["name"] == "captured"
        )
        again = run_cli(tmp_path, "profile", "capture", adbd.serial, "-o", str(out))
        assert again.returncode == 2 and "--force" in again.stderr


def test_redirect_on_the_simulated_phone_routes_only_the_socks_port_and_captures_what_bypasses(tmp_path):
    from monitor.lab.adbd import Package

    state = _state()
    state.packages["com.labapp.bypass"] = Package("com.labapp.bypass", apk=b"PK\x03\x04 lab apk of bypass")
    state.files["/data/app/com.labapp.bypass-1/base.apk"] = state.packages["com.labapp.bypass"].apk
    with simulated_phone(state) as adbd:
        proc = run_cli(
            tmp_path,
            "run",
            "com.labapp.bypass",
            "--device",
            adbd.serial,
            "--redirect",
            "--no-keys",
            "--driver",
            "tester",  # the bypass app shows no notice for privmon to answer
            "--json",
            "--timeout",
            "60",  # the app ends in about 10 s; a run stuck at a HotSpot safepoint is redone
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        result = json.loads(proc.stdout)
        assert result["status"] == "completed" and result["not_restored"] == []
        # only the SOCKS5 port was carried to the host; the tester's proxy setting never changed
        assert not any(cmd.startswith("settings put global http_proxy") for cmd in state.log)
        assert "the app's connections redirected" in proc.stderr
        assert state.settings["global/http_proxy"] == BEFORE and state.reverses == {}
    flows = json.loads(run_cli(tmp_path, "flows", result["session"], "--json").stdout)
    assert {f["capture_path"] for f in flows} == {"redirected", "raw", "tls-plaintext"}
    assert "log.direct-sdk.cn" in {f["host"] for f in flows}


def test_revisit_on_the_simulated_phone_force_stops_the_app_and_launches_it_through_adb(tmp_path):
    state = _state()
    with simulated_phone(state) as adbd:
        revisit = ["--scenario", "revisit", "--use-s", "2", "--notice-s", "8", "--no-keys", "--json"]
        proc = run_cli(tmp_path, "run", "com.labapp.shop", "--device", adbd.serial, *revisit, timeout=300)
        assert proc.returncode == 0, proc.stderr
        result = json.loads(proc.stdout)
        assert result["status"] == "completed", result["reason"]
        cleared = state.log.index("pm clear com.labapp.shop")
        after = state.log[cleared:]
        stop = after.index("am force-stop com.labapp.shop")  # the app, open, ended as the system does
        assert any(cmd.startswith("monkey -p com.labapp.shop") for cmd in after[stop:])
        assert result["not_restored"] == [] and state.settings["global/http_proxy"] == BEFORE
    from monitor.config import Settings
    from monitor.storage.queries import StoreReader

    with StoreReader(Settings.load(tmp_path).db_path) as reader:
        installs = {m["payload"]["pid"] for m in reader.agent_messages(result["session"], ["hooks:install"])}
        consents = reader.consent_events(result["session"])
    assert len(installs) == 2
    assert [c["kind"] for c in consents if c["source"] == "automatic"] == ["consent"]
