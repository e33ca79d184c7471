"""What the app sent never makes an export or a page fail: hosts that are IDNs, contain spaces or
bytes mitmproxy refuses, odd status codes and methods. The bundle keeps the flow as it was stored."""

import json
import zipfile

import pytest
from fastapi.testclient import TestClient

from dashboard.app import create_app
from monitor import events as ev
from monitor.analysis.persist import analyze_and_store
from tests.conftest import run_cli

TOKEN = "tok-hostile"
HOSTS = ["例子.测试", "bad host.example", "x\x00y.example", "\u202egoogle.com", "a" * 300 + ".example", ""]


@pytest.fixture
def hostile(settings, writer):
    writer.submit(ev.SessionStarted("h1", "com.example.app", "import", 1_000_000))
    for i, host in enumerate(HOSTS):
        writer.submit(
            ev.FlowRecord(
                f"f{i}",
                "h1",
                2_000_000 + i,
                2_100_000 + i,
                ["POST", "GET", "BREW", "", "PO ST", "GET"][i],
                "http",
                host,
                [80, 0, 65535, 80, 8080, 99999][i],
                f"http://{host}/path?imei=864273052471596",
                "HTTP/1.1",
                [["X-Odd", "v\x01\x02"], ["", "empty name"]],
                b"imei=864273052471596",
                20,
                False,
                [200, 999, 0, -1, 600, None][i],
                [["Content-Type", "text/plain"]],
                b"ok",
                2,
            )
        )
    writer.submit(ev.SessionEnded("h1", 4_000_000, ev.SESSION_COMPLETED))
    writer.flush()
    analyze_and_store(settings, "h1", writer)
    return settings


def test_export_keeps_every_flow_and_verifies(hostile, tmp_path):
    out = tmp_path / "hostile.zip"
    proc = run_cli(hostile.home, "export", "h1", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(out) as zf:
        flows = json.loads(zf.read("flows.har"))["log"]["entries"]
        assert len(flows) == len(HOSTS)
        assert "flows.mitm" in zf.namelist()
        manifest = json.loads(zf.read("manifest.json"))
        assert isinstance(manifest["flows_mitm_left_out"], list)
    # what mitmproxy's format can hold reads back as sent (an IDN host stays an IDN)
    from addons.flowfile import read_flow_file

    with zipfile.ZipFile(out) as zf:
        (tmp_path / "flows.mitm").write_bytes(zf.read("flows.mitm"))
    back = {f.host for f in read_flow_file(tmp_path / "flows.mitm", "x")[0]}
    assert "例子.测试" in back
    assert run_cli(hostile.home, "verify", str(out)).returncode == 0


def test_every_page_of_the_session_renders(hostile):
    client = TestClient(create_app(hostile.db_path, TOKEN), base_url="http://127.0.0.1")
    auth = {"Authorization": "Bearer " + TOKEN}
    for path in ("/sessions/h1", "/api/sessions/h1", "/sessions/h1/flows", "/api/sessions/h1/flows"):
        assert client.get(path, headers=auth).status_code == 200, path
    for i in range(len(HOSTS)):
        for path in (f"/sessions/h1/flows/f{i}", f"/api/sessions/h1/flows/f{i}"):
            assert client.get(path, headers=auth).status_code == 200, path
