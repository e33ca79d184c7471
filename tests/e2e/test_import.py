"""A capture from another tool gives the same PI matches as the live run: the demo session's flows,
exported as a mitmproxy flow file, turned into a HAR by mitmproxy's own savehar, imported."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from monitor.config import Settings
from monitor.storage.queries import StoreReader
from tests.conftest import run_cli


def _matches(home, session):
    with StoreReader(Settings.load(home).db_path) as reader:
        flows = {f["id"]: f for f in reader.flows(session)}
        return sorted(
            {
                (flows[m["flow_id"]]["url"], m["pi_type"], m["encoding"], m["location"])
                for m in reader.pi_matches(session)
            }
        )


def test_har_from_mitmproxy_savehar_gives_the_live_runs_matches(lab_demo, tmp_path):
    home, live = lab_demo["home"], lab_demo["result"]["session"]
    bundle = tmp_path / "bundle.zip"
    assert run_cli(home, "export", live, "-o", str(bundle)).returncode == 0
    with zipfile.ZipFile(bundle) as zf:
        (tmp_path / "flows.mitm").write_bytes(zf.read("flows.mitm"))
    har = tmp_path / "capture.har"
    mitmdump = Path(sys.executable).with_name("mitmdump")
    subprocess.run(
        [str(mitmdump), "-nr", str(tmp_path / "flows.mitm"), "--set", f"hardump={har}", "-q"],
        check=True,
        timeout=60,
        capture_output=True,
    )
    assert json.loads(har.read_text())["log"]["entries"]

    other = tmp_path / "other-home"
    proc = run_cli(other, "import", str(har), "--profile", "lab", "--app", "com.labapp.shop")
    assert proc.returncode == 0, proc.stderr
    imported = proc.stdout.strip()
    assert _matches(other, imported) == _matches(home, live)
    findings = json.loads(run_cli(other, "findings", imported, "--json").stdout)
    sent = [f for f in findings if f["rule_id"] == "PRECONSENT_TRANSMISSION"]
    assert {(f["host"], f["pi_type"], f["encoding"]) for f in sent} >= {("ulogs.umeng.com", "imei", "md5")}
    sessions = {s["id"]: s for s in json.loads(run_cli(other, "sessions", "--json").stdout)}
    assert sessions[imported]["target"] == "import"


def test_flow_file_import_and_bad_files(lab_demo, tmp_path):
    home, live = lab_demo["home"], lab_demo["result"]["session"]
    bundle = tmp_path / "bundle.zip"
    run_cli(home, "export", live, "-o", str(bundle))
    with zipfile.ZipFile(bundle) as zf:
        (tmp_path / "flows.mitm").write_bytes(zf.read("flows.mitm"))
    other = tmp_path / "other-home"
    proc = run_cli(
        other, "import", str(tmp_path / "flows.mitm"), "--profile", "lab", "--app", "com.labapp.shop"
    )
    assert proc.returncode == 0, proc.stderr
    assert _matches(other, proc.stdout.strip()) == _matches(home, live)
    for bad in (b"{not json", b"\x00\x01garbage"):
        path = tmp_path / ("bad.har" if bad.startswith(b"{") else "bad.flows")
        path.write_bytes(bad)
        proc = run_cli(other, "import", str(path), "--profile", "lab")
        assert proc.returncode == 2 and "Traceback" not in proc.stderr and "privmon: error" in proc.stderr
