import pytest
from fastapi.testclient import TestClient

from dashboard.app import create_app
from monitor import events as ev
from monitor.analysis.persist import analyze_and_store

TOKEN = "test-token-123"
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'


@pytest.fixture
def client(settings, writer):
    writer.submit(ev.SessionStarted("s1", "com.example" + HOSTILE, "lab", 1_000_000))
    writer.submit(ev.HookEvent("s1", 1, 1, 2_000_000, 2_000_000, "android.telephony.TelephonyManager.getImei",
                               "device_id", "imei", [], "864273052471596",
                               ["com.umeng.x.Y.z(Y.java:1)"], "main"))
    url = "https://evil.example/" + HOSTILE
    writer.submit(ev.FlowRecord("f1", "s1", 3_000_000, 3_100_000, "POST", "https", "evil.example", 443, url, "HTTP/1.1",
                                [["X-Evil", HOSTILE]], b"imei=864273052471596&x=" + HOSTILE.encode(), 60, False, 200))
    writer.submit(ev.SessionEnded("s1", 4_000_000, ev.SESSION_COMPLETED))
    writer.flush()
    analyze_and_store(settings, "s1", writer)
    return TestClient(create_app(settings.db_path, TOKEN))


def test_every_route_refuses_without_the_token(client):
    for path in ("/sessions", "/sessions/s1", "/api/sessions", "/api/sessions/s1", "/api/openapi.json"):
        assert client.get(path).status_code == 401, path
        assert client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401, path


def test_token_in_url_becomes_a_cookie(client):
    r = client.get("/sessions?token=" + TOKEN, follow_redirects=False)
    assert r.status_code == 303 and "token" not in r.headers["location"]
    assert client.get("/sessions").status_code == 200  # cookie kept by the client


def test_json_twins(client):
    auth = {"Authorization": "Bearer " + TOKEN}
    sessions = client.get("/api/sessions", headers=auth).json()
    assert sessions[0]["id"] == "s1" and sessions[0]["findings"] >= 2
    detail = client.get("/api/sessions/s1", headers=auth).json()
    assert {f["rule_id"] for f in detail["findings"]} == {
        "PRECONSENT_COLLECTION", "PRECONSENT_TRANSMISSION", "SDK_PRECONSENT", "NO_NOTICE_AT_FIRST_RUN"}
    assert detail["timeline"]["marks"]
    assert client.get("/api/sessions/nope", headers=auth).status_code == 404


def test_hostile_content_renders_inert(client):
    auth = {"Authorization": "Bearer " + TOKEN}
    for path in ("/sessions", "/sessions/s1"):
        r = client.get(path, headers=auth)
        assert r.status_code == 200
        assert "<script>alert" not in r.text and 'onerror="alert' not in r.text
        assert "&lt;script&gt;" in r.text
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert r.headers["x-content-type-options"] == "nosniff"


def test_static_assets_are_local(client):
    auth = {"Authorization": "Bearer " + TOKEN}
    page = client.get("/sessions/s1", headers=auth).text
    assert "http://" not in page.split("<main>")[0] and "https://" not in page.split("<main>")[0]
    assert client.get("/static/style.css", headers=auth).status_code == 200
