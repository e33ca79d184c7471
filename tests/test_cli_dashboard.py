"""`privmon dashboard` serves loopback only unless told --public: captured PI is never put on the
network by a typo."""

from monitor.exitcodes import ExitCode
from tests.conftest import run_cli


def test_a_non_loopback_host_needs_public(tmp_path):
    for host in ("0.0.0.0", "192.0.2.10", "::"):
        proc = run_cli(tmp_path, "dashboard", "--host", host, timeout=60)
        assert proc.returncode == ExitCode.USAGE, (host, proc.stderr)
        assert "--public" in proc.stderr and "privmon dashboard: http" not in proc.stdout


def test_a_host_that_is_not_an_address_is_refused(tmp_path):
    proc = run_cli(tmp_path, "dashboard", "--host", "example.com", timeout=60)
    assert proc.returncode == ExitCode.USAGE and "IP address or localhost" in proc.stderr
