"""`privmon mark` and `privmon dashboard` as a user runs them."""

import json
import subprocess
import time

import httpx

from monitor import events as ev
from monitor.storage.writer import EventWriter
from tests.conftest import PRIVMON, REPO, free_port, run_cli

IMEI_READ = ev.HookEvent(
    "s1",
    1,
    1,
    5_000_000,
    5_000_000,
    "android.telephony.TelephonyManager.getImei",
    "device_id",
    "imei",
    [],
    "864273052471596",
    ["com.example.app.Main.run(Main.java:3)"],
    "main",
)


def _store_session(settings):
    with EventWriter(settings.db_path) as w:
        w.submit(ev.SessionStarted("s1", "com.example.app", "lab", 1_000_000))
        w.submit(IMEI_READ)
        w.submit(ev.SessionEnded("s1", 9_000_000, ev.SESSION_COMPLETED))
        w.flush()


def test_manual_consent_mark_is_recorded_and_reanalysed(settings):
    _store_session(settings)
    home = settings.home
    assert run_cli(home, "analyze", "s1").returncode == 0
    rules = lambda: {f["rule_id"] for f in json.loads(run_cli(home, "findings", "s1", "--json").stdout)}  # noqa: E731
    assert rules() == {"PRECONSENT_COLLECTION", "NO_NOTICE_AT_FIRST_RUN"}
    # consent marked before the read: the read is no longer pre-consent, and a notice was shown
    proc = run_cli(
        home, "mark", "s1", "consent", "--at", "1970-01-01T00:00:04.000Z", "--note", "tapped on screen"
    )
    assert proc.returncode == 0, proc.stderr
    assert rules() == set()
    bad = run_cli(home, "mark", "s1", "maybe")
    assert bad.returncode == 2 and "consent" in bad.stderr
    bad_time = run_cli(home, "mark", "s1", "consent", "--at", "yesterday")
    assert bad_time.returncode == 2 and "ISO 8601" in bad_time.stderr


def test_dashboard_command_binds_loopback_and_requires_its_token(settings):
    _store_session(settings)
    port = free_port()
    env = {"PRIVMON_HOME": str(settings.home), "PATH": "/usr/bin:/bin"}
    proc = subprocess.Popen(
        [*PRIVMON, "dashboard", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/?token=" in line
        token = line.strip().rsplit("token=", 1)[1]
        deadline = time.monotonic() + 20
        while True:
            try:
                r = httpx.get(
                    f"http://127.0.0.1:{port}/api/sessions", headers={"Authorization": f"Bearer {token}"}
                )
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert r.status_code == 200 and r.json()[0]["id"] == "s1"
        assert httpx.get(f"http://127.0.0.1:{port}/api/sessions").status_code == 401
        assert (
            httpx.get(f"http://127.0.0.1:{port}/sessions/s1?token={token}", follow_redirects=True).status_code
            == 200
        )
        assert _listening_addresses(port) == {"0100007F"}  # 127.0.0.1 only
    finally:
        proc.terminate()
        proc.wait(10)


def _listening_addresses(port: int) -> set[str]:
    """Local IPv4 addresses (hex, as in /proc/net/tcp) listening on port."""
    found = set()
    for line in open("/proc/net/tcp").read().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        addr, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:
            found.add(addr)
    return found
