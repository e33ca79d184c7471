"""The live analysis keeps a session's rows between passes (analysis/session_rows.py KeptRows): after
every chunk of a session written through the real writer, its pass must give what a full analysis of
the same store gives — the same findings, the same matches, the same watched values."""

import base64
import json
import random

import pytest

from monitor import events as ev
from monitor.analysis.analyze import analyze_session
from monitor.analysis.session_rows import KeptRows
from monitor.storage.queries import StoreReader

T0 = 1_800_000_000_000_000
APP = "com.example.shop"
IMEI = "864273052471596"
ANDROID_ID = "5f2c8e1b9a7d3c40"
IMSI = "460001234567890"
UMENG = "com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:5)"
APP_FRAME = "com.example.shop.Main.run(Main.java:9)"
READS = {
    "imei": ("android.telephony.TelephonyManager.getImei", IMEI, UMENG),
    "android_id": ("android.provider.Settings$Secure.getString", ANDROID_ID, APP_FRAME),
    "imsi": ("android.telephony.TelephonyManager.getSubscriberId", IMSI, UMENG),
}


def _aes(plain: bytes, iv: bytes) -> bytes:
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(bytes(range(16))), modes.CBC(iv)).encryptor()
    return encryptor.update(padder.update(plain) + padder.finalize()) + encryptor.finalize()


def _read(sid, seq, ts, pi_type):
    api, value, frame = READS[pi_type]
    return ev.HookEvent(
        sid, seq, 1, ts, ts, api, "device_id", pi_type, [], value, [f"{api}(Native)", frame], "main"
    )


def _cipher(sid, seq, ts, plain: bytes, sealed: bytes):
    api = "javax.crypto.Cipher.doFinal"
    return ev.HookEvent(
        sid,
        seq,
        1,
        ts,
        ts,
        api,
        None,
        None,
        [{"hex": plain.hex(), "length": len(plain), "truncated": False}],
        {
            "this": {"id": seq, "algorithm": "AES/CBC/PKCS5Padding"},
            "return": {"hex": sealed.hex(), "length": len(sealed), "truncated": False},
        },
        [f"{api}(Native)", UMENG],
        "main",
        api,
        "crypto",
    )


def _flow(sid, fid, ts, body: bytes, host="ulogs.umeng.com"):
    return ev.FlowRecord(
        fid, sid, ts, ts + 1000, "POST", "https", host, 443, f"https://{host}/log?i={fid}", "HTTP/1.1",
        [["Content-Type", "application/json"]], body, len(body), False, 200, tls=True,
    )  # fmt: skip


def _session_records(sid: str, rng: random.Random) -> list:
    """A session's records in the order a capture stores them: reads, encrypted reports and the
    requests that carry them (some stored before the call that encrypted them), a consent in the
    middle, a WebSocket whose client keeps sending, and an identifier first read by a hooked call
    after requests had already carried it."""
    out: list = [ev.SessionStarted(sid, APP, "lab", T0)]
    seq, ws = 0, 0
    for i in range(60):
        ts = T0 + i * 1_000_000
        seq += 1
        pi_type = "imei" if i % 2 else "android_id"
        if i >= 40:
            pi_type = rng.choice(["imei", "android_id", "imsi"])
        out.append(_read(sid, seq, ts, pi_type))
        if i == 25:
            out.append(ev.ConsentEvent(sid, ts + 10, "consent", "click", "同意", seq))
        if i % 5 == 0:
            seq += 1
            plain = json.dumps({"did": ANDROID_ID, "i": i}).encode()
            sealed = _aes(plain, rng.randbytes(16))
            body = json.dumps({"data": base64.b64encode(sealed).decode(), "i": i}).encode()
            carried = [_cipher(sid, seq, ts + 100, plain, sealed), _flow(sid, f"c{i}", ts + 200_000, body)]
            # the agent's messages can reach the store after the request the proxy saw later
            out += carried[::-1] if i % 10 == 5 else carried
        if i % 7 == 3:
            # the IMSI travels in requests from the start; the hooked call first returns it at i ≥ 40
            body = json.dumps({"imei": IMEI, "sub": IMSI, "phone": "13812345678"}).encode()
            out.append(
                _flow(sid, f"p{i}", ts + 300_000, body, host=rng.choice(["ulogs.umeng.com", "api.shop.cn"]))
            )
        if i == 10:
            out.append(_flow(sid, "ws", ts + 400_000, b"", host="push.shop.cn"))
        if i > 10 and i % 4 == 0:
            text = json.dumps({"aid": ANDROID_ID if i % 8 == 0 else "none", "n": ws}).encode()
            out.append(ev.WebSocketRecord(sid, "ws", ws, ts + 500_000, True, True, text, len(text), False))
            ws += 1
    return out


def _outcome(result) -> tuple:
    matches = sorted(
        (m.flow_id, m.pi_type, m.encoding, m.location, m.hook_event_id) for m in result.pi_matches
    )
    findings = sorted(json.dumps(vars(f), sort_keys=True, default=str) for f in result.findings)
    return findings, matches, [w["value"] for w in result.watchlist]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_pass_over_what_is_stored_so_far_equals_a_full_analysis(settings, writer, seed):
    rng = random.Random(seed)
    records = _session_records("s", rng)
    with StoreReader(settings.db_path) as reader:
        kept = None
        at = 0
        while at < len(records):
            step = rng.randint(1, 25)
            for record in records[at : at + step]:
                writer.submit(record)
            writer.flush()
            at += step
            if kept is None:
                kept = KeptRows(reader, "s")
            live = analyze_session(reader, "s", workers=1, rows=kept)
            full = analyze_session(reader, "s", workers=1)
            assert _outcome(live) == _outcome(full), f"after {at} records"
        findings, matches, watched = _outcome(full)
        # what the session holds was found: the encrypted reports, the IMSI in the earlier requests,
        # the WebSocket's messages, and findings from them
        assert {"imei", "android_id", "imsi"} <= {m[1] for m in matches}
        assert any(m[0] == "ws" for m in matches)
        assert any("AES" in m[3] for m in matches)
        assert any(m[0].startswith("p") and m[1] == "imsi" and int(m[0][1:]) < 40 for m in matches)
        assert findings and IMSI in watched


def test_kept_rows_read_only_what_was_stored_since(settings, writer):
    writer.submit(ev.SessionStarted("s", APP, "lab", T0))
    for i in range(5):
        writer.submit(_read("s", i, T0 + i, "imei"))
    writer.submit(_flow("s", "f1", T0 + 10, json.dumps({"imei": IMEI}).encode()))
    writer.flush()
    with StoreReader(settings.db_path) as reader:
        kept = KeptRows(reader, "s")
        analyze_session(reader, "s", workers=1, rows=kept)
        matched: list[str] = []

        class Counting:
            def __init__(self, inner):
                self.inner = inner

            def __getattr__(self, name):
                return getattr(self.inner, name)

            def requests_in(self, *args, **kwargs):
                flows = self.inner.requests_in(*args, **kwargs)
                matched.extend(f["id"] for f in flows)
                return flows

        kept.reader = Counting(reader)
        writer.submit(_read("s", 9, T0 + 20, "imei"))
        writer.submit(_flow("s", "f2", T0 + 30, json.dumps({"imei": IMEI}).encode()))
        writer.flush()
        result = analyze_session(reader, "s", workers=1, rows=kept)
        assert matched == ["f2"]  # the flow matched before is not read again
        assert {m.flow_id for m in result.pi_matches} == {"f1", "f2"}
        assert len(kept.hook_events().frame) == 6
