"""A batch's per-app overhead: everything outside the app's own scenario time (installing the APK,
preparing and restoring the phone, the proxy and the agent, the analysis, uninstalling), measured
on the lab's simulated phone with the lab apps' real APKs, side by side in one run:

- A: the seconds each app spent running its scenarios under capture (the batch ledger's app_seconds),
- B: the seconds its runs took in all (seconds, from the batch's start of the app to its end),
- reported: B − A per app; target <= 5 s per app and scenario run.

    .venv/bin/python bench/bench_batch.py [--rounds 2] [--scenario agree] [--record]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

from tests.simphone import simulated_phone  # noqa: E402

PRIVMON = [sys.executable, "-m", "monitor.cli"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="batches run (each over every lab APK)")
    parser.add_argument("--scenario", action="append", help="scenario of every run (default: agree)")
    parser.add_argument("--record", action="store_true", help="append the result to docs/performance.md")
    args = parser.parse_args()
    scenarios = args.scenario or ["agree"]
    comparison = harness.Comparison(
        "batch overhead",
        "seconds per run outside the app's scenario (run − app)",
        lambda app, run: run - app,
        5.0,
        at_least=False,
        unit="s",
    )
    result = harness.Result(comparison, load_start=harness.load(), cpu_at_start=harness.cpu_in_use())
    print(f"machine: {harness.machine()}; {result.cpu_at_start:.0%} of the CPU in use before the run")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        env = {**os.environ, "PRIVMON_HOME": str(home)}
        apks = home / "apks"
        subprocess.run([*PRIVMON, "lab", "apks", "-o", str(apks)], env=env, check=True, capture_output=True)
        with simulated_phone() as adbd:
            for round_ in range(args.rounds):
                out = home / f"batch-{round_}"
                command = [*PRIVMON, "batch", "--apk-dir", str(apks), "--device", adbd.serial, "--json"]
                command += ["--out", str(out), "--use-s", "2", "--notice-s", "8", "--background-s", "3"]
                for scenario in scenarios:
                    command += ["--scenario", scenario]
                proc = subprocess.run(
                    command, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
                )
                runs = json.loads(proc.stdout)["runs"]
                for run in runs:
                    result.a.append(run["app_seconds"])
                    result.b.append(run["seconds"])
                    result.ratios.append(run["seconds"] - run["app_seconds"])
                    print(
                        f"round {round_ + 1}: {run['app']} {run['scenario']} ({run['status']}): run "
                        f"{run['seconds']:.1f} s, app {run['app_seconds']:.1f} s, overhead "
                        f"{result.ratios[-1]:.1f} s"
                    )
    result.load_end = harness.load()
    print(result.line())
    if args.record:
        harness.record([result])


if __name__ == "__main__":
    main()
