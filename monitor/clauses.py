"""A finding's stored citation in one language, for every reader (CLI, dashboard, exports).

The analysis stores each citation whole, {document, ref, zh, en} (analysis/citations.py);
findings stored before that kept one plain string, shown as it is."""

from __future__ import annotations


def clause_text(clause, lang: str = "en") -> str:
    if isinstance(clause, dict):
        return str(clause.get(lang) or clause.get("en") or clause.get("ref") or "")
    return str(clause)


def clauses_text(clauses, lang: str = "en", sep: str = "; ") -> str:
    return sep.join(clause_text(c, lang) for c in clauses or [])
