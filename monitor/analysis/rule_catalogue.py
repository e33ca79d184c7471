"""The rules privmon decides, with their clauses (shared/regulations/CLAUSES.md)."""

from __future__ import annotations

from dataclasses import dataclass

APP = "cac-app-pi-provisions-draft-2021"
CLAST = "clast-001.2-2021-pi-compliance-framework"

SEVERITIES = ("info", "low", "medium", "high", "critical")


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    summary: str
    summary_zh: str
    logic: str
    clauses: tuple[str, ...]


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            "PRECONSENT_COLLECTION",
            "high",
            "PI collected before the user consented",
            "在用户同意隐私政策前收集个人信息",
            "A hooked API call that reads PI happened before the first consent event of the run "
            "(or the run has no consent event). One finding per PI type and caller (SDK or app), listing every API "
            "it went through (Settings.Secure.getString delegates to getStringForUser and NameValueCache).",
            (f"{APP} Art. 6(3)", f"{CLAST} 6.2.7.1 a) 1)", f"{CLAST} 6.2.6.1 c) 2)–3)"),
        ),
        Rule(
            "PRECONSENT_TRANSMISSION",
            "high",
            "PI sent before the user consented",
            "在用户同意隐私政策前发送个人信息",
            "A value a hook returned was found in a request (plain, URL-encoded, MD5/SHA-1/SHA-256 "
            "hex or base64) sent before the first consent event. One finding per host, PI type and "
            "encoding. Art. 6(5) is cited as well when the receiver is a third party (a known SDK, tracker or "
            "company that is not the app's own domain).",
            (f"{APP} Art. 6(3)",),
        ),
    )
}

THIRD_PARTY_CLAUSE = f"{APP} Art. 6(5)"
SENSITIVE_CATEGORIES = frozenset({"location", "contacts", "sms", "call_log", "biometrics", "health", "financial"})


def severity_for(rule: Rule, pi_category: str | None) -> str:
    """Sensitive PI (CLAUSES.md terms) raises a rule's severity by one step."""
    if pi_category in SENSITIVE_CATEGORIES:
        return SEVERITIES[min(SEVERITIES.index(rule.severity) + 1, len(SEVERITIES) - 1)]
    return rule.severity
