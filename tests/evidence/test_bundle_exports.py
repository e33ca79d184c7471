"""The bundle's reviewer files (CSV, XLSX, report.html), --redact and --sign, on the demo lab run."""

import csv
import hashlib
import io
import json
import zipfile

import pytest

from monitor.evidence.tables import findings_csv
from tests.conftest import run_cli

IMEI = "864273052471596"
ANDROID_ID = "5f2c8e1b9a7d3c40"


def _files(bundle):
    with zipfile.ZipFile(bundle) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


@pytest.fixture(scope="module")
def plain_bundle(lab_demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "plain.zip"
    proc = run_cli(lab_demo["home"], "export", lab_demo["result"]["session"], "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    return _files(out)


def test_csv_and_xlsx_have_one_row_per_finding(lab_demo, plain_bundle):
    from openpyxl import load_workbook

    findings = json.loads(plain_bundle["findings.json"])
    assert plain_bundle["findings.csv"].startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(plain_bundle["findings.csv"].decode("utf-8-sig"))))
    assert rows[0][:3] == ["time (UTC)", "rule", "severity"] and len(rows) == len(findings) + 1
    assert {r[1] for r in rows[1:]} == {f["rule_id"] for f in findings}
    assert any("同意" in r[4] for r in rows[1:])  # the Chinese titles survive
    sheet = load_workbook(io.BytesIO(plain_bundle["findings.xlsx"]))["发现问题 findings"]
    assert sheet.max_row == len(findings) + 1 and sheet.cell(1, 3).value == "规则 rule"


def test_xlsx_has_a_sheet_per_view_as_testers_use_it(plain_bundle):
    from datetime import datetime, timedelta

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(plain_bundle["findings.xlsx"]))
    assert book.sheetnames == [
        "发现问题 findings",
        "SDK汇总 per SDK",
        "调用记录 hook events",
        "网络请求 flows",
        "会话信息 session",
    ]
    findings = json.loads(plain_bundle["findings.json"])
    events = plain_bundle["hook_events.jsonl"].decode().splitlines()
    flows = json.loads(plain_bundle["flows.har"])["log"]["entries"]
    for sheet, rows in zip(book.worksheets, (len(findings), None, len(events), len(flows), None)):
        assert sheet.freeze_panes == "A2", sheet.title  # the header stays in view
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        assert all(sheet.column_dimensions[c.column_letter].width >= 8 for c in sheet[1])
        if rows is not None:
            assert sheet.max_row == rows + 1, sheet.title
    table = book["发现问题 findings"]
    header = [c.value for c in table[1]]
    first = {h: c.value for h, c in zip(header, table[2])}
    # times are dates, Beijing time beside UTC; explanation and remediation in both languages
    assert isinstance(first["time (UTC)"], datetime)
    assert first["时间（北京时间）"] - first["time (UTC)"] == timedelta(hours=8)
    assert all(first[h] for h in ("说明", "explanation", "整改建议", "remediation", "条款", "clauses"))
    assert first["条款"].startswith("《") and "第" in first["条款"]
    sdks = {
        r[0].value: {h.value: c.value for h, c in zip(book["SDK汇总 per SDK"][1], r)}
        for r in book["SDK汇总 per SDK"].iter_rows(min_row=2)
    }
    umeng = sdks["Umeng"]
    assert umeng["SDK（中文）"] == "友盟+" and "imei" in umeng["读取 PI read"]
    assert (
        umeng["同意前读取 read before consent"].startswith("是")
        and "ulogs.umeng.com" in umeng["接收方 hosts"]
    )
    facts = {r[0].value: r[1].value for r in book["会话信息 session"].iter_rows(min_row=2)}
    assert facts["目标 target"].startswith("LAB") and facts["发现 findings"] == len(findings)


def test_spreadsheet_cells_never_become_formulas():
    hostile = {
        "ts": "t",
        "rule_id": "R",
        "severity": "high",
        "title": '=HYPERLINK("http://evil")',
        "title_zh": "+1",
        "pi_category": None,
        "pi_type": None,
        "sdk": "@SUM(A1)",
        "host": "-2",
        "encoding": None,
        "clauses": [],
        "evidence": {},
        "fingerprint": "f",
        "review": {"state": "open"},
    }
    row = list(csv.reader(io.StringIO(findings_csv([hostile]).decode("utf-8-sig"))))[1]
    assert row[3].startswith("'=") and row[4] == "'+1" and row[7] == "'@SUM(A1)" and row[8] == "'-2"


def test_report_html_is_self_contained_and_bilingual(plain_bundle):
    html = plain_bundle["report.html"].decode()
    findings = json.loads(plain_bundle["findings.json"])
    assert "<script" not in html and "http://" not in html.split("<body>")[0]
    for f in findings:
        assert f["rule_id"] in html
    assert "Remediation" in html and "整改建议" in html
    assert "cannot prove the absence" in html and "动态测试" in html
    assert "LAB session" in html


def test_redacted_bundle_has_no_pi_values_and_still_verifies(lab_demo, tmp_path):
    out = tmp_path / "redacted.zip"
    proc = run_cli(lab_demo["home"], "export", lab_demo["result"]["session"], "-o", str(out), "--redact")
    assert proc.returncode == 0, proc.stderr
    assert "salt" in proc.stderr
    files = _files(out)
    md5 = hashlib.md5(IMEI.encode()).hexdigest().encode()
    for name, data in files.items():
        if name.endswith(".xlsx"):
            continue  # zipped XML: its cells are read below
        assert IMEI.encode() not in data, name
        assert ANDROID_ID.encode() not in data, name
        assert md5 not in data, name
    har = json.loads(files["flows.har"])
    umeng = next(e for e in har["log"]["entries"] if "umeng" in e["request"]["url"])
    assert "[PI:imei/md5" in umeng["request"]["postData"]["text"]
    assert "[PI:android_id/plain" in files["hook_events.jsonl"].decode()
    assert json.loads(files["manifest.json"])["redacted"]["values"] > 0
    from openpyxl import load_workbook

    cells = " ".join(
        str(c.value)
        for sheet in load_workbook(io.BytesIO(files["findings.xlsx"])).worksheets
        for row in sheet.iter_rows()
        for c in row
    )
    assert "[PI:" in cells and IMEI not in cells and ANDROID_ID not in cells and md5.decode() not in cells
    assert run_cli(lab_demo["home"], "verify", str(out)).returncode == 0


def test_signed_bundle_verifies_with_its_key_only(lab_demo, tmp_path):
    home = lab_demo["home"]
    assert run_cli(home, "keygen", "-o", str(tmp_path / "team.pem")).returncode == 0
    assert run_cli(home, "keygen", "-o", str(tmp_path / "other.pem")).returncode == 0
    assert oct((tmp_path / "team.pem").stat().st_mode & 0o777) == "0o600"
    again = run_cli(home, "keygen", "-o", str(tmp_path / "team.pem"))
    assert again.returncode == 2 and "refusing to overwrite" in again.stderr
    out = tmp_path / "signed.zip"
    assert (
        run_cli(
            home,
            "export",
            lab_demo["result"]["session"],
            "-o",
            str(out),
            "--sign",
            str(tmp_path / "team.pem"),
        ).returncode
        == 0
    )
    ok = run_cli(home, "verify", str(out), "--pubkey", str(tmp_path / "team.pem.pub"))
    assert ok.returncode == 0 and "signed by key" in ok.stdout
    wrong = run_cli(home, "verify", str(out), "--pubkey", str(tmp_path / "other.pem.pub"))
    assert wrong.returncode == 4 and "not by the expected key" in wrong.stderr
    unsigned = tmp_path / "unsigned.zip"
    run_cli(home, "export", lab_demo["result"]["session"], "-o", str(unsigned))
    missing = run_cli(home, "verify", str(unsigned), "--pubkey", str(tmp_path / "team.pem.pub"))
    assert missing.returncode == 4 and "not signed" in missing.stderr


def test_report_pdf_is_printed_offline(plain_bundle):
    manifest = json.loads(plain_bundle["manifest.json"])
    assert manifest["report_pdf"] == "report.pdf", manifest["report_pdf"]
    pdf = plain_bundle["report.pdf"]
    assert pdf.startswith(b"%PDF-") and len(pdf) > 5000
