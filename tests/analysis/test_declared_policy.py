"""Reading what an app's own privacy notice and policy page declare (the 双清单): PI by the names
policies use, third parties by the knowledge base's SDK and company names; markup, scripts and
styles are not text; Latin words only on word boundaries."""

from pathlib import Path

from monitor.analysis.policy import is_policy_page, page_text, parse_declared

PAGE = (Path(__file__).resolve().parents[2] / "lab/pages/api.labshop.cn/legal/privacy.html").read_bytes()


def test_a_policy_page_declares_its_pi_and_sdks_and_nothing_from_its_code():
    text = page_text(PAGE, "text/html; charset=utf-8")
    assert "<" not in text and "Android ID" in text and "var sections" not in text
    declared = parse_declared([("page", "https://api.labshop.cn/legal/privacy.html", text)])
    assert set(declared.collected) == {"device_id", "network_info", "location"}
    assert {"Umeng", "JPush"} <= set(declared.shared)
    assert "contacts" not in declared.collected and "sms" not in declared.collected  # only in <script>
    assert "IMEI" in declared.evidence["device_id"] and "友盟" in declared.evidence["Umeng"]
    assert declared.sources == [
        {"kind": "page", "where": "https://api.labshop.cn/legal/privacy.html", "chars": len(text)}
    ]


def test_words_inside_other_words_declare_nothing():
    declared = parse_declared([("notice", "screen", "Our SMSC gateway ships orders; gpsd is not used.")])
    assert declared.collected == [] and declared.empty


def test_english_notices_and_pages_found_by_address_or_title():
    declared = parse_declared(
        [("notice", "screen", "We collect your location and device ID and share them with Getui.")]
    )
    assert set(declared.collected) == {"location", "device_id"} and "Getui" in declared.shared
    assert is_policy_page("https://example.cn/h5/yinsi.html", b"<p>x</p>", "text/html")
    assert is_policy_page("https://example.cn/page/7", "<title>App 隐私政策</title>".encode(), "text/html")
    assert not is_policy_page("https://example.cn/api/privacy", b'{"a":1}', "application/json")
    assert not is_policy_page("https://example.cn/news/1", b"<title>News</title>", "text/html")
