"""`privmon batch` on the simulated phone with nobody at it (standard input closed): the lab apps'
real APKs × three scenarios, each scenario performed by privmon; a batch killed mid-way resumes
where it stopped; an app whose notice no vocabulary reads ends incomplete with the reason."""

import json
import os
import signal
import subprocess
import time
import zipfile

from monitor.config import Settings
from monitor.storage.queries import StoreReader
from tests.conftest import PRIVMON, REPO, run_cli, wait_until
from tests.simphone import simulated_phone

SCENARIOS = ("agree", "refuse", "background")
EXPECTED = {  # rule ids each run must raise (the rules app as its `violations` variant)
    ("com.labapp.shop", "agree"): {"PRECONSENT_TRANSMISSION", "SDK_PRECONSENT"},
    ("com.labapp.rules", "refuse"): {"POST_REFUSAL", "FORCED_EXIT_AFTER_REFUSAL"},
    ("com.labapp.rules", "background"): {"BACKGROUND_COLLECTION"},
}


def _batch(home, serial, apks, out) -> list[str]:
    command = [*PRIVMON, "batch", "--apk-dir", str(apks), "--device", serial, "--out", str(out)]
    for scenario in SCENARIOS:
        command += ["--scenario", scenario]
    return (
        command
        + ["--use-s", "2", "--background-s", "3", "--notice-s", "8"]
        + [
            "--lab-prop",
            "variant=violations",
        ]
    )


def test_a_batch_runs_unattended_resumes_after_a_kill_and_sums_up(tmp_path):
    apks = tmp_path / "apks"
    assert run_cli(tmp_path, "lab", "apks", "-o", str(apks)).returncode == 0
    assert sorted(p.name for p in apks.iterdir()) == ["demo.apk", "rules.apk", "welcome.apk"]
    out = tmp_path / "batch"
    env = {**os.environ, "PRIVMON_HOME": str(tmp_path)}
    with simulated_phone() as adbd:
        command = _batch(tmp_path, adbd.serial, apks, out)
        first = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        ledger = out / "batch.jsonl"
        try:
            assert wait_until(lambda: ledger.exists() and len(ledger.read_text().splitlines()) >= 2, 240)
        finally:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()
        done_before = len(ledger.read_text().splitlines())
        time.sleep(1)  # the killed run's lab app sees its owner gone and ends
        proc = subprocess.run(
            command, cwd=REPO, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600
        )
    assert proc.returncode == 8, proc.stderr[-3000:]  # the welcome app's runs are incomplete
    assert proc.stderr.count("done before") == done_before
    records = json.loads((out / "summary.json").read_text())
    assert [(r["app"], r["scenario"]) for r in records] == [
        (app, s) for app in ("com.labapp.shop", "com.labapp.rules", "com.labapp.welcome") for s in SCENARIOS
    ]
    assert len(ledger.read_text().splitlines()) == 9  # no run counted twice, none lost
    csv_lines = (out / "summary.csv").read_text(encoding="utf-8-sig").splitlines()
    assert csv_lines[0].startswith("app,version,scenario,status") and len(csv_lines) == 10

    with StoreReader(Settings.load(tmp_path).db_path) as reader:
        for r in records:
            if r["app"] == "com.labapp.welcome":
                assert r["status"] == "incomplete" and "'开始体验'" in r["reason"] and r["not_done"]
                continue
            assert r["status"] == "completed", r
            assert r["version"] in ("2.3.1", "1.4.0") and r["seconds"] > r["app_seconds"] > 0
            automatic = [c for c in reader.consent_events(r["session"]) if c["source"] == "automatic"]
            wanted = "refuse" if r["scenario"] == "refuse" else "consent"
            assert automatic and automatic[0]["kind"] == wanted and "privmon tapped" in automatic[0]["detail"]
            rules = {f["rule_id"] for f in reader.findings(r["session"])}
            assert EXPECTED.get((r["app"], r["scenario"]), set()) <= rules, (r["app"], r["scenario"], rules)
            assert sum(r["findings"].values()) == len(reader.findings(r["session"]))
            meta = reader.session(r["session"])["meta"]
            assert meta["driver"] == "privmon" and meta["apk_facts"]["package"] == r["app"]
    # the report sets what the APK declares against what the run observed
    shop = next(r for r in records if r["app"] == "com.labapp.shop" and r["scenario"] == "agree")
    bundle = tmp_path / "shop.zip"
    assert run_cli(tmp_path, "export", shop["session"], "-o", str(bundle)).returncode == 0
    with zipfile.ZipFile(bundle) as zf:
        report = zf.read("report.html").decode()
        apk = json.loads(zf.read("manifest.json"))["apk"]
    used = {p["name"]: p["used"] for p in apk["permissions"]}
    assert used["android.permission.READ_PHONE_STATE"] and used["android.permission.ACCESS_FINE_LOCATION"]
    assert used["android.permission.CAMERA"] is False  # requested, never used
    umeng = next(s for s in apk["sdks"] if s["sdk"] == "Umeng")
    assert umeng["in_apk"] and umeng["observed"]
    assert "What the APK declares" in report and "android.permission.CAMERA" in report
    # installed from the APKs, uninstalled after (the demo app was on the phone before: it stays)
    assert "com.labapp.rules" not in adbd.state.packages and "com.labapp.welcome" not in adbd.state.packages
    assert "com.labapp.shop" in adbd.state.packages
    assert any(c.startswith("uiautomator dump") for c in adbd.state.log)
    assert any(c.startswith("input tap ") for c in adbd.state.log)


def test_batch_input_errors_are_one_line(tmp_path):
    proc = run_cli(tmp_path, "batch", "not a package", "--out", str(tmp_path / "b"))
    assert proc.returncode == 2 and "neither a package name" in proc.stderr and "Traceback" not in proc.stderr
    bad = tmp_path / "bad.apk"
    bad.write_bytes(b"PK\x03\x04 not really")
    proc = run_cli(tmp_path, "batch", str(bad), "--out", str(tmp_path / "b"))
    assert proc.returncode == 2 and "not an APK" in proc.stderr
    proc = run_cli(tmp_path, "batch", "com.example.app", "--scenario", "dance", "--out", str(tmp_path / "b"))
    assert proc.returncode == 2 and "--scenario must be one of" in proc.stderr
    proc = run_cli(tmp_path, "batch", "--out", str(tmp_path / "b"))
    assert proc.returncode == 2 and "no apps to test" in proc.stderr


def test_a_run_on_the_simulated_phone_refuses_with_nobody_at_the_keys(tmp_path):
    with simulated_phone() as adbd:
        proc = run_cli(
            tmp_path,
            "run",
            "com.labapp.shop",
            "--device",
            adbd.serial,
            "--scenario",
            "refuse",
            "--json",
            "--use-s",
            "2",
            timeout=300,
        )
        log = list(adbd.state.log)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    with StoreReader(Settings.load(tmp_path).db_path) as reader:
        consents = reader.consent_events(result["session"])
        flows = reader.flows(result["session"])
    automatic = [(c["kind"], c["detail"]) for c in consents if c["source"] == "automatic"]
    assert automatic[0] == ("refuse", "privmon tapped '不同意'")
    assert all(kind == "refuse" for kind, _ in automatic)  # the second notice refused too
    assert not [f for f in flows if "/stores/nearby" in f["url"]]  # no location sent after a refusal
    assert "uiautomator dump /sdcard/window_dump.xml >/dev/null && cat /sdcard/window_dump.xml" in log
    assert any(c.startswith("input tap ") for c in log)
