"""The demo lab session end to end: real agent in the lab JVM, real mitmproxy, real store."""

import json
import zipfile
from datetime import datetime

from tests.conftest import run_cli


def _ts(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def _by_rule(findings, rule_id):
    return [f for f in findings if f["rule_id"] == rule_id]


def test_demo_run_completes_with_captured_events(lab_demo):
    result = lab_demo["result"]
    assert result["status"] == "completed", result["reason"]
    assert result["counts"]["hook_events"] >= 4
    assert result["counts"]["flows"] == 3  # analytics upload, nearby stores, support chat (WebSocket)
    assert result["counts"]["consent_events"] == 3  # the notice shown, its dismissal, the agree click
    assert "[LAB]" in lab_demo["stderr"]


def test_imei_read_by_umeng_before_consent_click(lab_demo):
    home, sid = lab_demo["home"], lab_demo["result"]["session"]
    findings = json.loads(run_cli(home, "findings", sid, "--json").stdout)
    imei = [f for f in _by_rule(findings, "PRECONSENT_COLLECTION") if f["pi_type"] == "imei"]
    assert len(imei) == 1
    finding = imei[0]
    assert finding["sdk"] == "Umeng"
    assert finding["pi_category"] == "device_id"
    assert finding["host"] is None and finding["encoding"] is None
    # cited as a reader knows the document: full title, issuer, date, then the article
    cited = {(c["zh"], c["en"]) for c in finding["clauses"]}
    assert (
        "《移动互联网应用程序个人信息保护管理暂行规定（征求意见稿）》（国家互联网信息办公室、工业和信息化部、公安部、"
        "国家市场监督管理总局，2021-04）第六条第（三）项",
        "Interim Provisions on the Protection and Management of Personal Information in Mobile Internet "
        "Applications (draft for comments) (CAC, MIIT, MPS and SAMR, 2021-04) Art. 6(3)",
    ) in cited
    assert finding["evidence"]["attribution"]["deciding_frame"].startswith("com.umeng.")
    assert finding["evidence"]["consent_source"] == "click"
    assert finding["evidence"]["before_consent_ms"] > 0
    # ISO 8601 UTC with milliseconds
    assert len(finding["ts"]) == len("2026-01-01T00:00:00.000Z") and finding["ts"].endswith("Z")


def test_md5_imei_sent_to_umeng_host_before_consent(lab_demo):
    home, sid = lab_demo["home"], lab_demo["result"]["session"]
    findings = json.loads(run_cli(home, "findings", sid, "--json").stdout)
    sent = [f for f in _by_rule(findings, "PRECONSENT_TRANSMISSION") if f["pi_type"] == "imei"]
    assert len(sent) == 1
    finding = sent[0]
    assert finding["host"] == "ulogs.umeng.com"
    assert finding["encoding"] == "md5"
    assert finding["sdk"] == "Umeng"
    link = finding["evidence"]["data_flow"]
    assert link["api"] == "android.telephony.TelephonyManager.getDeviceId"
    assert link["delta_ms"] > 0  # collected, then transmitted
    receiver = finding["evidence"]["receiver"]
    assert (receiver["party"], receiver["company_country"], receiver["ip_country"]) == ("third", "CN", "CN")
    assert receiver["server_ip"] == "106.11.84.3"  # from the lab's DNS table
    sent_by = finding["evidence"]["sent_by"]  # request attribution: the call that opened the connection
    assert sent_by["api"] == "java.net.URL.openConnection" and sent_by["sdk"] == "Umeng"
    assert sent_by["deciding_frame"].startswith("com.umeng.commonsdk.UMConfigure.init")
    assert finding["evidence"]["consent_source"] == "click"


def test_consent_is_the_hooked_click_and_after_the_preconsent_findings(lab_demo):
    home, sid = lab_demo["home"], lab_demo["result"]["session"]
    from monitor.config import Settings
    from monitor.storage.queries import StoreReader

    with StoreReader(Settings.load(home).db_path) as reader:
        consents = reader.consent_events(sid)
        findings = reader.findings(sid)
    kinds = [(c["kind"], c["source"]) for c in consents]
    assert kinds[0] == ("notice", "dialog") and "隐私政策" in consents[0]["detail"]
    assert sorted(kinds[1:]) == [("consent", "click"), ("notice_dismissed", "dialog")]
    click = next(c for c in consents if c["kind"] == "consent")
    assert click["detail"] == "同意" and click["confidence"] == 0.9
    assert all(f["ts"] < click["ts"] for f in findings)


def test_location_after_consent_is_not_a_finding(lab_demo):
    findings = lab_demo["result"]["findings"]
    assert not [f for f in findings if f["pi_category"] == "location"]
    # the app asks for the location when its feature needs it, after consent: nothing to say
    assert {f["rule_id"] for f in findings} == {
        "PRECONSENT_COLLECTION",
        "PRECONSENT_TRANSMISSION",
        "SDK_PRECONSENT",
        "THIRD_PARTY_SHARING",
    }


def test_sessions_json_lists_the_lab_session(lab_demo):
    home, sid = lab_demo["home"], lab_demo["result"]["session"]
    rows = json.loads(run_cli(home, "sessions", "--json").stdout)
    row = next(r for r in rows if r["id"] == sid)
    assert row["app"] == "com.labapp.shop"
    assert row["target"] == "lab"
    assert row["findings"] == len(lab_demo["result"]["findings"])
    assert row["started_at"] < row["ended_at"]


def test_reanalysis_gives_the_same_findings(lab_demo):
    home, sid = lab_demo["home"], lab_demo["result"]["session"]
    before = json.loads(run_cli(home, "findings", sid, "--json").stdout)
    assert run_cli(home, "analyze", sid).returncode == 0
    after = json.loads(run_cli(home, "findings", sid, "--json").stdout)
    strip = lambda rows: [{k: v for k, v in f.items() if k != "id"} for f in rows]  # noqa: E731
    assert strip(before) == strip(after)


def test_bundle_exports_verifies_and_rejects_one_changed_byte(lab_demo, tmp_path):
    home, sid = lab_demo["home"], lab_demo["result"]["session"]
    bundle = tmp_path / "bundle.zip"
    assert run_cli(home, "export", sid, "-o", str(bundle)).returncode == 0
    with zipfile.ZipFile(bundle) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
        har = json.loads(zf.read("flows.har"))
        events = [json.loads(line) for line in zf.read("hook_events.jsonl").splitlines()]
    assert {"manifest.json", "findings.json", "hook_events.jsonl", "flows.har"} <= names
    assert manifest["session"]["id"] == sid and manifest["lab"] is True
    assert set(manifest["files"]) == names - {"manifest.json"}
    assert {e["request"]["url"] for e in har["log"]["entries"]} == {
        "https://ulogs.umeng.com/unify_logs",
        "https://api.labshop.cn/v1/stores/nearby",
        "https://im.labshop.cn/chat",
    }
    chat = next(e for e in har["log"]["entries"] if e["request"]["url"].endswith("/chat"))
    assert [m["type"] for m in chat["_webSocketMessages"]] == ["send", "receive", "send", "receive"]
    assert chat["_webSocketMessages"][2]["data"] == '{"type":"text","body":"你好"}'
    assert any(e["api"] == "android.telephony.TelephonyManager.getDeviceId" and e["stack"] for e in events)

    ok = run_cli(home, "verify", str(bundle))
    assert ok.returncode == 0, ok.stderr

    # Change one byte of findings.json's content (stored uncompressed for a byte-exact edit).
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "findings.json":
                data = data.replace(b"Umeng", b"Umenf", 1)
            dst.writestr(info.filename, data)
    bad = run_cli(home, "verify", str(tampered))
    assert bad.returncode == 4
    assert "findings.json" in bad.stderr and "Traceback" not in bad.stderr

    # And a raw byte flipped inside the zip file itself.
    raw = bytearray(bundle.read_bytes())
    raw[len(raw) // 3] ^= 0x01
    flipped = tmp_path / "flipped.zip"
    flipped.write_bytes(bytes(raw))
    bad = run_cli(home, "verify", str(flipped))
    assert bad.returncode != 0 and "Traceback" not in bad.stderr


def test_hook_coverage_report_lists_every_entry(lab_demo):
    from monitor.capture.catalogue import load_catalogue

    home, sid = lab_demo["home"], lab_demo["result"]["session"]
    rows = json.loads(run_cli(home, "hooks", sid, "--json").stdout)
    from monitor.capture.hook_runner import NET_HOOKS
    from monitor.capture.side_channels import load_side_channels

    side = {"side.open", "side.property", "side.output", "side.popen", "side.spawn"}
    rules = {r["id"] for r in load_side_channels()}
    assert {r["id"] for r in rows} == {e["id"] for e in load_catalogue()} | set(NET_HOOKS) | side | rules
    by_id = {r["id"]: r for r in rows}
    assert by_id["net.connect"]["state"] == "installed" and by_id["net.connect"]["fired"] >= 1
    assert all(r["state"] in ("installed", "not_installed") for r in rows)
    device_id = next(
        r for r in rows if r["class"] == "android.telephony.TelephonyManager" and r["method"] == "getDeviceId"
    )
    assert device_id["state"] == "installed" and device_id["fired"] == 1 and device_id["pi_type"] == "imei"
    assert sum(r["fired"] for r in by_id.values()) == lab_demo["result"]["counts"]["hook_events"]


def test_websocket_messages_are_captured_and_searched(lab_demo):
    from monitor.config import Settings
    from monitor.storage.queries import StoreReader

    sid = lab_demo["result"]["session"]
    with StoreReader(Settings.load(lab_demo["home"]).db_path) as reader:
        chat = [f for f in reader.flows(sid) if f["url"] == "https://im.labshop.cn/chat"]
        assert len(chat) == 1 and chat[0]["status_code"] == 101
        messages = reader.websocket_messages(sid, chat[0]["id"])
        sent = [m["content"] for m in messages if m["from_client"]]
        assert sent[0].startswith(b'{"type":"hello"') and "你好".encode() in sent[1]
        assert any(not m["from_client"] for m in messages)  # the server's answers are kept too
        ws_matches = [m for m in reader.pi_matches(sid) if m["flow_id"] == chat[0]["id"]]
    assert [(m["pi_type"], m["location"]) for m in ws_matches] == [
        ("android_id", "ws[0] › json:$.did › plain")
    ]
    first_message = next(m for m in messages if m["index"] == 0)
    assert ws_matches[0]["ts"] == first_message["ts"] > chat[0]["ts_start"]


def test_the_analysis_stores_who_received_and_who_sent_each_flow(lab_demo):
    from dashboard.browse import flow_detail, flow_page
    from monitor.config import Settings
    from monitor.storage.queries import StoreReader

    home, sid = lab_demo["home"], lab_demo["result"]["session"]
    with StoreReader(Settings.load(home).db_path) as reader:
        flows = flow_page(reader, sid, None, None, 1, 100)["flows"]
        umeng = next(f for f in flows if f["host"] == "ulogs.umeng.com")
        detail = flow_detail(reader, sid, umeng["id"])["flow"]
    assert umeng["receiver"]["party"] == "third" and umeng["receiver"]["sdk"] == "Umeng"
    assert detail["receiver"] == umeng["receiver"]
    assert detail["sender"] is not None and detail["sender"]["sdk"] == "Umeng"
    assert all(f["receiver"] is not None for f in flows)


def test_findings_print_in_groups_and_wholly_in_chinese_with_lang_zh(lab_demo, monkeypatch):
    home, sid = lab_demo["home"], lab_demo["result"]["session"]
    monkeypatch.setenv("COLUMNS", "400")  # one table row a line
    proc = run_cli(home, "findings", sid, "--lang", "zh")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert "发现的问题 — 实验室会话（模拟设备）" in text
    for header in ("规则", "严重程度", "个人信息", "接收方", "审核", "标题"):
        assert header in text
    findings = json.loads(run_cli(home, "findings", sid, "--json").stdout)
    umeng = [f for f in findings if f["group"]["key"] == "sdk:Umeng"]
    assert len(umeng) == umeng[0]["group"]["size"]
    assert f"▸ ({len(umeng)} 项) 友盟+ SDK：同意前读取IMEI" in text  # the Umeng group and its size
    assert "向第三方 友盟+" in text and "Umeng（" not in text  # one name per SDK in Chinese


def test_the_command_line_speaks_chinese_with_lang_zh(lab_demo, monkeypatch, tmp_path):
    """Tables, summaries and errors of every reading command, and a whole lab run's progress, in
    Chinese with PRIVMON_LANG=zh or `privmon --lang zh`; English stays the default."""
    home, sid = lab_demo["home"], lab_demo["result"]["session"]
    monkeypatch.setenv("COLUMNS", "400")
    monkeypatch.setenv("PRIVMON_LANG", "zh")
    listed = run_cli(home, "sessions")
    assert listed.returncode == 0 and "会话" in listed.stdout and "已完成" in listed.stdout
    assert "started (UTC)" not in listed.stdout
    flows = run_cli(home, "flows", sid).stdout
    assert "网络请求 — " in flows and "发起/发送方" in flows and "opened/sent by" not in flows
    hooks = run_cli(home, "hooks", sid).stdout
    assert "挂钩覆盖" in hooks and "已安装" in hooks and " installed, " not in hooks
    assert "发现的问题" in run_cli(home, "findings", sid).stdout  # findings follow the global language
    bundle = tmp_path / "b.zip"
    assert "已写入" in run_cli(home, "export", sid, "-o", str(bundle)).stderr
    assert "个文件与清单一致" in run_cli(home, "verify", str(bundle)).stdout
    missing = run_cli(home, "flows", "nope")
    assert missing.returncode == 3 and missing.stderr.startswith("privmon：错误：存储中没有会话 'nope'")
    monkeypatch.delenv("PRIVMON_LANG")
    assert "privmon: error: no session 'nope'" in run_cli(home, "flows", "nope").stderr
    assert "已安装" in run_cli(home, "--lang", "zh", "hooks", sid).stdout
    bad = run_cli(home, "--lang", "fr", "sessions")
    assert bad.returncode == 2 and "--lang must be en or zh" in bad.stderr

    monkeypatch.setenv("PRIVMON_LANG", "zh")
    run = run_cli(tmp_path / "zh-home", "lab", "run", "--no-keys", "--consent-delay-ms", "500")
    assert run.returncode == 0, run.stderr
    for line in (
        "[实验室] 模拟的设备与网络——不是真实手机",
        "[实验室] 场景 agree：启动应用",
        "[实验室] 代理脚本已加载：",
    ):
        assert line in run.stderr
    assert " 条调用记录 · " in run.stderr and "hook events" not in run.stderr
    assert "条调用记录，" in run.stdout and "项发现" in run.stdout and "发现的问题" in run.stdout
    # verdicts while the app ran: each finding printed when it first appeared (or taken back by a
    # later pass), none left that the end does not hold
    # (by fingerprint: a title can change as the run goes on, "no consent in the run" becoming
    # "before consent")
    shown: set[str] = set()
    for line in run.stderr.splitlines():
        if line.startswith("[实验室] 新发现 "):
            shown.add(line.split()[2])
        elif line.startswith("[实验室] 发现撤回 "):  # a later pass took it back
            shown.discard(line.split()[2])
    final = json.loads(run_cli(tmp_path / "zh-home", "findings", "latest", "--json").stdout)
    assert shown and all(any(f["fingerprint"].startswith(head) for f in final) for head in shown), shown
