"""findings.csv: one row per finding, the columns testers know from camille and AppScan (SDK, PI
category, stack, clause, review state); findings.xlsx is workbook.py. Cells are data: a captured
value that starts like a formula (= + - @) is prefixed with ' so no spreadsheet evaluates it."""

from __future__ import annotations

import csv
import io

from ..clauses import clauses_text

COLUMNS = [
    "time (UTC)",
    "rule",
    "severity",
    "title",
    "标题",
    "PI category",
    "PI type",
    "SDK",
    "host",
    "encoding",
    "deciding frame",
    "API",
    "条款",
    "clauses",
    "review",
    "reviewer",
    "review note",
    "fingerprint",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def finding_rows(findings: list[dict]) -> list[list[str]]:
    rows = []
    for f in findings:
        ev = f["evidence"]
        attribution = ev.get("attribution") or (ev.get("data_flow") or {}).get("collected_by") or {}
        review = f.get("review") or {}
        rows.append(
            [
                _cell(v)
                for v in (
                    f["ts"],
                    f["rule_id"],
                    f["severity"],
                    f["title"],
                    f.get("title_zh"),
                    f["pi_category"],
                    f["pi_type"],
                    f["sdk"],
                    f["host"],
                    f["encoding"],
                    attribution.get("deciding_frame"),
                    ev.get("api"),
                    clauses_text(f["clauses"], "zh", "；"),
                    clauses_text(f["clauses"], "en"),
                    review.get("state", "open"),
                    review.get("reviewer"),
                    review.get("note"),
                    f["fingerprint"],
                )
            ]
        )
    return rows


def findings_csv(findings: list[dict]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    writer.writerows(finding_rows(findings))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8 (Chinese titles)
