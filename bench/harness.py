"""Paired benchmark runs that can tell a regression from noise.

Each benchmark measures two sides (A: the floor or the baseline, B: privmon) alternately, A B A B …,
after warm-up rounds that are not counted; the ratio is taken pair by pair, so a slow minute of
the machine hits both sides of a pair alike. The verdict is on the median ratio, printed with its
interquartile range and the number of pairs, and only when the machine was quiet: a run that
starts (or ends) on a busy machine says so instead of printing a verdict. Client/server benchmarks
pin the load generator and origin to one core and the process under test to another.

`--record` appends the run to the dated table in docs/performance.md (older rows stay).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

PERFORMANCE_DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
TABLE_HEADING = "## Benchmark runs"
TABLE_HEADER = (
    "| date (UTC) | benchmark | ratio | machine | load at start → end | pairs | median | IQR | target "
    "| verdict |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
)
BUSY_CPU_SHARE = 0.25  # share of the machine's CPU in use, just before a run, above which it gives no verdict
SAMPLE_S = 2.0


def add_arguments(parser: argparse.ArgumentParser, pairs: int = 10) -> None:
    parser.add_argument(
        "--pairs", type=int, default=pairs, help=f"pairs measured after warm-up (default {pairs})"
    )
    parser.add_argument("--warmup", type=int, default=1, help="warm-up pairs, not counted (default 1)")
    parser.add_argument(
        "--budget",
        type=float,
        default=None,
        help="seconds: stop after the pair that crosses it (at least 3 pairs)",
    )
    parser.add_argument("--record", action="store_true", help="append the results to docs/performance.md")


# The cores this benchmark may use, read before anything is pinned.
_CORES = (
    sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else list(range(os.cpu_count() or 1))
)


def cores() -> list[int]:
    return _CORES


def pin(pid: int, cpus: list[int]) -> None:
    """Pins a process (0: this one) to these cores, where the machine has them."""
    if cpus and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(pid, set(cpus))


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def split_cores() -> tuple[list[int], list[int]]:
    """(cores for the load generator and origin, cores for the process under test): apart when the
    machine has two or more, shared otherwise."""
    available = cores()
    if len(available) < 2:
        return available, available
    return available[:1], available[1:]


def load() -> float:
    return os.getloadavg()[0]


def _cpu_times() -> tuple[int, int]:
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields), idle


def cpu_in_use(seconds: float = SAMPLE_S) -> float:
    """The share of the machine's CPU in use over the next `seconds` (what else is running now; the
    load average lags a minute behind, and would blame a benchmark for the one before it)."""
    try:
        total0, idle0 = _cpu_times()
        time.sleep(seconds)
        total1, idle1 = _cpu_times()
    except (OSError, ValueError, IndexError):
        return 0.0
    return 1.0 - (idle1 - idle0) / max(1, total1 - total0)


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores"


@dataclass
class Comparison:
    """What a benchmark compares: B against A, as `ratio(a, b)`, and the target on the median."""

    benchmark: str
    ratio_name: str  # e.g. "addon / plain mitmdump"
    ratio: Callable[[float, float], float]
    target: float | None  # None: reported, not judged
    at_least: bool = True  # the target is a floor (ratio >= target) or a ceiling (ratio <= target)
    unit: str = ""  # for the sides' values, e.g. "requests/s"


@dataclass
class Result:
    comparison: Comparison
    a: list[float] = field(default_factory=list)
    b: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    load_start: float = 0.0
    load_end: float = 0.0
    cpu_at_start: float = 0.0  # share of the CPU in use just before the run

    @property
    def median(self) -> float:
        return statistics.median(self.ratios)

    @property
    def iqr(self) -> tuple[float, float]:
        if len(self.ratios) < 2:
            return self.ratios[0], self.ratios[0]
        q = statistics.quantiles(self.ratios, n=4, method="inclusive")
        return q[0], q[2]

    @property
    def busy(self) -> bool:
        return self.cpu_at_start > BUSY_CPU_SHARE

    @property
    def verdict(self) -> str:
        if self.busy:
            return (
                f"no verdict: the machine was busy ({self.cpu_at_start:.0%} of its CPU in use before the "
                f"run, load {self.load_start:.2f} on {len(cores())} cores)"
            )
        c = self.comparison
        if c.target is None:
            return "reported (no target)"
        met = self.median >= c.target if c.at_least else self.median <= c.target
        low, high = self.iqr
        straddles = low < c.target < high
        return ("met" if met else "missed") + (" (the spread straddles the target)" if straddles else "")

    def line(self) -> str:
        c = self.comparison
        low, high = self.iqr
        return (
            f"{c.benchmark}: {c.ratio_name} median {self.median:.3f} (IQR {low:.3f}–{high:.3f}, "
            f"{len(self.ratios)} pairs; load {self.load_start:.2f} → {self.load_end:.2f}); "
            f"target {target_text(c)}: {self.verdict}"
        )


def target_text(c: Comparison) -> str:
    return "none" if c.target is None else f"{'≥' if c.at_least else '≤'} {c.target:g}"


def derived(comparison: Comparison, of: Result, value: Callable[[float, float], float]) -> Result:
    """Another view of the same pairs (e.g. privmon's own time against an absolute target)."""
    out = Result(
        comparison,
        of.a,
        of.b,
        [value(a, b) for a, b in zip(of.a, of.b)],
        of.load_start,
        of.load_end,
        of.cpu_at_start,
    )
    print(out.line())
    return out


def run_pairs(
    comparison: Comparison,
    measure_a: Callable[[], float],
    measure_b: Callable[[], float],
    args: argparse.Namespace,
    show: Callable[[str], None] = print,
) -> Result:
    """Warm-up pairs, then pairs A B until `args.pairs` (or the budget) is reached."""
    result = Result(comparison, load_start=load(), cpu_at_start=cpu_in_use())
    show(
        f"machine: {machine()}; load at start {result.load_start:.2f}, "
        f"{result.cpu_at_start:.0%} of the CPU in use before the run"
    )
    for _ in range(args.warmup):
        measure_a()
        measure_b()
    started = time.monotonic()
    while len(result.ratios) < args.pairs:
        a, b = measure_a(), measure_b()
        result.a.append(a)
        result.b.append(b)
        result.ratios.append(comparison.ratio(a, b))
        unit = f" {comparison.unit}" if comparison.unit else ""
        show(
            f"pair {len(result.ratios):2d}: A {a:,.4g}{unit}  B {b:,.4g}{unit}  ratio {result.ratios[-1]:.3f}"
        )
        if args.budget is not None and time.monotonic() - started > args.budget and len(result.ratios) >= 3:
            show(f"time budget of {args.budget:.0f} s reached")
            break
    result.load_end = load()
    show(result.line())
    return result


def record(results: list[Result]) -> None:
    """Appends the runs to the dated table of docs/performance.md (created at its end if missing)."""
    text = PERFORMANCE_DOC.read_text(encoding="utf-8") if PERFORMANCE_DOC.exists() else "# Performance\n"
    if TABLE_HEADING not in text:
        text = text.rstrip("\n") + (
            f"\n\n{TABLE_HEADING}\n\nWritten by `make bench` (each script with `--record`): one row per "
            "comparison, newest last; older rows stay as history.\n\n" + TABLE_HEADER + "\n"
        )
    date = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M")
    rows = []
    for r in results:
        low, high = r.iqr
        rows.append(
            f"| {date} | {r.comparison.benchmark} | {r.comparison.ratio_name} | {machine()} | "
            f"{r.load_start:.2f} → {r.load_end:.2f} (CPU {r.cpu_at_start:.0%} in use before) | "
            f"{len(r.ratios)} | {r.median:.3f} | "
            f"{low:.3f}–{high:.3f} | {target_text(r.comparison)} | {r.verdict} |"
        )
    head, _, tail = text.partition(TABLE_HEADING)
    section_end = tail.find("\n## ", 1)
    section, rest = (tail, "") if section_end < 0 else (tail[:section_end], tail[section_end:])
    section = section.rstrip("\n") + "\n" + "\n".join(rows) + "\n"
    PERFORMANCE_DOC.write_text(head + TABLE_HEADING + section + rest, encoding="utf-8")
