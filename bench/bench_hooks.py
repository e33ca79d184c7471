"""Hook cost on the lab JVM, measured side by side in one run (DESIGN: ratios, not timed tests).

Prints the median cost of one TelephonyManager.getImei() call: unhooked, hooked without a stack,
hooked with privmon's stack capture, and hooked with the naive capture (getStackTrace() and one
toString() per frame). Target: ours at most half the naive cost. Then the agent's messages per
second while the app makes up to 10,000 hooked calls per second (target: at most 50, i.e. batched;
with stacks one thread cannot reach 10,000 calls/s, so the paced run is made with and without).
Calls are made 25 frames deep, like SDK code under Android's ActivityThread/Looper/Handler.

    .venv/bin/python bench/bench_hooks.py [--calls N] [--rounds R]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.capture.catalogue import load_catalogue  # noqa: E402
from monitor.config import Settings  # noqa: E402
from monitor.device_profile import load_profile  # noqa: E402
from monitor.lab.build import build_app  # noqa: E402
from monitor.run.lab_jvm import LabApp  # noqa: E402
from monitor.run.runs import run_lab  # noqa: E402
from monitor.storage.queries import StoreReader  # noqa: E402
from monitor.storage.writer import EventWriter  # noqa: E402

IMEI_ENTRY = [e for e in load_catalogue() if e["id"] == "android.telephony.TelephonyManager.getImei"]


def run(
    settings: Settings, writer: EventWriter, catalogue, stack_mode: str, props: dict[str, str]
) -> tuple[str, dict]:
    standins, classes = build_app(settings.cache_dir, "bench")
    result = run_lab(
        settings,
        writer,
        LabApp(
            classpath=[standins, classes],
            main_class="com.labapp.bench.BenchMain",
            package="com.labapp.bench",
            profile=load_profile("lab"),
            catalogue=catalogue,
            stack_mode=stack_mode,
            jvm_properties=props,
        ),
        timeout_s=600,
        interactive=False,
    )
    if result.status != "completed":
        raise SystemExit(f"bench run failed: {result.reason}")
    writer.flush()
    with StoreReader(settings.db_path) as reader:
        lines = [m["payload"] for m in reader.agent_messages(result.session_id) if m["type"] == "app:stdout"]
    bench = next(line for line in lines if line.startswith("PRIVMON-BENCH"))
    return bench, result.counts


def median_ns(line: str) -> int:
    return int(re.search(r"median_ns=(\d+)", line).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.load(tmp)
        with EventWriter(settings.db_path) as writer:
            variants = [
                ("unhooked", [], "none"),
                ("hooked, no stack", IMEI_ENTRY, "none"),
                ("hooked, privmon stack", IMEI_ENTRY, "fast"),
                ("hooked, naive stack", IMEI_ENTRY, "naive"),
            ]
            results: dict[str, list[int]] = {name: [] for name, _, _ in variants}
            for _ in range(args.rounds):  # interleaved rounds: noise hits every variant alike
                for name, catalogue, mode in variants:
                    line, _ = run(settings, writer, catalogue, mode, {"privmon.bench.calls": str(args.calls)})
                    results[name].append(median_ns(line))
            med = {name: statistics.median(v) / 1000 for name, v in results.items()}
            for name, us in med.items():
                print(f"{name:24s} median {us:8.1f} µs per call")
            print(
                f"privmon stack / naive stack: "
                f"{med['hooked, privmon stack'] / med['hooked, naive stack']:.2f}  (target <= 0.5)"
            )

            for mode, label in (("none", "hooked, no stack"), ("fast", "hooked, privmon stack")):
                line, counts = run(
                    settings,
                    writer,
                    IMEI_ENTRY,
                    mode,
                    {
                        "privmon.bench.mode": "paced",
                        "privmon.bench.rate": "10000",
                        "privmon.bench.seconds": "3",
                    },
                )
                elapsed = float(re.search(r"elapsed_s=([\d.]+)", line).group(1))
                calls = int(re.search(r"paced_calls=(\d+)", line).group(1))
                print(
                    f"paced, {label}: {calls / elapsed:,.0f} hooked calls/s achieved (asked: 10,000), "
                    f"{counts['hook_events']} events in {counts['agent_batches']} agent messages = "
                    f"{counts['agent_batches'] / elapsed:.1f} messages/s (target <= 50)"
                )


if __name__ == "__main__":
    main()
