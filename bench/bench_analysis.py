"""Analysis time against session size: sessions of 10 k, 100 k and 1 M hook events (with a tenth as
many flows) are written through the real writer into a real store; then, in pairs
(bench/harness.py), the floor (reading the same rows bare with sqlite3 and scanning the requests
for the watched values with the multi-pattern engine) and `analyze_session`. Prints, per size, the
ratio analysis / floor with its spread, and the growth between sizes (1.0 per 10x = linear).
Targets at 1 M events on a 2-core machine (medians of the pairs): analysis / floor ≤ 3, and under
10 s; close to linear.
One event in 100 is a Cipher.doFinal() (AES/CBC on a JSON that holds the Android ID one time in
three), and some requests carry those ciphertexts in base64: the derived-value search
(analysis/provenance.py) is timed on its own and reported as a share of the analysis.

    .venv/bin/python bench/bench_analysis.py [--sizes 10000,100000,1000000] [--pairs 10] [--record]
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

from monitor import events as ev  # noqa: E402
from monitor.analysis.analyze import analyze_session, forget_process_caches  # noqa: E402
from monitor.analysis.provenance import derive, derived_needles, operations  # noqa: E402
from monitor.codec.quick_count import QuickCounter  # noqa: E402
from monitor.codec.transforms import WatchValue, expand  # noqa: E402
from monitor.storage import bodies  # noqa: E402
from monitor.storage.queries import StoreReader  # noqa: E402
from monitor.storage.writer import EventWriter  # noqa: E402

T0 = 1_800_000_000_000_000
APP = "com.bench.shop"
CALLERS = [  # (deciding frame, pi reads it makes)
    ("com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:17)", "imei"),
    ("com.igexin.push.core.a.b(Unknown Source:4)", "android_id"),
    ("com.tencent.bugly.crashreport.CrashReport.c(Unknown Source:9)", "imsi"),
    ("com.bench.shop.ui.Home.onCreate(Home.java:40)", "location"),
    ("com.tendcloud.tenddata.TCAgent.a(Unknown Source:2)", "location"),
    ("com.bench.shop.net.Api.headers(Api.java:12)", "android_id"),
]
API = {
    "imei": ("android.telephony.TelephonyManager.getDeviceId", "device_id", "864273052471596"),
    "android_id": ("android.provider.Settings$Secure.getString", "device_id", "5f2c8e1b9a7d3c40"),
    "imsi": ("android.telephony.TelephonyManager.getSubscriberId", "device_id", "460001234567890"),
    "location": (
        "android.location.LocationManager.getLastKnownLocation",
        "location",
        {"latitude": 39.904211, "longitude": 116.407395},
    ),
}
HOSTS = ["ulogs.umeng.com", "sdk.open.getui.com", "api.bench-shop.cn", "graph.facebook.com", "beacon.qq.com"]


def _stack(frame: str, api: str, depth: int) -> list[str]:
    return (
        [f"{api}(Native Method)", frame]
        + [f"com.bench.shop.Frames.f{i}(Frames.java:{i})" for i in range(depth)]
        + ["android.app.ActivityThread.main(ActivityThread.java:8177)"]
    )


CRYPTO_EVERY = 100
AES_KEY = bytes(range(16))


def _aes(plain: bytes, iv: bytes) -> bytes:
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    padder = padding.PKCS7(128).padder()
    data = padder.update(plain) + padder.finalize()
    encryptor = Cipher(algorithms.AES(AES_KEY), modes.CBC(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def _crypto_event(sid: str, i: int, ts: int, rng: random.Random, sealed: list[bytes]) -> ev.HookEvent:
    did = API["android_id"][2] if i % 3 == 0 else "".join(rng.choice("abcdef0123456789") for _ in range(16))
    plain = f'{{"did":"{did}","seq":{i},"model":"BENCH-PHONE","ts":{ts}}}'.encode()
    ct = _aes(plain, rng.randbytes(16))
    if i % 3 == 0:
        sealed.append(ct)
    api = "javax.crypto.Cipher.doFinal"
    return ev.HookEvent(
        sid,
        i,
        1,
        ts,
        ts,
        api,
        None,
        None,
        [{"hex": plain.hex(), "length": len(plain), "truncated": False}],
        {
            "this": {"id": i, "algorithm": "AES/CBC/PKCS5Padding"},
            "return": {"hex": ct.hex(), "length": len(ct), "truncated": False},
        },
        _stack(CALLERS[1][0], api, 2),
        "main",
        api,
        "crypto",
    )


def write_session(writer: EventWriter, sid: str, n_events: int, rng: random.Random) -> None:
    writer.submit(ev.SessionStarted(sid, APP, "bench", T0, meta={"scenario": "agree"}))
    step = 5_000  # 5 ms between events
    consent_at = T0 + n_events // 3 * step
    writer.submit(ev.ConsentEvent(sid, T0 + 1000, "notice", "dialog", "隐私政策", None, 0.8))
    writer.submit(ev.ConsentEvent(sid, consent_at, "consent", "click", "同意", None, 0.9))
    stacks = {(f, p, d): _stack(f, API[p][0], d) for f, p in CALLERS for d in range(4)}
    batch, sealed = [], []
    for i in range(n_events):
        ts = T0 + i * step
        if CRYPTO_EVERY and i % CRYPTO_EVERY == 7:
            batch.append(_crypto_event(sid, i, ts, rng, sealed))
            continue
        if i % 50 == 0:  # signals among the reads
            batch.append(
                ev.HookEvent(
                    sid,
                    i,
                    1,
                    ts,
                    ts,
                    "android.app.Activity.onResume" if i % 100 else "android.app.Activity.onPause",
                    None,
                    None,
                    [],
                    None,
                    [],
                    "main",
                    "android.app.Activity.onResume",
                    "lifecycle",
                )
            )
            continue
        frame, pi_type = CALLERS[i % len(CALLERS)]
        api, category, value = API[pi_type]
        batch.append(
            ev.HookEvent(
                sid,
                i,
                1,
                ts,
                ts,
                api,
                category,
                pi_type,
                [],
                value,
                stacks[(frame, pi_type, i % 4)],
                "main",
                api,
                None,
            )
        )
        if len(batch) >= 20_000:
            writer.submit_many(batch)
            batch = []
    writer.submit_many(batch)
    for j in range(n_events // 10):
        ts = T0 + j * step * 10
        host = HOSTS[j % len(HOSTS)]
        pad = "".join(rng.choice("abcdef0123456789") for _ in range(200))
        data = base64.b64encode(sealed[j % len(sealed)]).decode() if sealed and j % 7 == 0 else ""
        body = (
            f'{{"event":"e{j}","did":"{API["android_id"][2] if j % 3 == 0 else "x"}","pad":"{pad}",'
            f'"data":"{data}","ts":{ts}}}'
        ).encode()
        writer.submit(
            ev.FlowRecord(
                f"{sid}-f{j}",
                sid,
                ts,
                ts + 2000,
                "POST",
                "https",
                host,
                443,
                f"https://{host}/v1/log?seq={j}",
                "HTTP/2.0",
                [["content-type", "application/json"]],
                body,
                len(body),
                False,
                200,
                [],
                b'{"ok":1}',
                8,
                tls=True,
                server_ip="106.11.84.3",
            )
        )
    writer.submit(ev.SessionEnded(sid, T0 + n_events * step, ev.SESSION_COMPLETED))
    writer.flush()


FLOOR_TARGET = 3.0  # analysis / floor at 1 M events


def floor(db: Path, session_id: str, watch: list[dict]) -> float:
    """Reading the session's rows bare and scanning its requests once for the watched values."""
    start = time.perf_counter()
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        con.execute("SELECT * FROM hook_events WHERE session_id = ?", (session_id,)).fetchall()
        counter = QuickCounter(watch)
        for url, headers, body, codec in con.execute(
            "SELECT url, request_headers, request_body, body_codec FROM flows WHERE session_id = ?",
            (session_id,),
        ):
            request_body = bodies.unpack(body, codec)
            counter.count({"url": url, "request_headers": json.loads(headers), "request_body": request_body})
    finally:
        con.close()
    return time.perf_counter() - start


def derived_search(reader: StoreReader, session_id: str, watch: list[dict]) -> float:
    """What the analysis adds for encrypted payloads: reading the crypto calls, building the
    operations, the chain search and the derived needles (analysis/provenance.py)."""
    start = time.perf_counter()
    needles = [n for w in watch for n in expand(WatchValue(w["value"], w["pi_category"], w["pi_type"], None))]
    ops, compressed = operations(reader.crypto_events(session_id))
    result = derive(ops, needles, compressed)
    derived_needles(result.derived, {n.pattern for n in needles}, covered=True)
    return time.perf_counter() - start


def main() -> None:
    global CRYPTO_EVERY
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument(
        "--crypto-every",
        type=int,
        default=CRYPTO_EVERY,
        help=f"one Cipher.doFinal() event in N (default {CRYPTO_EVERY}; 0: none, the sessions of before)",
    )
    harness.add_arguments(parser)
    args = parser.parse_args()
    CRYPTO_EVERY = args.crypto_every
    sizes = [int(s) for s in args.sizes.split(",")]
    rng = random.Random(7)
    results, recorded = [], []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite3"
        with EventWriter(db) as writer:
            for n in sizes:
                t = time.perf_counter()
                write_session(writer, f"s{n}", n, rng)
                print(
                    f"wrote {n:>9,} hook events + {n // 10:,} flows in {time.perf_counter() - t:6.1f} s",
                    flush=True,
                )
        with StoreReader(db) as reader:
            for n in sizes:
                sid = f"s{n}"
                watch = [
                    {"value": API[k][2], "pi_category": "device_id", "pi_type": k}
                    for k in ("imei", "android_id", "imsi")
                ]
                found = {}

                def analysis(sid=sid, found=found) -> float:
                    forget_process_caches()  # a one-shot `privmon analyze`, not a repeated one
                    t = time.perf_counter()
                    result = analyze_session(reader, sid)
                    found["findings"], found["matches"] = len(result.findings), len(result.pi_matches)
                    return time.perf_counter() - t

                comparison = harness.Comparison(
                    f"analysis {n:,} events",
                    "analysis / floor (read + scan)",
                    lambda f, a: a / f,
                    FLOOR_TARGET if n >= 1_000_000 else None,
                    at_least=False,
                    unit="s",
                )
                print(f"-- {n:,} hook events", flush=True)
                result = harness.run_pairs(
                    comparison, lambda sid=sid, w=watch: floor(db, sid, w), analysis, args
                )
                print(f"   {found['findings']} findings, {found['matches']:,} PI matches")
                recorded.append(result)
                search = [derived_search(reader, sid, watch) for _ in range(3)]
                share = statistics.median(search) / statistics.median(result.b)
                print(
                    f"   derived-value search: {statistics.median(search):.3f} s "
                    f"({n // CRYPTO_EVERY if CRYPTO_EVERY else 0:,} crypto calls), "
                    f"{share:.1%} of the analysis"
                )
                searched = harness.Comparison(
                    f"analysis {n:,} events", "derived-value search / analysis", lambda a, b: b / a, None
                )
                recorded.append(
                    harness.Result(
                        searched,
                        result.b,
                        search,
                        [share],
                        result.load_start,
                        result.load_end,
                        result.cpu_at_start,
                    )
                )
                results.append((n, statistics.median(result.b)))
                if n >= 1_000_000:
                    seconds = harness.Comparison(
                        f"analysis {n:,} events", "analysis seconds", lambda f, a: a, 10.0, at_least=False
                    )
                    recorded.append(harness.derived(seconds, result, lambda f, a: a))
    for (n1, t1), (n2, t2) in zip(results, results[1:]):
        print(
            f"growth {n1:,} → {n2:,} events ({n2 / n1:.0f}x): median time x{t2 / t1:.1f} "
            f"(linear = x{n2 / n1:.0f})"
        )
    if args.record:
        harness.record(recorded)


if __name__ == "__main__":
    main()
