"""`privmon batch`: a list of apps × a list of scenarios, run one after another on one phone.

Each run is a whole `privmon run` (the phone prepared and restored, a fresh first launch, the
scenario performed by privmon's driver, the analysis); an app privmon installed from an APK is
uninstalled after its last scenario. Every finished run is appended to the batch's ledger
(`batch.jsonl` in the output folder) as it ends, so a batch killed at any point and started again
with the same folder skips the runs it finished and redoes the one it was in. One failing run
never stops the batch: it is recorded as `failed` with its reason."""

from __future__ import annotations

import csv
import json
import signal
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

LEDGER = "batch.jsonl"
SEVERITIES = ("critical", "high", "medium", "low", "info")
CSV_COLUMNS = (
    "app",
    "version",
    "scenario",
    "status",
    "reason",
    "session",
    "seconds",
    *SEVERITIES,
    "not_done",
)


class BatchError(ValueError):
    """The batch cannot start (no apps, an APK that is not one)."""


@dataclass(frozen=True)
class BatchApp:
    package: str
    apk: Path | None = None

    @property
    def key(self) -> str:
        return str(self.apk) if self.apk else self.package


@dataclass
class BatchRecord:
    app: str
    scenario: str
    status: str  # completed | incomplete | interrupted | failed
    reason: str | None
    session: str | None = None
    version: str | None = None
    seconds: float = 0.0  # the whole run: set-up, the app, analysis, teardown
    app_seconds: float = 0.0  # the app's own scenario time within it
    findings: dict[str, int] = field(default_factory=dict)  # by severity
    not_done: list[str] = field(default_factory=list)  # what privmon could not do
    apk: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        """As BatchApp.key, with the scenario: what the ledger knows a run by."""
        return (self.apk or self.app, self.scenario)


def batch_apps(targets: list[str], apk_dir: Path | None, package_of: Callable[[Path], str]) -> list[BatchApp]:
    """Packages and APK paths as given, then every *.apk of `apk_dir` (sorted by name)."""
    apks: list[Path] = []
    apps: list[BatchApp] = []
    for target in targets:
        if target.endswith(".apk") or Path(target).is_file():
            apks.append(Path(target))
        elif _is_package(target):
            apps.append(BatchApp(target))
        else:
            raise BatchError(f"{target!r} is neither a package name (com.example.app) nor an .apk file")
    if apk_dir is not None:
        if not apk_dir.is_dir():
            raise BatchError(f"--apk-dir {apk_dir}: not a folder")
        found = sorted(apk_dir.glob("*.apk"))
        if not found:
            raise BatchError(f"--apk-dir {apk_dir}: no .apk files in it")
        apks += found
    for apk in apks:
        if not apk.is_file():
            raise BatchError(f"{apk}: no such APK")
        apps.append(BatchApp(package_of(apk), apk.resolve()))
    if not apps:
        raise BatchError("no apps to test: give package names or APK files, or --apk-dir")
    return apps


def _is_package(text: str) -> bool:
    parts = text.split(".")
    return len(parts) >= 2 and all(
        p and (p[0].isalpha() or p[0] == "_") and p.replace("_", "a").isalnum() for p in parts
    )


class Ledger:
    """The batch's record of finished runs, one JSON line each, appended as each run ends."""

    def __init__(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.path = out_dir / LEDGER
        self.records: dict[tuple[str, str], BatchRecord] = {}
        lines = self.path.read_text(encoding="utf-8").splitlines() if self.path.exists() else []
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = BatchRecord(**json.loads(line))
            except (ValueError, TypeError) as exc:
                if number < len(lines):  # only the last line can be cut by a kill: that run is redone
                    raise BatchError(f"{self.path}:{number}: not a batch record ({exc})") from None
                continue
            self.records[record.key] = record

    def done(self, app: BatchApp, scenario: str) -> BatchRecord | None:
        return self.records.get((app.key, scenario))

    def add(self, record: BatchRecord) -> None:
        self.records[record.key] = record
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(asdict(record), ensure_ascii=False) + "\n")
            out.flush()


class Stop:
    """SIGINT/SIGTERM: the run in progress ends (and is restored), is not counted as done, and
    the batch stops."""

    def __init__(self) -> None:
        self.requested = False

    def __enter__(self) -> "Stop":
        self._old = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        for sig in self._old:
            signal.signal(sig, self._handle)
        return self

    def _handle(self, _signum, _frame) -> None:
        self.requested = True
        raise KeyboardInterrupt

    def __exit__(self, *exc) -> None:
        for sig, handler in self._old.items():
            signal.signal(sig, handler)


def write_summary(out_dir: Path, records: list[BatchRecord]) -> tuple[Path, Path]:
    json_path, csv_path = out_dir / "summary.json", out_dir / "summary.csv"
    json_path.write_text(
        json.dumps([asdict(r) for r in records], ensure_ascii=False, indent=2), encoding="utf-8"
    )
    with csv_path.open("w", newline="", encoding="utf-8-sig") as out:  # the BOM: Excel reads UTF-8
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for r in records:
            writer.writerow(
                [
                    r.app,
                    r.version or "",
                    r.scenario,
                    r.status,
                    r.reason or "",
                    r.session or "",
                    f"{r.seconds:.1f}",
                ]
                + [r.findings.get(s, 0) for s in SEVERITIES]
                + ["; ".join(r.not_done)]
            )
    return json_path, csv_path


def severity_counts(findings: list[dict]) -> dict[str, int]:
    counts = Counter(f.get("severity") or "info" for f in findings)
    return {s: counts.get(s, 0) for s in SEVERITIES}
