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
    writer.submit(
        ev.HookEvent(
            "s1",
            1,
            1,
            2_000_000,
            2_000_000,
            "android.telephony.TelephonyManager.getImei",
            "device_id",
            "imei",
            [],
            "864273052471596",
            ["com.umeng.x.Y.z(Y.java:1)"],
            "main",
        )
    )
    url = "https://evil.example/" + HOSTILE
    writer.submit(
        ev.FlowRecord(
            "f1",
            "s1",
            3_000_000,
            3_100_000,
            "POST",
            "https",
            "evil.example",
            443,
            url,
            "HTTP/1.1",
            [["X-Evil", HOSTILE]],
            b"imei=864273052471596&x=" + HOSTILE.encode(),
            60,
            False,
            200,
        )
    )
    writer.submit(ev.SessionEnded("s1", 4_000_000, ev.SESSION_COMPLETED))
    writer.flush()
    analyze_and_store(settings, "s1", writer)
    return TestClient(create_app(settings.db_path, TOKEN), base_url="http://127.0.0.1")


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
    assert [b["name"] for b in detail["timeline"]["phase_bands"]] == [
        "before-notice"
    ]  # no notice, no consent
    assert [b["name"] for b in detail["timeline"]["state_bands"]] == ["foreground"]
    assert {f["rule_id"] for f in detail["findings"]} == {
        "PRECONSENT_COLLECTION",
        "PRECONSENT_TRANSMISSION",
        "SDK_PRECONSENT",
        "NO_NOTICE_AT_FIRST_RUN",
    }
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


def _fingerprint(client, rule="PRECONSENT_TRANSMISSION"):
    detail = client.get("/api/sessions/s1", headers={"Authorization": "Bearer " + TOKEN}).json()
    return next(f["fingerprint"] for f in detail["findings"] if f["rule_id"] == rule)


def test_finding_page_shows_the_evidence_inert(client):
    fp = _fingerprint(client)
    page = client.get(f"/sessions/s1/findings/{fp}?token=" + TOKEN).text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "body › form:imei › plain" in page  # the matched bytes' decoding path
    assert "在用户同意" in page or "用户同意前" in page  # the Chinese explanation
    twin = client.get(f"/api/sessions/s1/findings/{fp}", headers={"Authorization": "Bearer " + TOKEN}).json()
    assert twin["flows"][0]["matches"][0]["location"] == "body › form:imei › plain"
    assert (
        client.get("/api/sessions/s1/findings/nope", headers={"Authorization": "Bearer " + TOKEN}).status_code
        == 404
    )


def test_review_needs_csrf_and_keeps_history(client):
    from dashboard.security import csrf_token

    fp = _fingerprint(client, "PRECONSENT_COLLECTION")
    client.get("/sessions?token=" + TOKEN)  # the cookie session a browser has
    url = f"/sessions/s1/findings/{fp}/review"
    forged = client.post(url, data={"decision": "dismiss", "reviewer": "mallory"}, follow_redirects=False)
    assert forged.status_code == 403
    ok = client.post(
        url,
        data={
            "decision": "dismiss",
            "reviewer": "han.meimei",
            "note": "<b>test</b>",
            "csrf": csrf_token(TOKEN),
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    api = client.post(
        f"/api/sessions/s1/findings/{fp}/review",
        json={"decision": "confirm", "reviewer": "li.lei"},
        headers={"Authorization": "Bearer " + TOKEN},
    )
    assert api.status_code == 200 and api.json()["state"] == "confirm"
    assert [h["decision"] for h in api.json()["history"]] == ["dismiss", "confirm"]
    page = client.get(f"/sessions/s1/findings/{fp}").text
    assert "&lt;b&gt;test&lt;/b&gt;" in page and "han.meimei" in page
    bad = client.post(
        f"/api/sessions/s1/findings/{fp}/review",
        json={"decision": "approve", "reviewer": "x"},
        headers={"Authorization": "Bearer " + TOKEN},
    )
    assert bad.status_code == 422


def test_browsers_filter_and_paginate(settings, writer, client):
    writer.submit(ev.SessionStarted("big", "com.example.big", "lab", 500_000, meta={"scenario": "refuse"}))
    writer.submit_many(
        [
            ev.HookEvent(
                "big",
                i,
                1,
                2_000_000 + i,
                2_000_000 + i,
                "android.location.LocationManager.getLastKnownLocation"
                if i % 2
                else "android.telephony.TelephonyManager.getImei",
                "location" if i % 2 else "device_id",
                "precise_location" if i % 2 else "imei",
                [],
                None,
                [],
                "main",
            )
            for i in range(2500)
        ]
    )
    writer.flush()
    auth = {"Authorization": "Bearer " + TOKEN}
    page = client.get("/api/sessions/big/events?category=location&page=3&size=100", headers=auth).json()
    assert page["total"] == 1250 and page["pages"] == 13 and len(page["events"]) == 100
    assert all(e["pi_category"] == "location" for e in page["events"])
    assert page["events"][0]["id"] < page["events"][-1]["id"]
    html = client.get("/sessions/big/events?category=location&page=2&token=" + TOKEN).text
    assert "Page 2 of 13" in html and "category=location" in html
    assert client.get("/api/sessions/big/events?api=getImei", headers=auth).json()["total"] == 1250
    flows = client.get("/api/sessions/s1/flows?host=evil.example", headers=auth).json()
    assert flows["total"] == 1
    detail = client.get("/sessions/s1/flows/f1").text
    assert "<script>alert(1)</script>" not in detail and "form:imei" in detail
    assert client.get("/api/sessions/s1/flows/nope", headers=auth).status_code == 404
    listed = client.get("/api/sessions?scenario=refuse", headers=auth).json()
    assert [s["id"] for s in listed] == ["big"]
    assert client.get("/api/sessions?sort=-started", headers=auth).json()[0]["id"] == "big"  # oldest first
    assert client.get("/api/sessions?sort=findings", headers=auth).json()[0]["id"] == "s1"  # most findings


def test_session_page_of_a_large_session_samples_its_timeline(settings, writer, client):
    writer.submit(ev.SessionStarted("huge", "com.example.huge", "lab", 1_000_000))
    writer.submit_many(
        [
            ev.HookEvent(
                "huge",
                i,
                1,
                2_000_000 + i * 1000,
                2_000_000 + i * 1000,
                "android.telephony.TelephonyManager.getImei",
                "device_id",
                "imei",
                [],
                None,
                [f"com.example.huge.C{i % 7}.m(C.java:1)"],
                "main",
            )
            for i in range(20_000)
        ]
    )
    writer.flush()
    data = client.get("/api/sessions/huge", headers={"Authorization": "Bearer " + TOKEN}).json()
    marks = data["timeline"]["marks"]
    # about 2,000 of the 20,000 events sampled; those on one pixel of the lane drawn as one mark
    assert 1000 < sum(m["count"] for m in marks) <= 2000 and "evenly sampled" in data["timeline"]["note"]
    assert len({int(m["x"]) for m in marks}) == len(marks) < 1000
    assert any("more here" in m["label"] for m in marks)
    assert data["counts"]["hook_events"] == 20_000
    assert "evenly sampled" in client.get("/sessions/huge?token=" + TOKEN).text


def test_timeline_zooms_and_its_marks_open_their_records(client):
    auth = {"Authorization": "Bearer " + TOKEN}
    whole = client.get("/api/sessions/s1", headers=auth).json()["timeline"]
    assert {m["kind"] for m in whole["marks"]} == {"hook", "flow"}
    zoomed = client.get("/api/sessions/s1?from_us=1500000&to_us=2500000", headers=auth).json()["timeline"]
    assert zoomed["zoomed"] and [m["kind"] for m in zoomed["marks"]] == ["hook"]  # the flow at 3 s is outside
    page = client.get("/sessions/s1?token=" + TOKEN).text
    event_id = next(m["id"] for m in whole["marks"] if m["kind"] == "hook")
    assert f'href="/sessions/s1/events/{event_id}"' in page and 'href="/sessions/s1/flows/f1"' in page
    event = client.get(f"/sessions/s1/events/{event_id}").text
    assert "TelephonyManager.getImei" in event and "com.umeng.x.Y.z" in event
    assert client.get("/api/sessions/s1/events/999999", headers=auth).status_code == 404


def test_event_browser_filters_by_sdk_phase_and_state(settings, writer, client):
    writer.submit(ev.SessionStarted("ph", "com.example.ph", "lab", 1_000_000))
    umeng = [
        "android.telephony.TelephonyManager.getImei(Native Method)",
        "com.umeng.commonsdk.UMConfigure.init(U.java:1)",
    ]
    own = [
        "android.telephony.TelephonyManager.getImei(Native Method)",
        "com.example.ph.Main.run(Main.java:1)",
    ]
    for i, (ts, stack) in enumerate(
        [(2_000_000, umeng), (3_000_000, own), (6_000_000, umeng), (8_000_000, own)]
    ):
        writer.submit(
            ev.HookEvent(
                "ph",
                i,
                1,
                ts,
                ts,
                "android.telephony.TelephonyManager.getImei",
                "device_id",
                "imei",
                [],
                None,
                stack,
                "main",
            )
        )
    writer.submit(ev.ConsentEvent("ph", 5_000_000, "consent", "click", "同意"))
    writer.submit(
        ev.HookEvent(
            "ph",
            9,
            1,
            7_000_000,
            7_000_000,
            "android.app.Activity.onPause",
            None,
            None,
            [],
            None,
            [],
            "main",
            "android.app.Activity.onPause",
            "lifecycle",
        )
    )
    writer.flush()
    auth = {"Authorization": "Bearer " + TOKEN}
    assert (
        client.get("/api/sessions/ph/events?sdk=Umeng", headers=auth).json()["events"] == []
    )  # not analysed yet
    analyze_and_store(settings, "ph", writer)

    def ts_of(query):
        page = client.get(f"/api/sessions/ph/events?{query}", headers=auth).json()
        return [e["ts"][17:23] for e in page["events"] if e["pi_type"]]

    assert ts_of("sdk=Umeng") == ["02.000", "06.000"]
    assert ts_of("sdk=app") == ["03.000", "08.000"]
    assert ts_of("phase=consented") == ["06.000", "08.000"]
    assert ts_of("phase=notice-shown") == []  # the consent click came without a notice: no such phase
    assert ts_of("phase=before-notice&sdk=Umeng") == ["02.000"]
    assert ts_of("state=background") == ["08.000"]
    assert ts_of("phase=consented&state=foreground") == ["06.000"]
    event = client.get("/api/sessions/ph/events?sdk=Umeng", headers=auth).json()["events"][0]
    assert (event["sdk"], event["consent_phase"], event["app_state"]) == (
        "Umeng",
        "before-notice",
        "foreground",
    )


def test_requests_on_another_host_name_get_nothing(settings, client):
    # a page on a name that resolves to 127.0.0.1 (DNS rebinding) must not reach the dashboard
    auth = {"Authorization": "Bearer " + TOKEN}
    rebound = TestClient(create_app(settings.db_path, TOKEN), base_url="http://evil.example:8765")
    assert rebound.get("/api/sessions", headers=auth).status_code == 421
    assert client.get("/api/sessions", headers={**auth, "Host": "localhost:8765"}).status_code == 200
    public = TestClient(
        create_app(settings.db_path, TOKEN, public_hosts=("10.0.0.5",)), base_url="http://10.0.0.5:8765"
    )
    assert public.get("/api/sessions", headers=auth).status_code == 200


def test_another_authorization_scheme_does_not_skip_the_csrf_check(client):
    fp = _fingerprint(client, "PRECONSENT_COLLECTION")
    client.get("/sessions?token=" + TOKEN)  # the browser's cookie
    forged = client.post(
        f"/api/sessions/s1/findings/{fp}/review",
        json={"decision": "dismiss", "reviewer": "mallory"},
        headers={"Authorization": "Basic bWFsbG9yeTp4"},
    )
    assert forged.status_code == 403


def test_request_bodies_are_capped_json_and_forms_alike(client):
    fp = _fingerprint(client, "PRECONSENT_COLLECTION")
    auth = {"Authorization": "Bearer " + TOKEN}
    huge = {"decision": "confirm", "reviewer": "li.lei", "note": "x" * 200_000}
    assert client.post(f"/api/sessions/s1/findings/{fp}/review", json=huge, headers=auth).status_code == 413
    form = {"decision": "confirm", "reviewer": "li.lei", "note": "x" * 200_000}
    assert client.post(f"/sessions/s1/findings/{fp}/review", data=form, headers=auth).status_code == 413


def test_numbers_out_of_range_in_urls_are_bad_requests(client):
    auth = {"Authorization": "Bearer " + TOKEN}
    big = "9" * 30
    assert client.get(f"/api/sessions/s1/events/{big}", headers=auth).status_code == 400
    assert client.get(f"/sessions/s1/events/{big}", headers=auth).status_code == 400
    for path in (f"/api/sessions/s1?from_us={big}", f"/api/sessions/s1/events?page={big}&size={big}"):
        assert client.get(path, headers=auth).status_code in (200, 400), path  # never a server error
