"""A capture from another tool gives the same PI matches as the live run: the demo session's flows,
exported as a mitmproxy flow file, turned into a HAR by mitmproxy's own savehar, imported."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

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


def _har(entries) -> str:
    return json.dumps(
        {"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": entries}}
    )


def _entry(
    url="https://t.example/p?imei=864273052471596", headers=None, status=200, when="2026-01-01T00:00:00Z"
):
    return {
        "startedDateTime": when,
        "time": 5,
        "request": {
            "method": "GET",
            "url": url,
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": "A", "value": "b"}] if headers is None else headers,
        },
        "response": {"status": status, "headers": [], "content": {"text": ""}},
    }


def _sessions(home) -> list[dict]:
    return json.loads(run_cli(home, "sessions", "--json").stdout)


def test_odd_har_entries_are_imported_with_the_problem_recorded(tmp_path):
    """A null URL, a null header value, a status of 1e20, a time that is not one, a byte-order mark:
    each entry is imported (or skipped) with the problem kept with the session, never a half-written
    session and an internal error."""
    har = tmp_path / "odd.har"
    har.write_text(
        _har(
            [
                _entry(),
                _entry(url=None),
                _entry(headers=[{"name": "X-Id", "value": None}, {"value": "no name"}]),
                _entry(status=1e20),
                _entry(when="yesterday"),
            ]
        ),
        encoding="utf-8-sig",
    )
    proc = run_cli(tmp_path, "import", str(har), "--profile", "lab")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "problem(s) in the capture" in proc.stderr
    session = proc.stdout.strip()
    with StoreReader(Settings.load(tmp_path).db_path) as reader:
        meta = reader.session(session)["meta"]
        flows = reader.flows(session)
        assert reader.session(session)["status"] == "completed" and reader.analysis_facts(session)
    assert len(flows) == 4  # the entry without a URL skipped
    assert sorted(f["status_code"] for f in flows if f["status_code"] is not None) == [200, 200, 200]
    problems = " | ".join(meta["import_problems"])
    for text in (
        "entry 1: no request URL: skipped",
        "header 'X-Id' has no text value",
        "header 1 has no name",
        "status 1e+20 is not an HTTP status",
        "'yesterday' is not a time",
    ):
        assert text in problems, problems
    assert meta["import_problem_count"] == 5
    # the session can be exported and read like any other
    assert run_cli(tmp_path, "export", session, "-o", str(tmp_path / "b.zip")).returncode == 0
    assert run_cli(tmp_path, "flows", session).returncode == 0


@pytest.mark.parametrize(
    "content, words",
    [
        (_har([]), "no request in it to import"),
        (_har([_entry(url=None)]), "no request in it to import (1 entries skipped"),
        (json.dumps({"hello": 1}), "JSON without a log.entries list"),
        (json.dumps([1, 2]), "JSON without a log.entries list"),
        ("{not json", "not a HAR file: not JSON"),
    ],
)
def test_a_capture_that_is_not_one_is_refused_in_one_line_and_leaves_no_session(tmp_path, content, words):
    har = tmp_path / "bad.har"
    har.write_text(content)
    proc = run_cli(tmp_path, "import", str(har), "--profile", "lab")
    assert proc.returncode == 2 and words in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert _sessions(tmp_path) == []


def test_an_import_the_store_does_not_take_whole_is_removed_again(settings, writer, monkeypatch):
    from monitor import events as ev
    from monitor import importer
    from monitor.device_profile import load_profile
    from monitor.storage.engine import StoreError

    read = importer.har_records

    def records_with_a_bad_one(path, session_id, problems):
        good = read(path, session_id, problems)[0][0]
        bad = ev.FlowRecord(**{**vars(good), "id": "bad", "url": None})  # the store refuses it
        return [good, bad], []

    har = settings.home / "one.har"
    har.write_text(_har([_entry()]))
    monkeypatch.setattr(importer, "har_records", records_with_a_bad_one)
    with pytest.raises(StoreError):
        importer.import_capture(har, load_profile("lab"), "com.example", writer)
    with StoreReader(settings.db_path) as reader:
        assert reader.sessions() == [] and reader.counts("any")["flows"] == 0


def test_latest_is_the_session_made_last_not_the_one_whose_capture_started_last(tmp_path):
    new, old = tmp_path / "new.har", tmp_path / "old.har"
    new.write_text(_har([_entry(url="https://new.example/p", when="2026-06-01T00:00:00Z")]))
    old.write_text(_har([_entry(url="https://old.example/p", when="2020-01-01T00:00:00Z")]))
    run_cli(tmp_path, "import", str(new), "--profile", "lab")
    made_last = run_cli(tmp_path, "import", str(old), "--profile", "lab").stdout.strip()
    flows = json.loads(run_cli(tmp_path, "flows", "latest", "--json").stdout)
    assert [f["host"] for f in flows] == ["old.example"]
    with StoreReader(Settings.load(tmp_path).db_path) as reader:
        assert reader.latest_session_id() == made_last
