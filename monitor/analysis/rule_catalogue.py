"""The rules privmon decides, with their parameters and clauses (regulation and article)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..severity import raise_severity
from .citations import Clause

# CLAUSES.md: sensitive PI (whereabouts, communication records, biometrics, health, finance, identity).
SENSITIVE_CATEGORIES = frozenset(
    {"location", "contacts", "sms", "call_log", "biometrics", "health", "financial", "identity"}
)
# What must not be read while the user is not using the app: the sensitive categories, the
# identifiers that follow a person across apps, the phone number, what the camera, microphone and
# clipboard hold, and the app lists (read in the background, they profile the user).
BACKGROUND_CATEGORIES = SENSITIVE_CATEGORIES | frozenset(
    {
        "device_id",
        "network_id",
        "phone_number",
        "camera",
        "microphone",
        "clipboard",
        "installed_apps",
        "running_apps",
        "accounts",
        "calendar",
    }
)
# Dangerous permissions (Android's protection level "dangerous"), for bundling.
DANGEROUS_PERMISSIONS = frozenset(
    {
        "android.permission.READ_CALENDAR",
        "android.permission.WRITE_CALENDAR",
        "android.permission.CAMERA",
        "android.permission.READ_CONTACTS",
        "android.permission.WRITE_CONTACTS",
        "android.permission.GET_ACCOUNTS",
        "android.permission.ACCESS_FINE_LOCATION",
        "android.permission.ACCESS_COARSE_LOCATION",
        "android.permission.ACCESS_BACKGROUND_LOCATION",
        "android.permission.RECORD_AUDIO",
        "android.permission.READ_PHONE_STATE",
        "android.permission.READ_PHONE_NUMBERS",
        "android.permission.CALL_PHONE",
        "android.permission.READ_CALL_LOG",
        "android.permission.WRITE_CALL_LOG",
        "android.permission.ADD_VOICEMAIL",
        "android.permission.USE_SIP",
        "android.permission.BODY_SENSORS",
        "android.permission.SEND_SMS",
        "android.permission.RECEIVE_SMS",
        "android.permission.READ_SMS",
        "android.permission.RECEIVE_WAP_PUSH",
        "android.permission.RECEIVE_MMS",
        "android.permission.READ_EXTERNAL_STORAGE",
        "android.permission.WRITE_EXTERNAL_STORAGE",
        "android.permission.READ_MEDIA_IMAGES",
        "android.permission.READ_MEDIA_VIDEO",
        "android.permission.READ_MEDIA_AUDIO",
        "android.permission.ACTIVITY_RECOGNITION",
        "android.permission.BLUETOOTH_SCAN",
        "android.permission.BLUETOOTH_CONNECT",
        "android.permission.NEARBY_WIFI_DEVICES",
        "android.permission.POST_NOTIFICATIONS",
    }
)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    summary: str
    summary_zh: str
    logic: str
    clauses: tuple[Clause, ...]
    parameters: dict[str, Any] = field(default_factory=dict)
    parameter_docs: dict[str, str] = field(default_factory=dict)


def _rule(id, severity, summary, summary_zh, logic, clauses, **params) -> Rule:
    values = {k: v[0] for k, v in params.items()}
    docs = {k: v[1] for k, v in params.items()}
    return Rule(id, severity, summary, summary_zh, logic, tuple(clauses), values, docs)


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        _rule(
            "PRECONSENT_COLLECTION",
            "high",
            "PI collected before the user consented",
            "在用户同意隐私政策前收集个人信息",
            "A hooked API call that reads PI happened before the consent in force (see docs/consent.md), or "
            "the "
            "run has no consent. One finding per PI type and caller (SDK or app), listing every API it went "
            "through "
            "(Settings.Secure.getString delegates to getStringForUser and NameValueCache).",
            (Clause("APP", "6(3)"), Clause("CLAST", "6.2.7.1 a) 1)"), Clause("CLAST", "6.2.6.1 c) 2)–3)")),
        ),
        _rule(
            "PRECONSENT_TRANSMISSION",
            "high",
            "PI sent before the user consented",
            "在用户同意隐私政策前发送个人信息",
            "A watched value (returned by a hook, or from the device profile) was found in a request or "
            "WebSocket "
            "message sent before consent, in any encoding of the transform lattice. One finding per host, PI "
            "type "
            "and encoding. Art. 6(5) is cited as well when the receiver is a third party.",
            (Clause("APP", "6(3)"),),
        ),
        _rule(
            "SDK_PRECONSENT",
            "high",
            "A third-party SDK collected or sent PI before consent",
            "第三方SDK在用户同意前收集或发送个人信息",
            "Collection attributed by stack to a known third-party SDK or to unidentified third-party code "
            "(a package neither the app's nor a known SDK's, named by its leading segments), or a "
            "transmission to a receiver the knowledge base names as an SDK or tracker, before consent. One "
            "finding per SDK or package, listing its PI types.",
            (Clause("APP", "10(3)"), Clause("APP", "8(3)")),
        ),
        _rule(
            "POST_REFUSAL",
            "high",
            "PI collected or sent after the user refused or withdrew consent",
            "用户拒绝或撤回同意后仍收集或发送个人信息",
            "Collection or transmission more than `grace_ms` after a refusal or withdrawal that is still in "
            "force "
            "(no later consent). One finding per PI type and caller or receiver.",
            (
                Clause("APP", "6(3)"),
                Clause("CLAST", "5.7.3"),
                Clause("CLAST", "5.7.3.3"),
                Clause("TAOBAO", "III.(4).1"),
            ),
            grace_ms=(
                1000,
                "milliseconds after the refusal in which the app may still finish what it started",
            ),
        ),
        _rule(
            "EXCESSIVE_FREQUENCY",
            "medium",
            "PI read more often than needed",
            "超频次收集个人信息",
            "Reads of one PI category by one caller form a burst while each read follows the previous one by "
            "less "
            "than `window_s / max_reads` seconds (faster than allowed); a burst lasting at least `sustain_s` "
            "is a "
            "finding. Calls within `merge_ms` of each other count as one read (platform delegation).",
            (Clause("APP", "7(1)"), Clause("CLAST", "6.2.4.1 b)")),
            max_reads=(1, "reads allowed per window"),
            window_s=(30, "the window, seconds"),
            sustain_s=(120, "how long the excess must last, seconds"),
            merge_ms=(5, "calls closer than this are one read"),
            per_category=(
                {},
                "per PI category overrides of max_reads/window_s/sustain_s, e.g. {location: {window_s: 10}}",
            ),
        ),
        _rule(
            "BACKGROUND_COLLECTION",
            "high",
            "PI collected while the app was in the background or the screen off",
            "应用在后台或锁屏时收集个人信息",
            "A read of a category in `categories` while the app state (from Activity onResume/onPause/finish "
            "and "
            "PowerManager.isInteractive) is background or screen-off. One finding per PI type and caller.",
            (Clause("APP", "7(1)"), Clause("APP", "7(2)"), Clause("CLAST", "6.2.4.1 a)")),
            categories=(
                sorted(BACKGROUND_CATEGORIES),
                "PI categories judged (default: the sensitive ones, identifiers, the phone number, camera, "
                "microphone, clipboard, app lists, accounts and calendar)",
            ),
        ),
        _rule(
            "THIRD_PARTY_SHARING",
            "medium",
            "PI sent to a third party",
            "向第三方提供个人信息",
            "A watched value reached a receiver that is not the app's first party (app profile own_domains, "
            "or "
            "the package name) and that the knowledge base names as an SDK, tracker or company. Severity: "
            "high "
            "before consent or after refusal, medium after consent, one step higher for sensitive PI. One "
            "finding "
            "per receiver domain and PI type.",
            (
                Clause("APP", "6(5)"),
                Clause("APP", "10(5)"),
                Clause("CLAST", "6.6"),
                Clause("TAOBAO", "III.(2).1"),
                Clause("ECOM", "三.4"),
            ),
        ),
        _rule(
            "CROSS_BORDER_TRANSFER",
            "high",
            "PI sent to a server outside the jurisdiction",
            "个人信息出境",
            "A watched value reached a server whose IP address is in a country other than the app profile's "
            "jurisdiction (CN by default), by the offline iptocc database. Receivers without a known IP are "
            "not "
            "judged. One finding per host and PI type.",
            (
                Clause("CLAST", "7.2.2"),
                Clause("CLAST", "7.2.3"),
                Clause("CLAST", "7.2.4"),
                Clause("CLAST", "7.2.5"),
                Clause("CLAST", "7.2.6"),
                Clause("TAOBAO", "III.(2).2"),
            ),
        ),
        _rule(
            "CLEARTEXT_TRANSMISSION",
            "high",
            "PI sent without TLS",
            "明文传输个人信息",
            "A watched value in a request or WebSocket message sent over plain HTTP (ws://). One finding per "
            "host "
            "and PI type.",
            (Clause("TAOBAO", "III.(3).3"), Clause("CLAST", "5.10.2 1)"), Clause("CHILD", "13")),
        ),
        _rule(
            "SENSITIVE_WITHOUT_SEPARATE_CONSENT",
            "high",
            "Sensitive PI read without a prompt of its own",
            "未单独征得同意收集敏感个人信息",
            "The first read of a sensitive category by each caller (the app, each SDK; its catalogue entry "
            "names a permission) happened with no runtime-permission request for that permission earlier "
            "in the run.",
            (Clause("APP", "6(6)"), Clause("CLAST", "6.2.7.1 a) 2)–3)"), Clause("ECOM", "三.1")),
        ),
        _rule(
            "PERMISSION_BUNDLING",
            "medium",
            "Permissions requested in bulk or before consent",
            "捆绑申请权限或在同意前申请权限",
            "A requestPermissions call asking for `min_bundle` or more dangerous permissions at once, or for "
            "any "
            "dangerous permission before consent.",
            (Clause("APP", "6(4)"), Clause("APP", "7(3)")),
            min_bundle=(3, "dangerous permissions in one request that count as bundling"),
        ),
        _rule(
            "REPEATED_PERMISSION_REQUEST",
            "medium",
            "A denied permission asked for again",
            "用户拒绝后重复申请权限",
            "onRequestPermissionsResult reported a permission denied, and a later requestPermissions call in "
            "the "
            "run (one run is far inside the 48 h window) asks for it again.",
            (Clause("APP", "7(3)"),),
        ),
        _rule(
            "FORCED_EXIT_AFTER_REFUSAL",
            "high",
            "The app closed itself after a refusal",
            "用户拒绝后强制退出应用",
            "Within `within_s` seconds of a refusal (of the privacy policy or of a permission), the app "
            "called "
            "System.exit / Process.killProcess / Activity.finish, or its process ended.",
            (Clause("APP", "7(3)"), Clause("APP", "7(5)")),
            within_s=(10, "seconds after the refusal"),
        ),
        _rule(
            "SELF_OR_ASSOCIATED_START",
            "medium",
            "The app started other apps or woke itself",
            "应用自启动或关联启动",
            "startActivity / startService / bindService with an Intent for another package, or a wake-up "
            "scheduled without user action (AlarmManager, JobScheduler, WorkManager, a Service started). One "
            "finding "
            "per target.",
            (Clause("APP", "7(4)"), Clause("APP", "10(3)")),
        ),
        _rule(
            "CHILD_DATA_WITHOUT_GUARDIAN_CONSENT",
            "critical",
            "A children's app collected PI before guardian consent",
            "儿童应用在监护人同意前收集个人信息",
            "The app profile marks the app as directed at children (children: true), and PI was read "
            "before a guardian consent (a click on a guardian-consent text, or a manual mark with kind "
            "guardian_consent).",
            (
                Clause("CHILD", "9"),
                Clause("CHILD", "10"),
                Clause("CLAST", "6.2.7.1 a) 4)"),
                Clause("TAOBAO", "III.(1).6"),
            ),
        ),
        _rule(
            "REFLECTIVE_ACCESS",
            "medium",
            "A sensitive API reached through reflection",
            "通过反射调用敏感接口",
            "The stack of a PI read shows Method.invoke directly above the hooked API. One finding per API "
            "and "
            "caller.",
            (Clause("TAOBAO", "III.(3).8"),),
        ),
        _rule(
            "PLAINTEXT_LOCAL_STORAGE",
            "medium",
            "PI written to local storage unencrypted",
            "明文本地存储个人信息",
            "A SharedPreferences, SQLite or file write whose arguments hold a watched value in plain text. "
            "One "
            "finding per PI type and storage API.",
            (Clause("TAOBAO", "III.(3).3"), Clause("CHILD", "13"), Clause("ECOM", "三.2")),
        ),
        _rule(
            "NO_NOTICE_AT_FIRST_RUN",
            "high",
            "PI collected in a first run that never showed a privacy notice",
            "首次运行未展示隐私政策即收集个人信息",
            "The run read PI, and no privacy notice was shown (no dialog with privacy text, no consent or "
            "refusal "
            "click, no tester mark) at any time.",
            (Clause("APP", "6(1)"), Clause("CLAST", "5.6.4.2"), Clause("CLAST", "6.2.6.1 c)")),
        ),
        _rule(
            "COLLECTION_BEYOND_DECLARED",
            "medium",
            "PI or a third party the privacy policy does not declare",
            "收集或共享超出声明范围",
            "With the app profile's declared lists given: a PI category (or type) read that "
            "declared_collected "
            "does not name, or a third party (SDK by stack or receiver, company, or domain) that "
            "declared_shared does "
            "not name. Silent when the lists are not given.",
            (
                Clause("APP", "7"),
                Clause("CLAST", "5.4.2"),
                Clause("CLAST", "6.2.5.1 b)–d)"),
                Clause("APP", "8(3)"),
            ),
        ),
    )
}

THIRD_PARTY_CLAUSE = Clause("APP", "6(5)")


def severity_for(rule: Rule, pi_category: str | None, base: str | None = None) -> str:
    """Sensitive PI (CLAUSES.md terms) raises a rule's severity by one step."""
    severity = base or rule.severity
    return raise_severity(severity) if pi_category in SENSITIVE_CATEGORIES else severity


def parameters(rule_id: str, overrides: dict[str, dict[str, Any]] | None) -> dict[str, Any]:
    return {**RULES[rule_id].parameters, **((overrides or {}).get(rule_id) or {})}
