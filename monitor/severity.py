"""The severity ladder, defined once, lowest first."""

from __future__ import annotations

SEVERITIES = ("info", "low", "medium", "high", "critical")
HIGHEST_FIRST = tuple(reversed(SEVERITIES))
SEVERITY_ZH = {"critical": "严重", "high": "高", "medium": "中", "low": "低", "info": "提示"}


def rank(severity: str) -> int:
    """0 for the most severe; unknown severities sort last."""
    return HIGHEST_FIRST.index(severity) if severity in HIGHEST_FIRST else len(HIGHEST_FIRST)


def at_least(severity: str, threshold: str) -> bool:
    return SEVERITIES.index(severity) >= SEVERITIES.index(threshold)


def raise_severity(severity: str, steps: int = 1) -> str:
    return SEVERITIES[max(0, min(SEVERITIES.index(severity) + steps, len(SEVERITIES) - 1))]
