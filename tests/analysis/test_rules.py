"""The pre-consent rules over a real store: edges at 1 ms either side of consent."""

import pytest

from monitor import events as ev
from monitor.analysis.persist import analyze_and_store
from monitor.storage.queries import StoreReader

CONSENT_TS = 1_800_000_000_000_000
UMENG_STACK = [
    "android.telephony.TelephonyManager.getImei(Native Method)",
    "com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:5)",
]
APP_STACK = [
    "android.telephony.TelephonyManager.getImei(Native Method)",
    "com.example.shop.Main.run(Main.java:9)",
]
IMEI = "864273052471596"


def _session(writer, sid="s1"):
    writer.submit(ev.SessionStarted(sid, "com.example.shop", "lab", CONSENT_TS - 10_000_000))


def _read(writer, ts, stack=UMENG_STACK, seq=1, sid="s1"):
    writer.submit(
        ev.HookEvent(
            sid,
            seq,
            1,
            ts,
            ts,
            "android.telephony.TelephonyManager.getImei",
            "device_id",
            "imei",
            [],
            IMEI,
            stack,
            "main",
        )
    )


def _send(writer, ts, body, host="ulogs.umeng.com", fid="f1", sid="s1"):
    writer.submit(
        ev.FlowRecord(
            fid,
            sid,
            ts,
            ts + 1000,
            "POST",
            "https",
            host,
            443,
            f"https://{host}/x",
            "HTTP/1.1",
            [["Content-Type", "application/json"]],
            body,
            len(body),
            False,
            200,
            tls=True,
        )
    )


def _consent(writer, ts=CONSENT_TS, source="click", kind="consent", sid="s1"):
    writer.submit(ev.ConsentEvent(sid, ts, kind, source, "同意", 9))


def _findings(settings, writer, sid="s1"):
    writer.flush()
    analyze_and_store(settings, sid, writer)
    with StoreReader(settings.db_path) as reader:
        return reader.findings(sid)


@pytest.mark.parametrize("offset_us, expected", [(-1000, 1), (1000, 0)])
def test_collection_one_ms_either_side_of_consent(settings, writer, offset_us, expected):
    _session(writer)
    _consent(writer)
    _read(writer, CONSENT_TS + offset_us)
    found = [f for f in _findings(settings, writer) if f["rule_id"] == "PRECONSENT_COLLECTION"]
    assert len(found) == expected
    if expected:
        assert found[0]["sdk"] == "Umeng"
        assert found[0]["evidence"]["before_consent_ms"] == 1.0
        assert found[0]["evidence"]["attribution"]["deciding_frame"].startswith(
            "com.umeng.commonsdk.UMConfigure"
        )


@pytest.mark.parametrize("offset_us, expected", [(-1000, 1), (1000, 0)])
def test_transmission_one_ms_either_side_of_consent(settings, writer, offset_us, expected):
    import hashlib

    _session(writer)
    _consent(writer)
    _read(writer, CONSENT_TS - 5_000_000)
    _send(writer, CONSENT_TS + offset_us, b'{"d":"%s"}' % hashlib.sha256(IMEI.encode()).hexdigest().encode())
    found = [f for f in _findings(settings, writer) if f["rule_id"] == "PRECONSENT_TRANSMISSION"]
    assert len(found) == expected
    if expected:
        f = found[0]
        assert (f["host"], f["encoding"], f["sdk"]) == ("ulogs.umeng.com", "sha256", "Umeng")
        third_party = f["clauses"][-1]  # cited because a third party received it
        assert (third_party["document"], third_party["ref"]) == ("APP", "6(5)")
        # host clock vs device-clock consent: within the error bound the ordering is flagged
        assert f["evidence"]["data_flow"]["delta_ms"] == pytest.approx(4999.0)


def test_no_consent_in_the_run_makes_every_read_preconsent(settings, writer):
    _session(writer)
    _read(writer, CONSENT_TS, stack=APP_STACK)
    found = _findings(settings, writer)
    assert {f["rule_id"] for f in found} == {"PRECONSENT_COLLECTION", "NO_NOTICE_AT_FIRST_RUN"}
    found = [f for f in found if f["rule_id"] == "PRECONSENT_COLLECTION"]
    assert found[0]["sdk"] is None
    assert found[0]["evidence"]["attribution"]["party"] == "app"
    assert "no consent" in found[0]["title"] and found[0]["evidence"]["consent_event_id"] is None


def test_a_refusal_is_not_consent(settings, writer):
    _session(writer)
    _consent(writer, kind="refuse")
    _read(writer, CONSENT_TS + 5_000_000)
    found = _findings(settings, writer)
    assert [f["rule_id"] for f in found] == ["POST_REFUSAL"]
    assert found[0]["evidence"]["after_refusal_ms"] == 5000.0


def test_cross_clock_margin_inside_error_bound_is_flagged(settings, writer):
    _session(writer)
    writer.submit(ev.ClockSample("s1", CONSENT_TS, 0, 5_000))
    _consent(writer)
    _read(writer, CONSENT_TS - 60_000_000)
    _send(writer, CONSENT_TS - 2_000, IMEI.encode())
    f = next(f for f in _findings(settings, writer) if f["rule_id"] == "PRECONSENT_TRANSMISSION")
    assert f["evidence"]["ordering_uncertain"] is True


def test_repeated_reads_are_one_finding_with_a_count_and_a_stable_fingerprint(settings, writer):
    _session(writer)
    _consent(writer)
    for i in range(5):
        _read(writer, CONSENT_TS - 10_000 * (i + 1), seq=i)
    first = [f for f in _findings(settings, writer) if f["rule_id"] == "PRECONSENT_COLLECTION"]
    again = [f for f in _findings(settings, writer) if f["rule_id"] == "PRECONSENT_COLLECTION"]
    assert len(first) == 1 and first[0]["evidence"]["hook_event_count"] == 5
    assert first[0]["fingerprint"] == again[0]["fingerprint"]


def test_a_receiver_nobody_knows_falls_back_to_the_code_that_read_the_value(settings, writer):
    _session(writer)
    _consent(writer)
    _read(writer, CONSENT_TS - 5_000_000)
    _send(writer, CONSENT_TS - 2_000_000, b'{"d":"%s"}' % IMEI.encode(), host="ulogs.umeng.com", fid="f1")
    _send(
        writer,
        CONSENT_TS - 1_000_000,
        b'{"d":"%s"}' % IMEI.encode(),
        host="collect.unknown-example.net",
        fid="f2",
    )
    found = {f["host"]: f for f in _findings(settings, writer) if f["rule_id"] == "PRECONSENT_TRANSMISSION"}
    unknown = found["collect.unknown-example.net"]
    assert unknown["sdk"] == "Umeng" and unknown["title"].endswith("(Umeng)")
    assert "nan" not in unknown["title"].lower()


def test_a_value_sent_as_it_is_over_https_is_unmasked_not_plain_text_and_sdks_keep_their_chinese_name(
    settings, writer
):
    _session(writer)
    _consent(writer)
    _read(writer, CONSENT_TS - 5_000_000)
    _send(writer, CONSENT_TS - 4_000_000, b'{"imei":"%s"}' % IMEI.encode())
    findings = _findings(settings, writer)
    sent = next(f for f in findings if f["rule_id"] == "PRECONSENT_TRANSMISSION")
    assert sent["encoding"] == "plain"
    # over HTTPS the value is encrypted in transit: 明文 (cleartext) is CLEARTEXT_TRANSMISSION's word
    assert "原值（未脱敏）" in sent["title_zh"] and "明文" not in sent["title_zh"] + sent["explanation_zh"]
    assert "unmasked" in sent["title"] and "plain text" not in sent["title"] + sent["explanation"]
    assert not [f for f in findings if f["rule_id"] == "CLEARTEXT_TRANSMISSION"]
    sdk = next(f for f in findings if f["rule_id"] == "SDK_PRECONSENT")
    assert sdk["title_zh"].startswith("友盟+ SDK") and "Umeng" not in sdk["title_zh"] + sdk["explanation_zh"]


@pytest.mark.parametrize("kind", ["consent", "refuse"])
def test_the_analysis_stores_which_rules_the_run_could_judge(settings, writer, kind):
    _session(writer)
    _consent(writer, kind=kind)
    _read(writer, CONSENT_TS + 2_000_000)
    _findings(settings, writer)
    with StoreReader(settings.db_path) as reader:
        rules = {r["rule_id"]: r for r in reader.analysis_facts("s1")["rules"]}
    post_refusal = rules["POST_REFUSAL"]
    assert post_refusal["tested"] is (kind == "refuse")
    if kind == "consent":
        assert "refused" in post_refusal["reason"] and post_refusal["reason_zh"]
    # no flow in this run: the traffic rules could not judge anything; the collection rules could
    assert not rules["PRECONSENT_TRANSMISSION"]["tested"] and rules["PRECONSENT_COLLECTION"]["tested"]
    assert rules["BACKGROUND_COLLECTION"]["reason"].startswith("the app never went to the background")
    assert rules["PRECONSENT_COLLECTION"]["clauses"][0]["article_zh"] == "第六条第（三）项"


def test_the_findings_about_one_actor_are_one_group_with_its_facets(settings, writer):
    _session(writer)
    _consent(writer)
    _read(writer, CONSENT_TS - 5_000_000)  # the Umeng SDK reads the IMEI before consent …
    _send(writer, CONSENT_TS - 4_000_000, b'{"imei":"%s"}' % IMEI.encode())  # … and sends it
    _read(writer, CONSENT_TS - 3_000_000, stack=APP_STACK, seq=2)  # the app's own code reads it too
    findings = _findings(settings, writer)
    with StoreReader(settings.db_path) as reader:
        stored = {f["fingerprint"]: f["finding_group"] for f in reader.findings("s1")}
    groups = {}
    for f in findings:
        groups.setdefault(stored[f["fingerprint"]]["key"], []).append(f)
    assert set(groups) == {"sdk:Umeng", "app"}
    umeng = stored[groups["sdk:Umeng"][0]["fingerprint"]]
    assert umeng["size"] == len(groups["sdk:Umeng"]) >= 3  # collection, SDK, transmission, sharing
    assert umeng["title"] == (
        "The Umeng SDK: read IMEI before consent; sent IMEI to ulogs.umeng.com before consent"
    )
    assert umeng["title_zh"].startswith("友盟+ SDK：同意前读取IMEI")
    assert umeng["severity"] == "high"
    assert {stored[f["fingerprint"]]["key"] for f in groups["app"]} == {"app"}
