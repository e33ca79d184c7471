"""Generates docs/rules.md from the rule catalogue (a test fails when it is out of date).

.venv/bin/python -m monitor.analysis.rule_docs
"""

from __future__ import annotations

from ..config import PACKAGE_ROOT
from .citations import DOCUMENTS
from .rule_catalogue import RULES, SENSITIVE_CATEGORIES, THIRD_PARTY_CLAUSE

RULES_DOC = PACKAGE_ROOT / "docs" / "rules.md"


def render() -> str:
    lines = [
        "# Rule catalogue",
        "",
        "Generated from `monitor/analysis/rule_catalogue.py` by `python -m monitor.analysis.rule_docs`;",
        "do not edit by hand. Each clause is cited as findings, reports and the dashboard cite it: the",
        "document's title, issuer and date, then the article or section, in Chinese and in English.",
        "",
        "## Documents cited",
        "",
        "| document | 文件 | issuer, date | 发布 |",
        "| --- | --- | --- | --- |",
        *(f"| {d.title_en} | {d.title_zh} | {d.source_en} | {d.source_zh} |" for d in DOCUMENTS.values()),
        "",
        f"Severity rises one step for sensitive PI categories ({', '.join(sorted(SENSITIVE_CATEGORIES))}).",
        "",
    ]
    for rule in RULES.values():
        lines += [
            f"## `{rule.id}`",
            "",
            f"{rule.summary} — {rule.summary_zh}",
            "",
            f"- Default severity: {rule.severity}",
            f"- Logic: {rule.logic}",
            "- Clauses 条款:",
            *(f"  - {c.zh} / {c.en}" for c in rule.clauses),
        ]
        if rule.parameters:
            lines.append("- Parameters (override per app in its app profile, `rules:`):")
            lines += [
                f"  - `{name}` = `{value!r}`: {rule.parameter_docs[name]}"
                for name, value in rule.parameters.items()
            ]
        lines.append("")
    lines += [
        f"Receivers that are third parties add {THIRD_PARTY_CLAUSE.zh} / {THIRD_PARTY_CLAUSE.en} to "
        "transmission findings.",
        "",
        "Every finding has a fingerprint built from what it is about (rule, PI type, caller or receiver), "
        "never",
        "from ids or times, so reviewer decisions and `privmon diff` survive re-analysis and compare runs.",
        "",
        "The consent timeline the rules judge by is described in docs/consent.md.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    RULES_DOC.write_text(render(), encoding="utf-8")
    print(f"wrote {RULES_DOC}")


if __name__ == "__main__":
    main()
