"""A run that is killed, or whose writer dies, leaves no session shown as running and no lab JVM
behind; consent texts are judged by the analysis with the app profile in force."""

import json
import os
import signal
import subprocess
import time

import pytest

from tests.conftest import PRIVMON, REPO, run_cli, wait_until

pytestmark = pytest.mark.lab


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _lab_jvms(owner: int) -> list[int]:
    """Lab JVMs started for the privmon process `owner` (by the owner pid they were given)."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit() and f"-Dprivmon.ownerPid={owner} " in _cmdline(int(name)):
            found.append(int(name))
    return found


def _start_long_lab_run(home):
    env = {**os.environ, "PRIVMON_HOME": str(home)}
    return subprocess.Popen(
        [*PRIVMON, "lab", "run", "--no-keys", "--consent-delay-ms", "120000"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _sessions(home) -> list[dict]:
    proc = run_cli(home, "sessions", "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_sigkill_leaves_an_interrupted_session_and_no_lab_jvm(tmp_path):
    proc = _start_long_lab_run(tmp_path)
    try:
        assert wait_until(lambda: _lab_jvms(proc.pid)), "the lab JVM never started"
        time.sleep(3)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    assert wait_until(lambda: not _lab_jvms(proc.pid), timeout=15), "the lab JVM outlived privmon"
    rows = _sessions(tmp_path)
    assert len(rows) == 1 and rows[0]["status"] == "interrupted"
    assert "killed?" in (rows[0]["end_reason"] or "")


def _stored_sessions(home) -> int:
    import sqlite3

    try:
        with sqlite3.connect(f"file:{home / 'privmon.sqlite3'}?mode=ro", uri=True) as db:
            return db.execute("SELECT count(*) FROM sessions").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_a_dead_writer_stops_the_run_at_once_with_exit_5(tmp_path):
    proc = _start_long_lab_run(tmp_path)
    try:
        assert wait_until(lambda: _lab_jvms(proc.pid) and _stored_sessions(tmp_path)), "the run never started"
        writers = [p for p in _children(proc.pid) if "monitor.storage.writer_process" in _cmdline(p)]
        assert len(writers) == 1
        os.kill(writers[0], signal.SIGKILL)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 5, stderr
    assert "writer" in stderr.splitlines()[-1]
    assert not _lab_jvms(proc.pid)
    rows = _sessions(tmp_path)
    assert len(rows) == 1 and rows[0]["status"] == "interrupted"


def test_consent_texts_are_judged_with_the_app_profile_given_to_analyze(tmp_path):
    proc = run_cli(
        tmp_path,
        "lab",
        "run",
        "--json",
        "--no-keys",
        "--consent-delay-ms",
        "300",
        "--lab-prop",
        "agreeText=就这样吧",
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    session = json.loads(proc.stdout)["session"]

    def consents() -> list[str]:
        out = run_cli(tmp_path, "findings", session, "--json")
        assert out.returncode == 0, out.stderr
        return [f for f in json.loads(out.stdout) if f["evidence"].get("consent_event_id") is not None]

    assert consents() == []  # nobody knows that text: no consent in this run
    profile = tmp_path / "shop.yaml"
    profile.write_text("package: com.labapp.shop\nagree_texts: [就这样吧]\n", encoding="utf-8")
    assert run_cli(tmp_path, "analyze", session, "--app-profile", str(profile)).returncode == 0
    judged = consents()
    assert judged, "the profile's agree text did not make a consent event"
    consent_id = judged[0]["evidence"]["consent_event_id"]
    assert run_cli(tmp_path, "analyze", session).returncode == 0  # same profile (kept): same event id
    assert consents()[0]["evidence"]["consent_event_id"] == consent_id
    plain = tmp_path / "plain.yaml"
    plain.write_text("package: com.labapp.shop\n", encoding="utf-8")
    assert run_cli(tmp_path, "analyze", session, "--app-profile", str(plain)).returncode == 0
    assert consents() == []
