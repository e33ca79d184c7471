"""Every rule of CLAUSES.md with a case that fires it and one that must not, at the edges,
over a real store (writer → SQLite → analysis)."""

import hashlib

import pytest

from monitor import events as ev
from monitor.analysis.persist import analyze_and_store
from monitor.storage.queries import StoreReader

T0 = 1_800_000_000_000_000  # µs
S = 1_000_000
MS = 1_000
IMEI = "864273052471596"
ANDROID_ID = "5f2c8e1b9a7d3c40"
APP = "com.example.shop"
UMENG = [
    "android.telephony.TelephonyManager.getImei(Native Method)",
    "com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:5)",
]
OWN = ["android.telephony.TelephonyManager.getImei(Native Method)", "com.example.shop.Main.run(Main.java:9)"]
LOC_OWN = [
    "android.location.LocationManager.getLastKnownLocation(Native Method)",
    "com.example.shop.Main.run(Main.java:9)",
]


class Run:
    """One session written through the real writer; `findings()` analyses and reads back."""

    def __init__(self, settings, writer, profile=None, scenario="agree"):
        self.settings, self.writer, self.seq = settings, writer, 0
        meta = {"scenario": scenario}
        if profile is not None:
            meta["app_profile"] = {"package": APP, **profile}
        writer.submit(ev.SessionStarted("s1", APP, "lab", T0 - 60 * S, meta=meta))

    def hook(
        self, ts, api, category=None, pi_type=None, ret=None, args=(), stack=OWN, signal=None, hook_id=None
    ):
        self.seq += 1
        self.writer.submit(
            ev.HookEvent(
                "s1",
                self.seq,
                1,
                ts,
                ts,
                api,
                category,
                pi_type,
                list(args),
                ret,
                stack,
                "main",
                hook_id or api,
                signal,
            )
        )

    def imei(self, ts, stack=UMENG):
        self.hook(ts, "android.telephony.TelephonyManager.getImei", "device_id", "imei", IMEI, stack=stack)

    def location(self, ts, stack=LOC_OWN):
        self.hook(
            ts,
            "android.location.LocationManager.getLastKnownLocation",
            "location",
            "precise_location",
            {"latitude": 39.904211, "longitude": 116.407395},
            ["gps"],
            stack,
            hook_id="android.location.LocationManager.getLastKnownLocation",
        )

    def consent(self, ts, kind="consent", source="click", detail="同意"):
        self.writer.submit(ev.ConsentEvent("s1", ts, kind, source, detail, None, 0.9))

    def notice(self, ts):
        self.consent(ts, "notice", "dialog", "用户协议与隐私政策")

    def send(self, ts, body: bytes, host="ulogs.umeng.com", scheme="https", ip=None, fid=None):
        fid = fid or f"f{ts}"
        self.writer.submit(
            ev.FlowRecord(
                fid,
                "s1",
                ts,
                ts + 1000,
                "POST",
                scheme,
                host,
                443 if scheme == "https" else 80,
                f"{scheme}://{host}/x",
                "HTTP/1.1",
                [["Content-Type", "application/json"]],
                body,
                len(body),
                False,
                200,
                tls=scheme == "https",
                server_ip=ip,
            )
        )

    def findings(self, rule=None):
        self.writer.flush()
        analyze_and_store(self.settings, "s1", self.writer)
        with StoreReader(self.settings.db_path) as reader:
            found = reader.findings("s1")
        return [f for f in found if rule is None or f["rule_id"] == rule]


@pytest.fixture
def run(settings, writer):
    return lambda **kw: Run(settings, writer, **kw)


# -- consent ----------------------------------------------------------------------------------
@pytest.mark.parametrize("offset, fires", [(-1 * MS, True), (1 * MS, False)])
def test_sdk_preconsent_one_ms_either_side(run, offset, fires):
    r = run()
    r.notice(T0 - 5 * S)
    r.consent(T0)
    r.imei(T0 + offset)
    found = r.findings("SDK_PRECONSENT")
    assert bool(found) is fires
    if fires:
        assert found[0]["sdk"] == "Umeng" and found[0]["clauses"][0]["zh"].endswith("第十条第（三）项")
        assert found[0]["title_zh"] and found[0]["explanation_zh"]


@pytest.mark.parametrize("after_ms, fires", [(999, False), (1001, True)])
def test_post_refusal_inside_and_outside_the_grace_period(run, after_ms, fires):
    r = run(scenario="refuse")
    r.notice(T0 - 5 * S)
    r.consent(T0, kind="refuse", detail="不同意")
    r.imei(T0 + after_ms * MS)
    found = r.findings("POST_REFUSAL")
    assert bool(found) is fires
    if fires:
        assert (
            found[0]["evidence"]["after_refusal_ms"] == after_ms
            and found[0]["evidence"]["scenario"] == "refuse"
        )


def test_post_refusal_grace_comes_from_the_app_profile(run):
    r = run(profile={"rules": {"POST_REFUSAL": {"grace_ms": 5000}}})
    r.consent(T0, kind="refuse")
    r.imei(T0 + 3 * S)
    assert r.findings("POST_REFUSAL") == []


def test_consent_again_after_a_refusal_ends_the_refusal(run):
    r = run()
    r.consent(T0, kind="refuse")
    r.consent(T0 + 2 * S)
    r.imei(T0 + 5 * S)
    assert r.findings("POST_REFUSAL") == []


def test_withdrawal_after_consent_is_judged_like_a_refusal(run):
    r = run()
    r.consent(T0)
    r.consent(T0 + 10 * S, kind="refuse", detail="撤回")
    r.imei(T0 + 15 * S)
    found = r.findings("POST_REFUSAL")
    assert len(found) == 1 and found[0]["evidence"]["phase"] == "withdrawn"


@pytest.mark.parametrize("shown, fires", [(True, False), (False, True)])
def test_no_notice_at_first_run(run, shown, fires):
    r = run()
    if shown:
        r.notice(T0)
    r.imei(T0 + S)
    assert bool(r.findings("NO_NOTICE_AT_FIRST_RUN")) is fires


@pytest.mark.parametrize("guardian_first, fires", [(True, False), (False, True)])
def test_child_data_without_guardian_consent(run, guardian_first, fires):
    r = run(profile={"children": True})
    r.consent(T0, kind="guardian_consent", detail="监护人同意")
    r.location(T0 + (1 if guardian_first else -1) * MS)
    found = r.findings("CHILD_DATA_WITHOUT_GUARDIAN_CONSENT")
    assert bool(found) is fires
    if fires:
        assert found[0]["severity"] == "critical"


def test_child_rule_is_silent_for_an_app_not_directed_at_children(run):
    r = run()
    r.location(T0)
    assert r.findings("CHILD_DATA_WITHOUT_GUARDIAN_CONSENT") == []


# -- consent precedence and overrides -----------------------------------------------------------
def test_a_click_outranks_an_earlier_preference_write(run):
    r = run()
    r.consent(T0 - 10 * S, source="pref_write", detail="privacy_agreed=true")
    r.consent(T0)
    r.imei(T0 - 5 * S)
    found = r.findings("PRECONSENT_COLLECTION")
    assert len(found) == 1 and found[0]["evidence"]["consent_precedence"] == "click"


def test_a_tester_mark_outranks_a_click(run):
    r = run()
    r.consent(T0)  # a click the tester says was not the privacy notice
    r.consent(T0 + 20 * S, source="manual", detail="the real notice")
    r.imei(T0 + 10 * S)
    found = r.findings("PRECONSENT_COLLECTION")
    assert len(found) == 1 and found[0]["evidence"]["consent_source"] == "manual"


def test_a_reviewer_can_reject_a_detected_consent_and_the_record_is_kept(settings, writer, run):
    r = run()
    r.consent(T0)
    r.imei(T0 + 10 * S)
    assert r.findings("PRECONSENT_COLLECTION") == []
    writer.submit(
        ev.ReviewDecision(
            "s1", T0 + 100 * S, "consent:1", "reject", "li.lei", "a cookie banner, not the notice"
        )
    )
    assert len(r.findings("PRECONSENT_COLLECTION")) == 1
    with StoreReader(settings.db_path) as reader:
        assert reader.consent_events("s1")[0]["kind"] == "consent"  # evidence is never altered
        assert [x["decision"] for x in reader.reviews("s1")] == ["reject"]


# -- frequency, background, reflection, storage ---------------------------------------------
@pytest.mark.parametrize("every_s, fires", [(29, True), (31, False)])
def test_excessive_frequency_just_over_and_under_the_limit(run, every_s, fires):
    r = run()
    r.consent(T0 - 10 * S)
    for i in range(7):  # 6 gaps: 174 s at 29 s, 186 s at 31 s
        r.location(T0 + i * every_s * S)
    found = r.findings("EXCESSIVE_FREQUENCY")
    assert bool(found) is fires
    if fires:
        assert found[0]["evidence"]["reads"] == 7 and found[0]["pi_category"] == "location"


def test_excessive_frequency_needs_the_excess_to_last(run):
    r = run()
    for i in range(4):  # fast, but only 3 s long
        r.location(T0 + i * S)
    assert r.findings("EXCESSIVE_FREQUENCY") == []


def test_delegated_calls_count_as_one_read(run):
    r = run(profile={"rules": {"EXCESSIVE_FREQUENCY": {"window_s": 10, "sustain_s": 20}}})
    for i in range(5):  # one read every 12 s: allowed; each read shows up as two hooked calls
        r.location(T0 + i * 12 * S)
        r.location(T0 + i * 12 * S + 1 * MS)
    assert r.findings("EXCESSIVE_FREQUENCY") == []


@pytest.mark.parametrize("resumed, fires", [(False, True), (True, False)])
def test_background_collection(run, resumed, fires):
    r = run()
    r.consent(T0 - 10 * S)
    r.hook(T0, "android.app.Activity.onPause", signal="lifecycle")
    if resumed:  # another activity took over: still in the foreground
        r.hook(T0 + 300 * MS, "android.app.Activity.onResume", signal="lifecycle")
    r.location(T0 + 2 * S)
    found = r.findings("BACKGROUND_COLLECTION")
    assert bool(found) is fires
    if fires:
        assert found[0]["evidence"]["state"] == "background" and found[0]["severity"] == "critical"


@pytest.mark.parametrize("read", ["imei", "phone_number"])
def test_identifiers_and_the_phone_number_read_in_the_background_are_judged(run, read):
    r = run()
    r.consent(T0 - 10 * S)
    r.hook(T0, "android.app.Activity.onPause", signal="lifecycle")
    if read == "imei":
        r.imei(T0 + 2 * S)
    else:
        r.hook(
            T0 + 2 * S,
            "android.telephony.TelephonyManager.getLine1Number",
            "phone_number",
            "phone_number",
            ret="+8613912345678",
        )
    found = r.findings("BACKGROUND_COLLECTION")
    assert len(found) == 1 and found[0]["pi_type"] == read, found


def test_a_read_in_the_same_clock_tick_as_leaving_the_foreground_is_not_background(run):
    """The read, then finish() on the next line: one millisecond tick can hold both."""
    r = run()
    r.consent(T0 - 10 * S)
    r.imei(T0)
    r.hook(T0, "android.app.Activity.finish", signal="lifecycle")
    assert r.findings("BACKGROUND_COLLECTION") == []


def test_screen_off_is_background_too(run):
    r = run()
    r.hook(T0, "android.os.PowerManager.isInteractive", ret=False, signal="screen_state")
    r.location(T0 + S)
    assert r.findings("BACKGROUND_COLLECTION")[0]["evidence"]["state"] == "screen-off"


@pytest.mark.parametrize("reflective", [True, False])
def test_reflective_access(run, reflective):
    r = run()
    stack = ["android.telephony.TelephonyManager.getImei(Native Method)"]
    if reflective:
        stack.append("java.lang.reflect.Method.invoke(Method.java:566)")
    stack.append("com.example.shop.Main.run(Main.java:9)")
    r.imei(T0, stack=stack)
    assert bool(r.findings("REFLECTIVE_ACCESS")) is reflective


@pytest.mark.parametrize("stored, fires", [(IMEI, True), (hashlib.sha256(IMEI.encode()).hexdigest(), False)])
def test_plaintext_local_storage(run, stored, fires):
    r = run()
    r.imei(T0)
    r.hook(
        T0 + S,
        "android.app.SharedPreferencesImpl$EditorImpl.putString",
        args=["imei", stored],
        signal="pref_write",
    )
    found = r.findings("PLAINTEXT_LOCAL_STORAGE")
    assert bool(found) is fires
    if fires:
        assert found[0]["evidence"]["key"] == "imei"


# -- transfers --------------------------------------------------------------------------------
@pytest.mark.parametrize("ip, fires", [("106.11.84.3", False), ("157.240.22.35", True)])
def test_cross_border_receiver_in_and_out_of_the_jurisdiction(run, ip, fires):
    r = run()
    r.consent(T0 - 100 * S)
    r.imei(T0 - 10 * S)
    r.send(T0, IMEI.encode(), ip=ip)
    found = r.findings("CROSS_BORDER_TRANSFER")
    assert bool(found) is fires
    if fires:
        assert found[0]["evidence"]["ip_country"] == "US" and found[0]["evidence"]["server_ip"] == ip


def test_cross_border_judges_against_the_profiles_jurisdiction(run):
    r = run(profile={"jurisdiction": "US"})
    r.imei(T0 - 10 * S)
    r.send(T0, IMEI.encode(), ip="106.11.84.3")
    assert r.findings("CROSS_BORDER_TRANSFER")[0]["evidence"]["ip_country"] == "CN"


@pytest.mark.parametrize("host, fires", [("ulogs.umeng.com", True), ("api.example-shop.cn", False)])
def test_third_party_sharing(run, host, fires):
    r = run(profile={"own_domains": ["example-shop.cn"]})
    r.consent(T0 - 100 * S)
    r.imei(T0 - 10 * S)
    r.send(T0, IMEI.encode(), host=host)
    found = r.findings("THIRD_PARTY_SHARING")
    assert bool(found) is fires
    if fires:
        assert found[0]["severity"] == "medium"  # after consent
        assert found[0]["evidence"]["receiver"]["company"]


@pytest.mark.parametrize("scheme, fires", [("http", True), ("https", False)])
def test_cleartext_transmission(run, scheme, fires):
    r = run()
    r.imei(T0 - 10 * S)
    r.send(T0, IMEI.encode(), host="api.example-shop.cn", scheme=scheme)
    assert bool(r.findings("CLEARTEXT_TRANSMISSION")) is fires


def test_detected_values_are_matches_but_not_judged(run):
    r = run()
    r.send(T0, b'{"mobile":"13812345678"}', host="api.example-shop.cn", scheme="http")
    assert r.findings() == []


@pytest.mark.parametrize("declared, fires", [(["device_id"], False), (["location"], True), (None, False)])
def test_collection_beyond_declared(run, declared, fires):
    r = run(profile={"declared_collected": declared})
    r.imei(T0)
    assert bool([f for f in r.findings("COLLECTION_BEYOND_DECLARED") if f["pi_type"] == "imei"]) is fires


@pytest.mark.parametrize(
    "declared, fires", [(["Umeng"], False), (["Alibaba Group (Umeng+)"], False), ([], True)]
)
def test_undeclared_third_party(run, declared, fires):
    r = run(profile={"declared_shared": declared})
    r.imei(T0)
    found = [f for f in r.findings("COLLECTION_BEYOND_DECLARED") if f["sdk"] == "Umeng"]
    assert bool(found) is fires


# -- permissions and starts --------------------------------------------------------------------
@pytest.mark.parametrize("asked_first, fires", [(True, False), (False, True)])
def test_sensitive_without_separate_consent(run, asked_first, fires):
    r = run()
    r.consent(T0 - 10 * S)
    if asked_first:
        r.hook(
            T0 - S,
            "android.app.Activity.requestPermissions",
            args=[["android.permission.ACCESS_FINE_LOCATION"], 1],
            signal="permission_request",
        )
    r.location(T0)
    assert bool(r.findings("SENSITIVE_WITHOUT_SEPARATE_CONSENT")) is fires


def test_a_request_in_the_same_clock_tick_as_the_read_comes_before_it(run):
    """The device clock ticks in milliseconds: a permission request and the read it allows, made
    one after the other, can carry the same time; the one stored first came first."""
    r = run()
    r.consent(T0 - 10 * S)
    r.hook(
        T0,
        "android.app.Activity.requestPermissions",
        args=[["android.permission.ACCESS_FINE_LOCATION"], 1],
        signal="permission_request",
    )
    r.location(T0)
    assert r.findings("SENSITIVE_WITHOUT_SEPARATE_CONSENT") == []


def test_sensitive_without_separate_consent_judges_each_sdks_first_read(run):
    """The app's first location read and an SDK's later one: each is judged, and blamed on its own."""
    r = run()
    r.consent(T0 - 10 * S)
    r.location(T0)
    r.location(
        T0 + S,
        stack=[
            "android.location.LocationManager.getLastKnownLocation(Native Method)",
            "com.umeng.commonsdk.internal.utils.c.a(c.java:12)",
            "com.example.shop.Main.run(Main.java:9)",
        ],
    )
    found = r.findings("SENSITIVE_WITHOUT_SEPARATE_CONSENT")
    assert sorted(f["sdk"] or "app" for f in found) == ["Umeng", "app"], found


@pytest.mark.parametrize(
    "permissions, before_consent, fires",
    [
        (
            [
                "android.permission.CAMERA",
                "android.permission.READ_CONTACTS",
                "android.permission.RECORD_AUDIO",
            ],
            False,
            True,
        ),
        (["android.permission.CAMERA", "android.permission.READ_CONTACTS"], False, False),
        (["android.permission.CAMERA"], True, True),
    ],
)
def test_permission_bundling(run, permissions, before_consent, fires):
    r = run()
    r.consent(T0)
    ts = T0 + (-S if before_consent else S)
    r.hook(
        ts,
        "androidx.core.app.ActivityCompat.requestPermissions",
        args=["Activity@1", permissions, 1],
        signal="permission_request",
    )
    r.hook(
        ts + MS, "android.app.Activity.requestPermissions", args=[permissions, 1], signal="permission_request"
    )
    found = r.findings("PERMISSION_BUNDLING")
    assert len(found) == (1 if fires else 0)  # the helper delegating to Activity is one prompt


@pytest.mark.parametrize("grant, fires", [(-1, True), (0, False)])
def test_repeated_permission_request(run, grant, fires):
    r = run()
    r.consent(T0 - S)
    contacts = ["android.permission.READ_CONTACTS"]
    r.hook(T0, "android.app.Activity.requestPermissions", args=[contacts, 1], signal="permission_request")
    r.hook(
        T0 + MS,
        "android.app.Activity.onRequestPermissionsResult",
        args=[1, contacts, {"hex": "ff" if grant else "00", "length": 1, "truncated": False}],
        signal="permission_result",
    )
    r.hook(
        T0 + 5 * S, "android.app.Activity.requestPermissions", args=[contacts, 2], signal="permission_request"
    )
    assert bool(r.findings("REPEATED_PERMISSION_REQUEST")) is fires


@pytest.mark.parametrize("after_s, fires", [(9, True), (11, False)])
def test_forced_exit_after_refusal(run, after_s, fires):
    r = run(scenario="refuse")
    r.consent(T0, kind="refuse")
    r.hook(T0 + after_s * S, "android.app.Activity.finish", signal="lifecycle")
    assert bool(r.findings("FORCED_EXIT_AFTER_REFUSAL")) is fires


def test_self_or_associated_start_names_the_other_app(run):
    r = run()
    r.hook(
        T0,
        "android.app.ContextImpl.startActivity",
        args=["Intent { act=null pkg=null cmp=ComponentInfo{com.tencent.mm/com.tencent.mm.ui.LauncherUI} }"],
        signal="start_component",
    )
    r.hook(T0 + S, "android.app.AlarmManager.set", args=[0, 1, None], signal="wakeup")
    found = r.findings("SELF_OR_ASSOCIATED_START")
    assert {f["evidence"]["target"] for f in found} == {"com.tencent.mm", "AlarmManager.set"}


def test_reanalysis_is_identical(run):
    r = run()
    r.imei(T0)
    r.send(T0 + S, IMEI.encode(), scheme="http", ip="157.240.22.35")
    first = [(f["fingerprint"], f["rule_id"], f["title"], f["evidence"]) for f in r.findings()]
    again = [(f["fingerprint"], f["rule_id"], f["title"], f["evidence"]) for f in r.findings()]
    assert first == again and len(first) >= 5


def test_a_prompt_and_its_own_result_in_the_same_millisecond_are_not_a_repeat(run):
    r = run()
    r.consent(T0 - S)
    contacts = ["android.permission.READ_CONTACTS"]
    # recorded in the order the calls returned: the result first, then the delegating requests
    r.hook(
        T0,
        "android.app.Activity.onRequestPermissionsResult",
        args=[1, contacts, [-1]],
        signal="permission_result",
    )
    r.hook(T0, "android.app.Activity.requestPermissions", args=[contacts, 1], signal="permission_request")
    r.hook(
        T0,
        "androidx.core.app.ActivityCompat.requestPermissions",
        args=["Activity@1", contacts, 1],
        signal="permission_request",
    )
    assert r.findings("REPEATED_PERMISSION_REQUEST") == []
    r.hook(
        T0 + 2 * S, "android.app.Activity.requestPermissions", args=[contacts, 1], signal="permission_request"
    )
    assert len(r.findings("REPEATED_PERMISSION_REQUEST")) == 1
