"""The benchmark harness: pairs, median and spread, no verdict on a busy machine, the dated table."""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import harness  # noqa: E402


def _args(pairs=5):
    return argparse.Namespace(pairs=pairs, warmup=1, budget=None, record=False)


def test_pairs_alternate_and_the_verdict_is_on_the_median(monkeypatch):
    calls = []
    a_values = iter([99, 10, 10, 10, 10, 10])  # the first is the warm-up: not counted
    b_values = iter([1, 9, 8, 20, 9, 9])
    monkeypatch.setattr(harness, "load", lambda: 0.0)
    monkeypatch.setattr(harness, "cpu_in_use", lambda: 0.05)
    comparison = harness.Comparison("t", "b / a", lambda a, b: b / a, 0.85)
    result = harness.run_pairs(
        comparison,
        lambda: calls.append("A") or next(a_values),
        lambda: calls.append("B") or next(b_values),
        _args(),
        show=lambda _m: None,
    )
    assert calls == ["A", "B"] * 6
    assert result.ratios == [0.9, 0.8, 2.0, 0.9, 0.9]
    assert result.median == 0.9 and result.iqr == (0.9, 0.9)
    assert result.verdict == "met"  # one wild pair does not move the median


def test_a_busy_machine_gets_no_verdict(monkeypatch):
    monkeypatch.setattr(harness, "load", lambda: 0.1)
    monkeypatch.setattr(harness, "cpu_in_use", lambda: 0.9)  # another program is using the CPU now
    comparison = harness.Comparison("t", "b / a", lambda a, b: b / a, 0.5)
    result = harness.run_pairs(comparison, lambda: 1.0, lambda: 1.0, _args(3), show=lambda _m: None)
    assert result.verdict.startswith("no verdict: the machine was busy")


def test_record_appends_dated_rows_and_keeps_history(tmp_path, monkeypatch):
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\n## Writer\n\nold notes\n", encoding="utf-8")
    monkeypatch.setattr(harness, "PERFORMANCE_DOC", doc)
    monkeypatch.setattr(harness, "load", lambda: 0.0)
    monkeypatch.setattr(harness, "cpu_in_use", lambda: 0.05)
    comparison = harness.Comparison("writer", "w / raw", lambda a, b: b / a, 0.5)
    for _ in range(2):
        result = harness.run_pairs(comparison, lambda: 2.0, lambda: 1.5, _args(3), show=lambda _m: None)
        harness.record([result])
    text = doc.read_text(encoding="utf-8")
    assert "old notes" in text and text.count(harness.TABLE_HEADING) == 1
    rows = [line for line in text.splitlines() if line.startswith("| ") and "| writer |" in line]
    assert len(rows) == 2 and all("| 0.750 |" in r and "| ≥ 0.5 | met |" in r for r in rows)
