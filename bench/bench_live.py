"""Verdicts while the app runs: how long the live analysis takes to take in what was just stored.

For each size, a session of N hook events (with a tenth as many flows, one event in 100 a
Cipher.doFinal(), as bench_analysis.py writes it) is stored through the real writer, and the live
display's rows (analysis/session_rows.py KeptRows) take it in once. Then, in pairs
(bench/harness.py): A, a full analysis of the store as it is (what each live pass cost before);
B, a chunk as a busy app stores it in about a second (2,000 hook events, 20 of them crypto calls,
and 200 flows, some carrying the new ciphertexts) is written, then one live pass is timed: from the
chunk committed to the findings. Prints live pass / full analysis and the live pass in seconds
(target ≤ 2 s at every size). A's analysis keeps what this process compiled before, as the live
passes do: the ratio is on the safe side.

    .venv/bin/python bench/bench_live.py [--sizes 10000,100000,1000000] [--pairs 5] [--record]
"""

from __future__ import annotations

import argparse
import base64
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_analysis as sessions  # noqa: E402
import harness  # noqa: E402

from monitor import events as ev  # noqa: E402
from monitor.analysis.analyze import analyze_session  # noqa: E402
from monitor.analysis.session_rows import KeptRows  # noqa: E402
from monitor.storage.queries import StoreReader  # noqa: E402
from monitor.storage.writer import EventWriter  # noqa: E402

CHUNK_EVENTS = 2000
CHUNK_FLOWS = 200
LIVE_TARGET_S = 2.0


class Chunks:
    """What the app stores next, a second's worth at a time, after the first `start` events."""

    def __init__(self, session_id: str, start: int, rng: random.Random) -> None:
        self.session_id, self.next, self.rng = session_id, start, rng
        self.flows = 0

    def write(self, writer: EventWriter) -> None:
        sid, rng = self.session_id, self.rng
        batch, sealed = [], []
        for i in range(self.next, self.next + CHUNK_EVENTS):
            ts = sessions.T0 + i * 5000
            if i % sessions.CRYPTO_EVERY == 7:
                batch.append(sessions._crypto_event(sid, i, ts, rng, sealed))
                continue
            frame, pi_type = sessions.CALLERS[i % len(sessions.CALLERS)]
            api, category, value = sessions.API[pi_type]
            stack = sessions._stack(frame, api, i % 4)
            batch.append(
                ev.HookEvent(sid, i, 1, ts, ts, api, category, pi_type, [], value, stack, "main", api)
            )
        writer.submit_many(batch)
        for j in range(CHUNK_FLOWS):
            ts = sessions.T0 + (self.next + j * (CHUNK_EVENTS // CHUNK_FLOWS)) * 5000 + 1000
            host = sessions.HOSTS[j % len(sessions.HOSTS)]
            data = base64.b64encode(sealed[j % len(sealed)]).decode() if sealed and j % 7 == 0 else ""
            did = sessions.API["android_id"][2] if j % 3 == 0 else "x"
            body = f'{{"event":"live{j}","did":"{did}","data":"{data}","ts":{ts}}}'.encode()
            self.flows += 1
            writer.submit(
                ev.FlowRecord(
                    f"{sid}-live{self.flows}", sid, ts, ts + 2000, "POST", "https", host, 443,
                    f"https://{host}/v1/log?live={self.flows}", "HTTP/2.0",
                    [["content-type", "application/json"]], body, len(body), False, 200, tls=True,
                )
            )  # fmt: skip
        writer.commit()
        self.next += CHUNK_EVENTS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    harness.add_arguments(parser, pairs=5)
    args = parser.parse_args()
    rng = random.Random(11)
    recorded = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite3"
        for n in [int(s) for s in args.sizes.split(",")]:
            sid = f"s{n}"
            with EventWriter(db) as writer:
                started = time.perf_counter()
                sessions.write_session(writer, sid, n, rng)
                print(
                    f"wrote {n:>9,} hook events + {n // 10:,} flows in {time.perf_counter() - started:.1f} s"
                )
                with StoreReader(db) as reader:
                    kept = KeptRows(reader, sid)
                    started = time.perf_counter()
                    analyze_session(reader, sid, workers=1, rows=kept)
                    print(f"   the live display's first pass: {time.perf_counter() - started:.1f} s")
                    chunks = Chunks(sid, n, rng)
                    found: dict[str, int] = {}

                    def full(sid=sid, reader=reader) -> float:
                        t = time.perf_counter()
                        analyze_session(reader, sid)
                        return time.perf_counter() - t

                    def live(
                        chunks=chunks, writer=writer, kept=kept, reader=reader, sid=sid, found=found
                    ) -> float:
                        chunks.write(writer)
                        t = time.perf_counter()
                        result = analyze_session(reader, sid, workers=1, rows=kept)
                        found["findings"], found["matches"] = len(result.findings), len(result.pi_matches)
                        return time.perf_counter() - t

                    comparison = harness.Comparison(
                        f"live analysis {n:,} events",
                        "live pass / full analysis",
                        lambda a, b: b / a,
                        None,
                        unit="s",
                    )
                    print(
                        f"-- {n:,} hook events, then {CHUNK_EVENTS:,} events and {CHUNK_FLOWS} flows a pair"
                    )
                    result = harness.run_pairs(comparison, full, live, args)
                    print(
                        f"   {found['findings']} findings, "
                        f"{found['matches']:,} PI matches at the last live pass"
                    )
                    recorded.append(result)
                    seconds = harness.Comparison(
                        f"live analysis {n:,} events",
                        "live pass seconds",
                        lambda a, b: b,
                        LIVE_TARGET_S,
                        at_least=False,
                    )
                    recorded.append(harness.derived(seconds, result, lambda a, b: b))
    if args.record:
        harness.record(recorded)


if __name__ == "__main__":
    main()
