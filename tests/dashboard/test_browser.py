"""The reviewer's path in a real browser (Playwright driving Debian's Chromium) against the real
`privmon dashboard` on the demo lab session plus a session of hostile captured content."""

import shutil
import subprocess
import time

import httpx
import pytest

from monitor import events as ev
from monitor.config import Settings
from monitor.storage.writer import EventWriter
from tests.conftest import PRIVMON, REPO, free_port

HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'


@pytest.fixture(scope="module")
def dashboard(lab_demo):
    home = lab_demo["home"]
    with EventWriter(Settings.load(home).db_path) as writer:
        writer.submit(ev.SessionStarted("hostile", "com.evil" + HOSTILE, "lab", 1_000_000))
        writer.submit(
            ev.FlowRecord(
                "hf1",
                "hostile",
                2_000_000,
                2_100_000,
                "POST",
                "https",
                "evil.example",
                443,
                "https://evil.example/" + HOSTILE,
                "HTTP/1.1",
                [["X-Evil", HOSTILE]],
                HOSTILE.encode(),
                len(HOSTILE),
                False,
                200,
            )
        )
        writer.submit(ev.SessionEnded("hostile", 3_000_000, ev.SESSION_COMPLETED))
        writer.flush()
    port, token = free_port(), "browser-test-token"
    proc = subprocess.Popen(
        [*PRIVMON, "dashboard", "--port", str(port), "--token", token],
        cwd=REPO,
        env={"PRIVMON_HOME": str(home), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/sessions", headers={"Authorization": f"Bearer {token}"})
            break
        except httpx.ConnectError:
            assert time.monotonic() < deadline, "the dashboard did not start"
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}", token, lab_demo["result"]["session"]
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is missing: run `make setup`"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield b
        b.close()


def _page(browser):
    page = browser.new_page()
    problems = []
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on(
        "console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    return page, problems


ARTIFACTS = REPO / "test-artifacts"


def test_reviewer_opens_a_finding_confirms_it_and_exports_the_bundle(dashboard, browser, tmp_path):
    base, token, session = dashboard
    page, problems = _page(browser)
    page.goto(f"{base}/sessions?token={token}")
    assert "token=" not in page.url  # moved into a cookie
    page.click(f"text={session}")
    assert page.locator("h2", has_text="Findings").count() == 1
    page.locator("article.finding h3 a").first.click()
    assert "/findings/" in page.url
    assert page.locator("ol.stack li.deciding").count() >= 1  # the attributing frame is marked
    page.fill("input[name=reviewer]", "han.meimei")
    page.fill("input[name=note]", "seen on the device too")
    page.click("button[value=confirm]")
    page.wait_for_load_state()
    assert page.locator("h2", has_text="Review: confirm").count() == 1
    assert page.locator("td", has_text="han.meimei").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-finding.png"), full_page=True)
    page.click("text=←")
    with page.expect_download() as download:
        page.click("a.export")
    bundle = tmp_path / "bundle.zip"
    download.value.save_as(bundle)
    from monitor.evidence.bundle import verify_bundle

    report = verify_bundle(bundle)
    assert report.ok, report.problems
    import json
    import zipfile

    with zipfile.ZipFile(bundle) as zf:
        exported = json.loads(zf.read("findings.json"))
    assert any(
        f["review"]["state"] == "confirm" and f["review"]["reviewer"] == "han.meimei" for f in exported
    )
    assert problems == []


def test_hostile_content_renders_inert(dashboard, browser):
    base, token, _ = dashboard
    page, problems = _page(browser)
    for path in ("/sessions", "/sessions/hostile", "/sessions/hostile/flows", "/sessions/hostile/flows/hf1"):
        page.goto(f"{base}{path}?token={token}")
        page.wait_for_load_state()
        assert page.locator("img[src=x]").count() == 0, path
        assert "<script>alert(1)</script>" in page.inner_text("body"), path  # shown as text
    assert problems == []


def test_reviewer_reads_events_timeline_filters_and_api_docs(dashboard, browser):
    base, token, session = dashboard
    page, problems = _page(browser)
    page.goto(f"{base}/sessions/{session}?token={token}")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-session.png"), full_page=True)
    # the timeline: a time axis, a legend for every mark, one lane per SDK; uploads in the sender's lane
    assert page.locator("svg.timeline text.tick").count() >= 3
    legend = page.inner_text("ul.legend")
    marks = ("notice shown", "consented", "background", "PI read", "request", "consent", "notice", "refusal")
    for word in marks:
        assert word in legend, word
    lanes = page.locator("svg.timeline text.lane").evaluate_all("els => els.map(e => e.textContent)")
    assert "Umeng" in lanes and "network" not in lanes
    umeng_y = page.locator("svg.timeline text.lane", has_text="Umeng").get_attribute("y")
    flow_ys = {
        float(y) + 4
        for y in page.locator("svg.timeline rect.flow").evaluate_all(
            "els => els.map(e => e.getAttribute('y'))"
        )
    }
    assert float(umeng_y) - 4 in flow_ys  # the Umeng upload sits in Umeng's lane (label 4 px below it)
    # findings filtered by rule, SDK, severity and review state
    total = page.locator("article.finding").count()
    page.select_option("select[name=rule]", "PRECONSENT_COLLECTION")
    page.click("form.filters button")
    page.wait_for_load_state()
    assert "rule=PRECONSENT_COLLECTION" in page.url
    shown = page.locator("article.finding")
    assert 0 < shown.count() < total
    assert all("PRECONSENT_COLLECTION" in t for t in shown.locator("p.muted").all_inner_texts())
    # the event browser shows values readably: Chinese as characters, one argument per line
    page.goto(f"{base}/sessions/{session}/events")
    body = page.inner_text("body")
    assert "\\u" not in body and "隐私政策" in body
    assert page.locator("table.events ol.values li").count() >= 2
    page.screenshot(path=str(ARTIFACTS / "dashboard-events.png"), full_page=False)
    # the OpenAPI docs from local files, under the page's CSP
    page.goto(f"{base}/api/docs")
    page.wait_for_selector(".opblock", timeout=20_000)
    assert page.locator(".opblock").count() >= 5
    assert [p for p in problems if "favicon" not in p and "404" not in p] == []


def test_the_dashboard_speaks_chinese_after_the_language_switch(dashboard, browser):
    base, token, session = dashboard
    page, problems = _page(browser)
    page.goto(f"{base}/sessions/{session}?token={token}")
    page.goto(f"{base}/sessions/{session}?review=open")
    page.click("header .lang >> text=中文")
    page.wait_for_load_state()
    assert "review=open" in page.url  # the page's own filters survive the switch
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    headings = page.locator("h2").all_inner_texts()
    for heading in ("设备与应用", "时间线", "同意事件"):
        assert heading in headings, headings
    assert any(h.startswith("发现的问题") for h in headings)
    assert "已展示隐私政策" in page.inner_text("ul.legend")
    lanes = page.locator("svg.timeline text.lane").evaluate_all("els => els.map(e => e.textContent)")
    assert "友盟+" in lanes and "Umeng" not in lanes  # the timeline's lanes name SDKs in Chinese too
    group = page.locator(".finding-group .group-title").first.inner_text()
    assert group.startswith("▸ 友盟+ SDK：")  # the group and its findings in Chinese
    assert "在用户同意" in page.locator("article.finding h3 a").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "dashboard-session-zh.png"), full_page=False)
    page.goto(f"{base}/sessions/{session}/events")  # the choice is kept
    assert page.locator("h1").inner_text().startswith("调用记录")
    page.click("header .lang >> text=English")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Hook events")
    assert problems == []
