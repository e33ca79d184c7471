"""The report that ends a test (report.html and report.pdf from one template), on the demo lab run:
cover, verdict, test items in the order of the regulation texts, per-SDK summary, consent
timeline, each finding's evidence inline, Beijing time beside UTC; an A4 PDF with page numbers
whose length follows the findings; opened in a real browser with nothing blocked."""

import json
import re
import shutil
import subprocess
import zipfile
from datetime import datetime, timedelta

import pytest

from tests.conftest import REPO, run_cli

ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="module")
def bundle(lab_demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "bundle.zip"
    proc = run_cli(lab_demo["home"], "export", lab_demo["result"]["session"], "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(out) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    return {"files": files, "html": files["report.html"].decode(), "dir": out.parent}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_cover_verdict_and_beijing_time(bundle):
    html, text = bundle["html"], _text(bundle["html"])
    manifest = json.loads(bundle["files"]["manifest.json"])
    assert "个人信息收集使用检测报告" in text and "LAB 实验室会话" in text
    started = datetime.strptime(manifest["started_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    beijing = (started + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")
    assert f"{beijing}" in text and "北京时间" in text  # UTC+8, with UTC beside
    assert started.strftime("%Y-%m-%d %H:%M:%S") in text
    assert re.search(r'class="verdict v-fail">不通过', html)  # the demo app collects before consent
    assert "\\u" not in html  # captured Chinese is printed as characters


def test_test_items_follow_the_regulation_texts_with_pass_fail_and_not_tested(bundle):
    html = bundle["html"]
    table = html.split('id="items"')[1].split('id="sdks"')[0]
    documents = re.findall(r'<tr class="doc"><th colspan="4">([^<]+)<br>', table)
    assert documents[0].startswith("《移动互联网应用程序个人信息保护管理暂行规定") and len(documents) == 5
    rows = re.findall(r"<tr><td>(第[^<]+)<br>.*?class=\"s-(\w+)\"", table, re.S)
    results = dict(rows)
    assert results["第六条第（三）项"] == "fail"  # collection before consent
    articles = [a for a, _ in rows if a.startswith("第") and "条" in a][:6]
    assert articles[:3] == ["第六条第（一）项", "第六条第（三）项", "第六条第（四）项"]  # in article order
    # the agree scenario never refused: what only a refusal can show is "not tested", with why
    assert "neither refused nor withdrew consent" in table and "s-untested" in table


def test_per_sdk_summary_and_timeline(bundle):
    html = bundle["html"]
    sdks = html.split('id="sdks"')[1].split('id="timeline"')[0]
    assert "友盟+" in sdks and "Alibaba" in sdks and "ulogs.umeng.com" in sdks and "imei" in sdks
    timeline = html.split('id="timeline"')[1].split('id="findings"')[0]
    assert "<svg" in timeline and timeline.count("<rect") >= 2  # phases as bands
    assert "同意 consent" in timeline and " s</text>" in timeline  # a legend and a time axis


def test_each_finding_shows_its_evidence_inline(bundle):
    findings = json.loads(bundle["files"]["findings.json"])
    sections = bundle["html"].split('<section class="f ')[1:]
    assert len(sections) == len(findings)
    imei = next(s for s in sections if "TelephonyManager.getDeviceId" in s and "PRECONSENT_COLLECTION" in s)
    assert re.search(r'<li class="decide">com\.umeng\.', imei)  # the frame that decided the SDK
    assert "POST https://ulogs.umeng.com/unify_logs" in imei  # the request line
    assert "body › json:$.imei_md5 › md5(hex)" in imei  # the matched bytes' decoding path
    assert "同意事件 Consent event" in imei and "整改建议" in imei
    assert "第六条第（三）项" in imei  # the clause by name


def test_report_pdf_is_a4_numbered_and_proportionate(bundle, tmp_path):
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(bundle["files"]["report.pdf"])
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    findings = json.loads(bundle["files"]["findings.json"])
    assert pages <= 6 + len(findings)  # front matter, then about a page a finding at most
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert f"第 1 页 / 共 {pages} 页" in text and f"page {pages} of {pages}" in text
    for n, page in enumerate(text.split("\f")[:pages], start=1):  # no page holds only its footer
        body = [line for line in page.splitlines() if "页 / 共" not in line and "privmon ·" not in line]
        assert "".join(body).strip(), f"page {n} is empty"


def test_the_report_opens_in_a_browser_with_nothing_blocked(bundle):
    from playwright.sync_api import sync_playwright

    path = bundle["dir"] / "report.html"
    path.write_bytes(bundle["files"]["report.html"])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page()
        problems = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(path.as_uri())
        assert page.locator(".verdict").is_visible()
        assert page.locator("tr.doc").count() == 5  # the test items under their five documents
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        browser.close()
    assert problems == []


def test_a_finding_a_reviewer_dismissed_fails_no_item_and_an_item_no_run_could_judge_is_not_tested():
    from monitor.analysis.citations import Clause
    from monitor.evidence.report import checked_items, verdict

    clause, other = Clause("APP", "6(3)").stored(), Clause("APP", "7(2)").stored()

    def rule(rule_id, cited, tested):
        return {"rule_id": rule_id, "summary": rule_id, "summary_zh": rule_id, "clauses": [cited]} | {
            "tested": tested,
            "reason": None if tested else "no refusal",
            "reason_zh": None if tested else "未拒绝",
        }

    rules = [rule("PRECONSENT_COLLECTION", clause, True), rule("POST_REFUSAL", other, False)]
    dismissed = {"rule_id": "PRECONSENT_COLLECTION", "severity": "high", "clauses": [clause]}
    items = checked_items(rules, [dismissed | {"review": {"state": "dismiss"}}])
    assert [i["status"] for i in items] == ["pass", "untested"]
    assert verdict(items, [dismissed | {"review": {"state": "dismiss"}}])["zh"] == "通过（部分项目未检测）"
    items = checked_items(rules, [dismissed | {"review": {"state": "confirm"}}])
    assert [i["status"] for i in items] == ["fail", "untested"] and items[0]["findings"] == [1]
