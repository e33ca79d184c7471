"""The language of what privmon prints: English (the default) or Chinese, chosen with
`privmon --lang zh …` or PRIVMON_LANG=zh. Each text is written in both where it is printed,
`tr("No flows in this session.", "本会话没有网络请求。")`, so that neither can be forgotten."""

from __future__ import annotations

import os
from typing import TypeVar

T = TypeVar("T")

LANGUAGES = ("en", "zh")
_current = os.environ.get("PRIVMON_LANG") if os.environ.get("PRIVMON_LANG") in LANGUAGES else "en"


def set_language(lang: str) -> None:
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"the language must be en or zh, not {lang!r}")
    _current = lang


def language() -> str:
    return _current


def tr(en: T, zh: T) -> T:
    """The text (or the table's column names) in the language chosen."""
    return zh if _current == "zh" else en
