"""Hook cost on the lab JVM, measured side by side in one run (DESIGN: ratios, not timed tests).

Prints the median cost of one TelephonyManager.getImei() call unhooked and hooked without a stack
(for scale), then, in pairs (bench/harness.py), hooked with the naive capture (getStackTrace() and
one toString() per frame) and with privmon's stack capture. Target: median ratio (ours / naive)
<= 0.5. Then the agent's messages per
second while the app makes up to 10,000 hooked calls per second (target: at most 50, i.e. batched;
with stacks one thread cannot reach 10,000 calls/s, so the paced run is made with and without).
Calls are made 25 frames deep, like SDK code under Android's ActivityThread/Looper/Handler.
Then the cost of one recorded crypto call (issue: provenance chains): Cipher.doFinal() on 1 KiB,
with and without the catalogue's crypto entries, in pairs; reported as µs added per call. Last, the
side-channel hooks' cost on an open() of a path on no list (FileInputStream open and close, no Java
hook), with and without the native read hooks, in pairs: µs added per open (target < 2).

    .venv/bin/python bench/bench_hooks.py [--calls N] [--pairs 10] [--paced-runs 3] [--only PART] [--record]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

from monitor.capture.catalogue import load_catalogue  # noqa: E402
from monitor.config import Settings  # noqa: E402
from monitor.device_profile import load_profile  # noqa: E402
from monitor.lab.build import build_app  # noqa: E402
from monitor.run.lab_jvm import LabApp  # noqa: E402
from monitor.run.runs import run_lab  # noqa: E402
from monitor.storage.queries import StoreReader  # noqa: E402
from monitor.storage.writer import EventWriter  # noqa: E402

IMEI_ENTRY = [e for e in load_catalogue() if e["id"] == "android.telephony.TelephonyManager.getImei"]
CRYPTO_ENTRIES = [e for e in load_catalogue() if e.get("signal") in ("crypto", "encoding")]


RUN_TIMEOUT_S = 60
RETRIES = 3  # HotSpot under Frida can deadlock at a safepoint (frida/frida#1996): a stuck run is redone


def run(
    settings: Settings,
    writer: EventWriter,
    catalogue,
    stack_mode: str,
    props: dict[str, str],
    side_channels: bool = False,
) -> tuple[str, dict]:
    standins, classes = build_app(settings.cache_dir, "bench")
    for attempt in range(1, RETRIES + 1):
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
                redirect=False,  # hook cost alone: the bench app makes no connection
                side_channels=side_channels,
            ),
            timeout_s=RUN_TIMEOUT_S,
            interactive=False,
        )
        if result.status == "completed":
            break
        print(f"bench run {attempt}/{RETRIES} did not complete ({result.reason}); redone", flush=True)
    else:
        raise SystemExit(f"bench run failed {RETRIES} times: {result.reason}")
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
    parser.add_argument("--paced-runs", type=int, default=3, help="runs of the paced measurement (default 3)")
    parser.add_argument(
        "--only",
        choices=("stack", "paced", "crypto", "open"),
        help="run one part: stack cost, paced messages, crypto or side-channel open()",
    )
    harness.add_arguments(parser)
    args = parser.parse_args()
    calls = {"privmon.bench.calls": str(args.calls)}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.load(tmp)
        with EventWriter(settings.db_path) as writer:
            recorded = []
            for name, catalogue, mode in (("unhooked", [], "none"), ("hooked, no stack", IMEI_ENTRY, "none")):
                if args.only not in (None, "stack"):
                    break
                line, _ = run(settings, writer, catalogue, mode, calls)
                print(f"{name:24s} median {median_ns(line) / 1000:8.1f} µs per call (one run, for scale)")

            def cost(mode: str) -> float:
                return median_ns(run(settings, writer, IMEI_ENTRY, mode, calls)[0]) / 1000

            comparison = harness.Comparison(
                "hooks",
                "privmon stack / naive stack (µs per call)",
                lambda naive, ours: ours / naive,
                0.5,
                at_least=False,
                unit="µs",
            )
            if args.only in (None, "stack"):
                recorded.append(
                    harness.run_pairs(comparison, lambda: cost("naive"), lambda: cost("fast"), args)
                )

            for mode, label in (("none", "no stack"), ("fast", "privmon stack")):
                if args.only not in (None, "paced"):
                    break
                rates, before, load_start = [], harness.cpu_in_use(), harness.load()
                for _ in range(args.paced_runs):
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
                    made = int(re.search(r"paced_calls=(\d+)", line).group(1))
                    rates.append(counts["agent_batches"] / elapsed)
                    print(
                        f"paced, {label}: {made / elapsed:,.0f} hooked calls/s (asked: 10,000), "
                        f"{counts['hook_events']} events in {counts['agent_batches']} agent messages = "
                        f"{rates[-1]:.1f} messages/s"
                    )
                paced = harness.Comparison(
                    f"hooks paced, {label}", "agent messages per second", lambda a, b: b, 50.0, at_least=False
                )
                result = harness.Result(paced, rates, rates, rates, load_start, harness.load(), before)
                print(result.line())
                recorded.append(result)
            crypto_props = {"privmon.bench.mode": "crypto", "privmon.bench.calls": "2000"}

            def crypto_cost(catalogue) -> float:
                return median_ns(run(settings, writer, catalogue, "fast", crypto_props)[0]) / 1000

            crypto = harness.Comparison(
                "hooks crypto", "µs added per Cipher.doFinal(1 KiB)", lambda a, b: b - a, None, unit="µs"
            )
            if args.only in (None, "crypto"):
                recorded.append(
                    harness.run_pairs(
                        crypto, lambda: crypto_cost([]), lambda: crypto_cost(CRYPTO_ENTRIES), args
                    )
                )
            unlisted = Path(tmp) / "bench-unlisted.txt"
            unlisted.write_text("not an identifier\n")
            open_props = {"privmon.bench.mode": "open", "privmon.bench.path": str(unlisted)}

            def open_cost(side: bool) -> float:
                return median_ns(run(settings, writer, [], "none", open_props, side_channels=side)[0]) / 1000

            opens = harness.Comparison(
                "hooks side-channel open",
                "µs added per open() of an unlisted path",
                lambda a, b: b - a,
                2.0,
                at_least=False,
                unit="µs",
            )
            if args.only in (None, "open"):
                recorded.append(
                    harness.run_pairs(opens, lambda: open_cost(False), lambda: open_cost(True), args)
                )
    if args.record:
        harness.record(recorded)


if __name__ == "__main__":
    main()
