"""Only the app's traffic, and all of it: the bypass lab app's SDKs ignore the proxy (NO_PROXY,
a hand-written socket, QUIC then TCP, a line protocol) while another app's process sends the same
identifiers through the same proxy. The agent's connect() redirect must capture the first and
leave out the second."""

import json

import pytest

from monitor.config import Settings
from monitor.lab.build import load_lab_dns
from monitor.storage.queries import StoreReader
from tests.conftest import run_cli

EXPECTED = {  # (host, path) → capture path and the SDK that opened or sent it
    ("log.direct-sdk.cn", "/v1/log"): ("redirected", "Sensors Data"),
    ("log.direct-sdk.cn", "/v1/cfg"): ("redirected", "Sensors Data"),
    ("raw.sockdata.cn", "/collect"): ("redirected", "Baidu Mobile Statistics"),
    ("quic.fastlane-sdk.cn", "/sync"): ("redirected", "Pangle (CSJ)"),
    ("tcp.beacon-sdk.cn", "/"): ("raw", "Xiaomi Push"),
    # a child process on OpenSSL that pins its server: read at SSL_write, blamed on the code that forked it
    ("native.shield-sdk.cn", "/v1/report"): ("tls-plaintext", "Tencent Bugly"),
}


def _run(home, *extra):
    # the app ends in about 10 s: a run stuck at a HotSpot safepoint is given up (and redone) sooner
    proc = run_cli(home, "lab", "run", "--app", "bypass", "--json", "--no-keys", "--timeout", "45", *extra)
    assert proc.returncode == 0, proc.stderr
    session = json.loads(proc.stdout)["session"]
    flows = json.loads(run_cli(home, "flows", session, "--json").stdout)
    with StoreReader(Settings.load(home).db_path) as reader:
        return {
            "home": home,
            "session": session,
            "flows": flows,
            "records": reader.flows(session),
            "messages": reader.agent_messages(session),
            "findings": reader.findings(session),
            "net": [e for e in reader.signal_events(session, ("network",))],
            "stderr": proc.stderr,
        }


@pytest.fixture(scope="module")
def bypass(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("bypass") / "home")


def test_every_bypassing_request_is_a_flow_with_its_host_capture_path_and_sdk(bypass):
    got = {(f["host"], f["path"]): (f["capture_path"], f["sdk"]) for f in bypass["flows"]}
    assert got == EXPECTED


def test_the_other_process_on_the_proxy_is_not_part_of_the_session(bypass):
    bodies = b"".join(r["request_body"] for r in bypass["records"])
    assert b"neighbour" not in bodies
    left_out = [m["payload"] for m in bypass["messages"] if m["type"] == "capture:left-out"]
    assert len(left_out) == 1 and left_out[0]["flows"] >= 1  # it was sending at the same time
    assert set(left_out[0]["hosts"]) == {"log.direct-sdk.cn"}
    assert "came from other processes" in bypass["stderr"]


def test_udp_443_is_refused_once_recorded_and_the_tcp_fallback_captured(bypass):
    udp = [e for e in bypass["net"] if e["api"] == "net.udp"]
    assert [(e["args"][0]["host"], e["args"][0]["port"], e["ret"]["refused"]) for e in udp] == [
        ("quic.fastlane-sdk.cn", 443, True)
    ]
    stdout = [m["payload"] for m in bypass["messages"] if m["type"] == "app:stdout"]
    assert any("UDP 443 refused" in line for line in stdout)
    assert ("quic.fastlane-sdk.cn", "/sync") in {(f["host"], f["path"]) for f in bypass["flows"]}


def test_connections_record_who_opened_them(bypass):
    connects = [e for e in bypass["net"] if e["api"] == "net.connect"]
    dns = load_lab_dns()
    # a name where the process looked it up; the native child was handed an address
    assert {e["args"][0]["host"] or dns.host_of(e["args"][0]["ip"]) for e in connects} >= {
        h for h, _ in EXPECTED
    }
    assert all(e["args"][0]["ip"].startswith("127.") for e in connects)  # the lab never leaves loopback
    socket_connect = next(e for e in connects if e["args"][0]["host"] == "raw.sockdata.cn")
    assert any(
        frame.startswith("com.baidu.mobstat.lab.SocketReporter.report") for frame in socket_connect["stack"]
    )
    assert socket_connect["thread"] == "main"


def test_the_apps_child_process_is_followed_and_its_pinned_tls_read_in_plaintext(bypass):
    children = [m["payload"] for m in bypass["messages"] if m["type"] == "process:child"]
    assert len(children) == 1 and children[0]["origin"] == "exec"
    native = next(r for r in bypass["records"] if r["capture_path"] == "tls-plaintext")
    assert native["opener_pid"] == children[0]["pid"]
    assert native["request_body"].startswith(b"sn=") and native["status_code"] == 200
    stdout = [m["payload"] for m in bypass["messages"] if m["type"] == "app:stdout"]
    assert any("shield: HTTP/1.1 200" in line for line in stdout)  # its pin held: the proxy passed it through
    passed = [m["payload"] for m in bypass["messages"] if m["type"] == "net:tls-native"]
    assert [p["local_port"] for p in passed] == [native["client_port"]]


def test_a_fork_that_never_ran_a_program_is_recorded_and_said(bypass):
    """The native SDK first tries a helper for another ABI: its fork's exec fails, and privmon says
    so instead of letting it pass as a child it followed."""
    lost = [m["payload"] for m in bypass["messages"] if m["type"] == "process:child-lost"]
    app_pid = next(m["payload"]["pid"] for m in bypass["messages"] if m["type"] == "hooks:install")
    followed = {m["payload"]["pid"] for m in bypass["messages"] if m["type"] == "process:child"}
    assert [p["parent_pid"] for p in lost] == [app_pid] and not followed & {p["pid"] for p in lost}
    assert f"(pid {lost[0]['pid']}) was never seen running a program" in bypass["stderr"]
    stdout = [m["payload"] for m in bypass["messages"] if m["type"] == "app:stdout"]
    assert any("no helper for this ABI" in line for line in stdout)


def test_the_expected_findings_fire_for_each_bypassing_sdk(bypass):
    sent = {(f["rule_id"], f["sdk"], f["pi_type"]) for f in bypass["findings"]}
    for pi, sdk in [
        ("imei", "Sensors Data"),
        ("android_id", "Baidu Mobile Statistics"),
        ("mac_address", "Pangle (CSJ)"),
        ("imsi", "Xiaomi Push"),
        ("serial", "Tencent Bugly"),
    ]:
        assert ("PRECONSENT_TRANSMISSION", sdk, pi) in sent, (pi, sdk)


def test_without_the_redirect_the_bypassing_sdks_are_invisible_and_others_count(tmp_path):
    run = _run(tmp_path / "home", "--no-redirect")
    assert run["flows"], "the other process's flows are on the proxy"
    assert all(f["capture_path"] is None for f in run["flows"])
    assert {f["host"] for f in run["flows"]} == {"log.direct-sdk.cn"}  # only the neighbour's
    stdout = [m["payload"] for m in run["messages"] if m["type"] == "app:stdout"]
    assert sum("failed" in line for line in stdout) >= 3  # the SDKs' direct connections went nowhere


def test_the_evidence_bundle_says_how_each_flow_was_captured(bypass, tmp_path):
    import zipfile

    bundle = tmp_path / "bypass.zip"
    proc = run_cli(bypass["home"], "export", bypass["session"], "-o", str(bundle))
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(bundle) as z:
        har = json.loads(z.read("flows.har"))
        report = z.read("report.html").decode()
    # the report's limits say what the run could not capture: the fork that never ran a program
    lost = next(m["payload"]["pid"] for m in bypass["messages"] if m["type"] == "process:child-lost")
    assert "What this run could not capture" in report and f"(pid {lost}) was never seen" in report
    paths = {e["request"]["url"].split("?")[0]: e.get("_privmonCapturePath") for e in har["log"]["entries"]}
    assert paths["https://native.shield-sdk.cn/v1/report"] == "tls-plaintext"
    assert paths["tcp://tcp.beacon-sdk.cn:5222"] == "raw"
    assert paths["http://raw.sockdata.cn/collect"] == "redirected"
