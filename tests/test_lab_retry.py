"""The test suite redoes a lab run only when it shows the HotSpot safepoint deadlock's signature (its
timeout reached with no hook event recorded) or a fork crashed by Frida's inherited agent (privmon
said the fork never ran a program, and that fork's JVM left its crash file), never a run that failed
otherwise."""

import os
import subprocess

from tests.conftest import _fork_crashed_under_frida, _stuck_at_a_safepoint


def _proc(rc, out, err):
    return subprocess.CompletedProcess([], rc, out, err)


def test_only_a_run_that_recorded_nothing_until_its_timeout_is_redone():
    timeout = "privmon: error: session x interrupted: the app was still running after 45 s (timeout)"
    assert _stuck_at_a_safepoint(_proc(5, "", f"[lab] 0 hook events · 3 flows\n{timeout}\n"))
    assert _stuck_at_a_safepoint(
        _proc(0, '{"reason": "ended at the timeout (60 s)"}', "0 hook events · 0 flows\n")
    )
    assert not _stuck_at_a_safepoint(_proc(5, "", f"[lab] 7 hook events · 3 flows\n{timeout}\n"))
    assert not _stuck_at_a_safepoint(_proc(0, '{"reason": "the app exited"}', "0 hook events · 0 flows\n"))
    assert not _stuck_at_a_safepoint(
        _proc(5, "", "[lab] 0 hook events\nprivmon: error: the lab app crashed\n")
    )


def test_a_hung_privmon_shows_where_its_threads_are(tmp_path):
    """The suite's bound on a privmon command (and a user's `kill -USR1`) gets every thread's stack
    on stderr before the process is killed: a hang in CI leaves its cause in the log."""
    from tests.conftest import PRIVMON, _run_bounded, free_port

    env = {**os.environ, "PRIVMON_HOME": str(tmp_path)}
    command = [*PRIVMON, "dashboard", "--port", str(free_port())]
    proc, hung = _run_bounded(command, env, 8, None)
    assert hung, proc.stderr
    assert "most recent call first" in proc.stderr
    assert "uvicorn" in proc.stderr or "serve" in proc.stderr


def test_only_a_fork_that_left_a_crash_file_is_a_frida_fork_crash(tmp_path):
    said = "[lab] a process the app forked (pid 4242) was never seen running a program: its exec failed, …\n"
    session = tmp_path / "sessions" / "20261207-000000-abcd"
    session.mkdir(parents=True)
    assert not _fork_crashed_under_frida(tmp_path, _proc(0, "", said))  # its exec failed: a real outcome
    (session / "hs_err_pid4242.log").write_text("# SIGSEGV")
    assert _fork_crashed_under_frida(tmp_path, _proc(0, "", said))
    assert not _fork_crashed_under_frida(tmp_path, _proc(0, "", said.replace("4242", "4243")))
