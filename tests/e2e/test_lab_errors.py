"""Bad input ends with one line and a non-zero exit, never a traceback; what was captured stays."""

import json
import subprocess
import textwrap

import pytest

from monitor.exitcodes import ExitCode
from tests.conftest import run_cli

CRASHING_APP = """
package com.example.crashy;

import android.content.Context;
import android.telephony.TelephonyManager;

public class Main {
    public static void main(String[] args) {
        Context context = new Context("com.example.crashy");
        TelephonyManager tm = (TelephonyManager) context.getSystemService(Context.TELEPHONY_SERVICE);
        System.out.println("imei " + tm.getImei());
        throw new IllegalStateException("boom after reading the IMEI");
    }
}
"""


def _compile(home, tmp_path, source: str, rel: str):
    standins = run_cli(home, "lab", "classpath")
    assert standins.returncode == 0, standins.stderr
    src = tmp_path / "src" / rel
    src.parent.mkdir(parents=True)
    src.write_text(textwrap.dedent(source))
    out = tmp_path / "classes"
    subprocess.run(["javac", "-cp", standins.stdout.strip(), "-d", str(out), str(src)], check=True)
    return out


def _assert_one_line_error(proc, code):
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("privmon: error:")


def test_crashing_lab_app_keeps_its_events_and_marks_the_session_interrupted(tmp_path):
    home = tmp_path / "home"
    classes = _compile(home, tmp_path, CRASHING_APP, "com/example/crashy/Main.java")
    proc = run_cli(
        home, "lab", "run", "--no-keys", "--classpath", str(classes), "--main", "com.example.crashy.Main"
    )
    _assert_one_line_error(proc, ExitCode.RUN_FAILED)
    assert "crashed" in proc.stderr and "boom after reading the IMEI" in proc.stderr

    sessions = json.loads(run_cli(home, "sessions", "--json").stdout)
    assert len(sessions) == 1
    assert sessions[0]["status"] == "interrupted"
    assert sessions[0]["app"] == "com.example.crashy"
    findings = json.loads(run_cli(home, "findings", sessions[0]["id"], "--json").stdout)
    imei = [f for f in findings if f["pi_type"] == "imei" and f["rule_id"] == "PRECONSENT_COLLECTION"]
    assert imei and imei[0]["evidence"]["consent_source"] is None  # no consent in this run
    assert imei[0]["evidence"]["attribution"]["party"] == "app"


def test_unknown_session_is_one_line(tmp_path):
    proc = run_cli(tmp_path / "home", "findings", "no-such-session")
    _assert_one_line_error(proc, ExitCode.NOT_FOUND)
    assert "no-such-session" in proc.stderr


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04broken"])
def test_broken_bundle_is_one_line(tmp_path, content):
    bundle = tmp_path / "broken.zip"
    bundle.write_bytes(content)
    proc = run_cli(tmp_path / "home", "verify", str(bundle))
    _assert_one_line_error(proc, ExitCode.BAD_BUNDLE)


def test_missing_bundle_is_one_line(tmp_path):
    proc = run_cli(tmp_path / "home", "verify", str(tmp_path / "nope.zip"))
    _assert_one_line_error(proc, ExitCode.BAD_BUNDLE)


def test_lab_run_argument_errors(tmp_path):
    home = tmp_path / "home"
    _assert_one_line_error(run_cli(home, "lab", "run", "--classpath", str(tmp_path)), ExitCode.USAGE)
    _assert_one_line_error(
        run_cli(home, "lab", "run", "--classpath", "/nonexistent", "--main", "a.B"), ExitCode.USAGE
    )
    _assert_one_line_error(run_cli(home, "lab", "run", "--app", "nope"), ExitCode.RUN_FAILED)
    _assert_one_line_error(run_cli(home, "lab", "run", "--profile", "nope"), ExitCode.USAGE)


def test_main_class_that_does_not_exist_ends_the_session_interrupted(tmp_path):
    home = tmp_path / "home"
    proc = run_cli(
        home, "lab", "run", "--no-keys", "--classpath", str(tmp_path), "--main", "com.example.Missing"
    )
    _assert_one_line_error(proc, ExitCode.RUN_FAILED)
    assert "ready line" in proc.stderr
    sessions = json.loads(run_cli(home, "sessions", "--json").stdout)
    assert sessions[0]["status"] == "interrupted"
