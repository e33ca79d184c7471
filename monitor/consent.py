"""Consent signals: what a hooked click, dialog, preference write or SDK privacy call means for
the consent timeline, with the source's confidence.

Click texts match on the whole normalised text, never a substring: 不同意 contains 同意.
Vocabulary can be extended per app (app profile `agree_texts` / `refuse_texts`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

AGREE_TEXTS = frozenset(
    {
        "同意",
        "同意并继续",
        "我同意",
        "同意并进入",
        "同意并使用",
        "同意协议",
        "接受",
        "同意并授权",
        "好的",
        "知道了并同意",
        "agree",
        "i agree",
        "agree and continue",
        "accept",
        "accept all",
        "i accept",
        "allow",
    }
)
REFUSE_TEXTS = frozenset(
    {
        "不同意",
        "拒绝",
        "暂不同意",
        "仍不同意",
        "仍然不同意",
        "坚持拒绝",
        "不同意并退出",
        "不同意并离开",
        "退出",
        "暂不使用",
        "仅浏览",
        "disagree",
        "i disagree",
        "decline",
        "reject",
        "reject all",
        "refuse",
        "deny",
        "don't allow",
    }
)
WITHDRAW_TEXTS = frozenset({"撤回同意", "撤销同意", "撤回授权", "withdraw consent", "revoke consent"})
GUARDIAN_TEXTS = frozenset(
    {
        "监护人同意",
        "我是监护人并同意",
        "家长同意",
        "guardian consent",
        "i am the parent or guardian and agree",
    }
)
NOTICE_WORDS = ("隐私", "个人信息", "用户协议", "privacy", "personal information", "terms of service")

# Hook-event signals a consent event can be judged from (signal_for); capture hands them on as they
# arrive (screenshots) without judging them.
CONSENT_SIGNALS = frozenset({"click", "dialog", "pref_write", "sdk_consent"})

# Consent events: what happened to the consent state.
KINDS = ("notice", "notice_dismissed", "consent", "refuse", "withdraw", "guardian_consent")
DECISION_KINDS = ("consent", "refuse", "withdraw", "guardian_consent")

# How far each source is trusted, and so which wins when sources disagree (highest first):
# the tester's own marks, then what the user visibly did, then what the app told an SDK, then
# what the app wrote to its preferences. Documented in docs/consent.md.
CONFIDENCE = {
    "manual": 1.0,
    "key": 1.0,
    "dashboard": 1.0,
    "automatic": 1.0,
    "click": 0.9,
    "dialog": 0.8,
    "sdk_api": 0.8,
    "pref_write": 0.6,
}
PRECEDENCE = ("tester", "click", "sdk_api", "pref_write")
SOURCE_CLASS = {
    "manual": "tester",
    "key": "tester",
    "dashboard": "tester",
    "automatic": "tester",
    "click": "click",
    "sdk_api": "sdk_api",
    "pref_write": "pref_write",
    "dialog": "click",
}

_SPACE = re.compile(r"\s+")
_CONSENT_KEY = re.compile(r"privacy|agree|consent|policy|protocol|gdpr|隐私|同意|协议|授权", re.IGNORECASE)
_TRUE = {"true", "1", "yes", "agree", "agreed", "accepted", "y"}
_FALSE = {"false", "0", "no", "disagree", "refused", "rejected", "n"}


@dataclass(frozen=True)
class Vocabulary:
    agree: frozenset[str] = AGREE_TEXTS
    refuse: frozenset[str] = REFUSE_TEXTS
    withdraw: frozenset[str] = WITHDRAW_TEXTS
    guardian: frozenset[str] = GUARDIAN_TEXTS

    def extended(self, agree=(), refuse=()) -> "Vocabulary":
        return Vocabulary(
            self.agree | {normalise(t) for t in agree},
            self.refuse | {normalise(t) for t in refuse},
            self.withdraw,
            self.guardian,
        )


DEFAULT_VOCABULARY = Vocabulary()


@dataclass(frozen=True)
class Signal:
    kind: str
    source: str
    detail: str | None

    @property
    def confidence(self) -> float:
        return CONFIDENCE[self.source]


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text).strip().strip("。.!！").lower()


def classify_click(text: str | None, vocabulary: Vocabulary = DEFAULT_VOCABULARY) -> str | None:
    """'consent', 'refuse', 'withdraw', 'guardian_consent' or None for a clicked view's text."""
    if not text:
        return None
    norm = normalise(text)
    for kind, words in (
        ("guardian_consent", vocabulary.guardian),
        ("withdraw", vocabulary.withdraw),
        ("consent", vocabulary.agree),
        ("refuse", vocabulary.refuse),
    ):
        if norm in words:
            return kind
    return None


def classify_dialog(method: str, text: str | None) -> str | None:
    """A privacy notice shown or dismissed: a dialog whose text speaks of privacy or PI."""
    if not text or not any(word in text.lower() for word in NOTICE_WORDS):
        return None
    return "notice" if method == "show" else "notice_dismissed" if method == "dismiss" else None


def classify_pref_write(key: object, value: object) -> str | None:
    """A SharedPreferences write of a consent-like key: IAB TCF strings, or names such as
    privacy_agreed / isAgreePolicy / 隐私同意 with a boolean-like value."""
    if not isinstance(key, str):
        return None
    if key.startswith("IABTCF_"):
        if key == "IABTCF_PurposeConsents" and isinstance(value, str) and value:
            return "consent" if value[0] == "1" else "refuse"
        if key == "IABTCF_TCString" and isinstance(value, str):
            return "consent" if value else None
        return None
    if not _CONSENT_KEY.search(key):
        return None
    text = str(value).strip().lower() if value is not None else ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    if text in _TRUE:
        return "consent"
    if text in _FALSE:
        return "refuse"
    return None


def signal_for(
    signal: str | None,
    method: str,
    args: list,
    self_value: object,
    consent_arg: int | None,
    api: str,
    vocabulary: Vocabulary = DEFAULT_VOCABULARY,
) -> Signal | None:
    """The consent event a hooked call stands for, if any."""
    if signal == "click":
        kind = classify_click(self_value if isinstance(self_value, str) else None, vocabulary)
        return Signal(kind, "click", self_value) if kind else None
    if signal == "dialog":
        text = self_value.get("text") if isinstance(self_value, dict) else self_value
        kind = classify_dialog(method, text if isinstance(text, str) else None)
        return Signal(kind, "dialog", text[:500]) if kind else None
    if signal == "pref_write" and len(args) >= 2:
        kind = classify_pref_write(args[0], args[1])
        return Signal(kind, "pref_write", f"{args[0]}={str(args[1])[:200]}") if kind else None
    if (
        signal == "sdk_consent"
        and consent_arg is not None
        and consent_arg < len(args)
        and isinstance(args[consent_arg], bool)
    ):
        return Signal("consent" if args[consent_arg] else "refuse", "sdk_api", api)
    return None
