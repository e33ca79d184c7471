"""Matcher throughput: privmon's multi-pattern engines against a Python `re` alternation of the
same patterns, on the same few MB of realistic request bodies, in pairs (bench/harness.py).
Target: median ratio (the engine in use / `re`, MB/s) >= 30.

    .venv/bin/python bench/bench_matcher.py [--mb N] [--ids N] [--pairs 10] [--record]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import random
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

from monitor.codec.multipattern import hyperscan, make_matcher  # noqa: E402
from monitor.codec.transforms import WatchValue, expand  # noqa: E402


def identifiers(n: int, rnd: random.Random) -> list[WatchValue]:
    kinds = ["imei", "android_id", "mac_address", "phone_number", "oaid"]
    out = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        if kind == "imei":
            value = "86" + "".join(rnd.choice("0123456789") for _ in range(13))
        elif kind == "android_id":
            value = "".join(rnd.choice("0123456789abcdef") for _ in range(16))
        elif kind == "mac_address":
            value = ":".join(f"{rnd.randrange(256):02x}" for _ in range(6))
        elif kind == "phone_number":
            value = "+861" + rnd.choice("3456789") + "".join(rnd.choice("0123456789") for _ in range(9))
        else:
            value = "-".join(
                "".join(rnd.choice("0123456789abcdef") for _ in range(k)) for k in (8, 4, 4, 4, 12)
            )
        out.append(WatchValue(value, "device_id", kind, i))
    return out


def bodies(total_mb: float, rnd: random.Random) -> list[bytes]:
    out, size = [], 0
    words = [
        "event",
        "session",
        "ts",
        "uid",
        "page",
        "screen",
        "sdk_ver",
        "channel",
        "net",
        "carrier",
        "lang",
    ]
    while size < total_mb * 1024 * 1024:
        doc = {
            w: "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(rnd.randint(4, 40)))
            for w in words
        }
        doc["events"] = [
            {"id": rnd.randrange(10**9), "name": rnd.choice(words), "dur": rnd.random()}
            for _ in range(rnd.randint(5, 40))
        ]
        body = json.dumps(doc).encode()
        if rnd.random() < 0.3:
            body = urlencode(
                {"data": base64.b64encode(body).decode(), "sign": hashlib.md5(body).hexdigest()}
            ).encode()
        out.append(body)
        size += len(body)
    return out


def throughput(scan, data: list[bytes], total: int) -> tuple[float, int]:
    start = time.perf_counter()
    hits = 0
    for body in data:
        hits += len(scan(body))
    return total / (time.perf_counter() - start) / 1e6, hits


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=float, default=1.0)
    parser.add_argument("--ids", type=int, default=50)
    harness.add_arguments(parser)
    args = parser.parse_args()
    rnd = random.Random(7)
    watches = identifiers(args.ids, rnd)
    patterns = list(dict.fromkeys(n.pattern for w in watches for n in expand(w)))
    data = bodies(args.mb, rnd)
    # plant a few identifiers so every side has the same real work to report
    for i in range(0, len(data), 50):
        data[i] = data[i] + b"&x=" + patterns[i % len(patterns)]
    total = sum(len(b) for b in data)
    print(
        f"{len(patterns)} patterns ({args.ids} identifiers x their transforms), {total / 1e6:.1f} MB in "
        f"{len(data)} bodies"
    )
    regex = re.compile(b"|".join(re.escape(p) for p in sorted(patterns, key=len, reverse=True)))
    engine = "hyperscan" if hyperscan is not None else "pyahocorasick"
    matcher = make_matcher(patterns, engine)
    hits = {}

    def side(name: str, scan) -> float:
        mbps, hits[name] = throughput(scan, data, total)
        return mbps

    comparison = harness.Comparison("matcher", f"{engine} / re", lambda r, e: e / r, 30.0, unit="MB/s")
    result = harness.run_pairs(
        comparison,
        lambda: side("re", lambda b: set(m.group(0) for m in regex.finditer(b))),
        lambda: side(engine, matcher.scan),
        args,
    )
    print(
        f"patterns found: re {hits['re']} (non-overlapping matches), "
        f"{engine} {hits[engine]} (distinct patterns)"
    )
    if args.record:
        harness.record([result])


if __name__ == "__main__":
    main()
