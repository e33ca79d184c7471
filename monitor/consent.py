"""Consent signals: which clicked texts mean agree or refuse.

Matching is on the whole normalised text, never a substring: 不同意 contains 同意.
"""

from __future__ import annotations

import re

AGREE_TEXTS = frozenset(
    {
        "同意", "同意并继续", "我同意", "同意并进入", "同意并使用", "同意协议", "接受", "同意并授权",
        "agree", "i agree", "agree and continue", "accept", "accept all", "i accept", "allow",
    }
)
REFUSE_TEXTS = frozenset(
    {
        "不同意", "拒绝", "暂不同意", "不同意并退出", "不同意并离开", "退出", "暂不使用", "仅浏览",
        "disagree", "i disagree", "decline", "reject", "reject all", "refuse", "deny", "don't allow",
    }
)

_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text).strip().strip("。.!！").lower()


def classify_click(text: str | None) -> str | None:
    """'consent', 'refuse' or None for the text of a clicked view."""
    if not text:
        return None
    norm = normalise(text)
    if norm in AGREE_TEXTS:
        return "consent"
    if norm in REFUSE_TEXTS:
        return "refuse"
    return None
