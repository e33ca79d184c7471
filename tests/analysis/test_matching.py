"""PI in traffic, however it is wrapped: property tests over the decoder, the transform lattice
and both matching engines."""

import base64
import gzip
import hashlib
import json
import random
import zlib
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.analysis.matching import FlowMatcher, find_matches
from monitor.analysis.watchlist import build_watchlist
from monitor.codec.decode import decode_request
from monitor.codec.multipattern import hyperscan
from monitor.codec.transforms import WatchValue, expand, spellings

BACKENDS = ["pyahocorasick"] + (["hyperscan"] if hyperscan is not None else [])


def _luhn_imei(body14: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body14)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return body14 + str((10 - total % 10) % 10)


imeis = st.text(alphabet="0123456789", min_size=14, max_size=14).map(lambda s: _luhn_imei("86" + s[2:]))
TRANSFORMS = {
    "plain": lambda v: v,
    "md5(hex)": lambda v: hashlib.md5(v.encode()).hexdigest(),
    "sha1(hex)": lambda v: hashlib.sha1(v.encode()).hexdigest().upper(),
    "sha256(hex)": lambda v: hashlib.sha256(v.encode()).hexdigest(),
    "sha512(hex)": lambda v: hashlib.sha512(v.encode()).hexdigest(),
    "base64": lambda v: base64.b64encode(v.encode()).decode(),
    "base64url(md5)": lambda v: (
        base64.urlsafe_b64encode(hashlib.md5(v.encode()).digest()).decode().rstrip("=")
    ),
    "hex": lambda v: v.encode().hex(),
}
keys = st.text(alphabet="abcdefghijklmnop_", min_size=1, max_size=8)


def _wrap(
    layers: list[str], key: str, token: str, rnd: random.Random
) -> tuple[bytes, list[list[str]], list[str]]:
    """Wraps the token innermost-first; returns the body, headers and the expected path steps."""
    data: bytes = token.encode()
    steps = []
    for layer in layers:
        if layer == "json":
            doc = {f"n{rnd.randint(0, 99)}": rnd.randint(0, 9), "dev": {key: data.decode("latin-1")}}
            data = json.dumps(doc).encode("latin-1")
            steps.insert(0, f"json:$.dev.{key}")
        elif layer == "form":
            data = f"v=1&{key}={quote(data.decode('latin-1'), safe='')}&t={rnd.randint(0, 999)}".encode()
            steps.insert(0, f"form:{key}")
        elif layer == "base64":
            data = base64.b64encode(data)
            steps.insert(0, "base64")
    headers = [["Content-Type", "application/octet-stream"]]
    return data, headers, steps


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    imei=imeis,
    transform=st.sampled_from(sorted(TRANSFORMS)),
    key=keys,
    layers=st.lists(st.sampled_from(["json", "form", "base64"]), min_size=1, max_size=3),
    gzipped=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_every_transform_is_found_with_its_decoding_path(imei, transform, key, layers, gzipped, seed):
    rnd = random.Random(seed)
    token = TRANSFORMS[transform](imei)
    body, headers, steps = _wrap(layers, key, token, rnd)
    prefix = "body"
    if gzipped:
        body = gzip.compress(body)
        headers.append(["Content-Encoding", "gzip"])
        prefix = "body › gzip"
    watch = WatchValue(imei, "device_id", "imei", 1)
    flow = {"id": "f", "url": "https://t.example/c", "request_headers": headers, "request_body": body}
    for backend in BACKENDS:
        matches, _issues = FlowMatcher(expand(watch), backend).match_flow(flow)
        path = " › ".join([prefix, *steps])
        # the label names one encoding of these bytes (base64 and base64url can coincide)
        hits = [
            m
            for m in matches
            if m.location.rsplit(" › ", 1)[0] == path and m.needle.pattern == token.encode()
        ]
        assert hits, (backend, path, [m.location for m in matches])
        assert hits[0].location.rsplit(" › ", 1)[1].split("(")[0] in transform or transform == "plain"


@settings(max_examples=80, deadline=None)
@given(body=st.binary(max_size=3000), imei=imeis)
def test_random_bodies_do_not_match(body, imei):
    watch = WatchValue(imei, "device_id", "imei", 1)
    flow = {"id": "f", "url": "https://t.example/c", "request_headers": [], "request_body": body}
    matches = find_matches([flow], expand(watch))
    assert matches == [] or imei.encode() in body


def test_both_engines_agree_on_a_realistic_body():
    watches = [
        WatchValue(v, "device_id", t, i)
        for i, (v, t) in enumerate(
            [
                ("864273052471596", "imei"),
                ("02:1a:7b:3c:4d:5e", "mac_address"),
                ("+8613912345678", "phone_number"),
                ("31.230416", "precise_location"),
            ]
        )
    ]
    needles = [n for w in watches for n in expand(w)]
    body = json.dumps(
        {
            "m": "021A7B3C4D5E",
            "p": "13912345678",
            "lat": 31230416,
            "i": hashlib.sha256(b"864273052471596").hexdigest(),
        }
    ).encode()
    flow = {"id": "f", "url": "https://t.example/c?x=1", "request_headers": [], "request_body": body}
    results = {
        b: sorted((m.needle.watch.value, m.location) for m in find_matches([flow], needles, b))
        for b in BACKENDS
    }
    assert len({tuple(r) for r in results.values()}) == 1
    found = {v for v, _ in results["pyahocorasick"]}
    assert found == {w.value for w in watches}


def test_spellings_normalise_each_kind():
    assert "021a7b3c4d5e" in spellings("02:1A:7B:3C:4D:5E", "mac_address")
    assert {"13912345678", "+8613912345678"} <= set(spellings("+86 139-1234-5678", "phone_number"))
    assert {"31.2304", "31230416"} <= set(spellings("31.230416", "precise_location"))


@pytest.mark.parametrize(
    "body, headers, error_path",
    [
        (b"\x1f\x8b not really gzip", [], "body › gzip"),
        (b"garbage", [["Content-Encoding", "br"]], "body › br"),
        (b'{"truncated": "json', [], "body › json"),
        (gzip.compress(b"x" * 10)[:-4], [["Content-Encoding", "gzip"]], "body › gzip"),
    ],
)
def test_broken_encodings_are_reported_and_the_rest_still_searched(body, headers, error_path):
    decoded = decode_request("https://t.example/?imei=864273052471596", headers, body)
    assert any(path == error_path for path, _ in decoded.errors), decoded.errors
    watch = WatchValue("864273052471596", "device_id", "imei", 1)
    flow = {
        "id": "f",
        "url": "https://t.example/?imei=864273052471596",
        "request_headers": headers,
        "request_body": body,
    }
    matches, issues = FlowMatcher(expand(watch)).match_flow(flow)
    assert "url › query:imei › plain" in {m.location for m in matches}
    assert issues


def test_forms_with_bytes_that_are_not_utf8_are_still_searched():
    watch = WatchValue("864273052471596", "device_id", "imei", 1)
    body = b"blob=%FF%FE%00%C3&name=%E5%BC%A0%E4%B8%89&imei=864273052471596&raw=\xff\xfe"
    flow = {
        "id": "f",
        "url": "https://t.example/",
        "request_body": body,
        "request_headers": [["Content-Type", "application/x-www-form-urlencoded"]],
    }
    decoded = decode_request(flow["url"], flow["request_headers"], body)
    parts = {s.path: s.data for s in decoded.segments}
    assert parts["body › form:blob"] == b"\xff\xfe\x00\xc3"  # every byte kept
    assert parts["body › form:name"] == "张三".encode()
    matches, _ = FlowMatcher(expand(watch)).match_flow(flow)
    assert "body › form:imei › plain" in {m.location for m in matches}


def test_repeated_headers_decode_the_same_from_the_cache():
    from monitor.codec.decode import HeaderCache

    payload = base64.b64encode(json.dumps({"imei": "864273052471596"}).encode()).decode()
    headers = [
        ["User-Agent", "okhttp/4.9.3 Dalvik/2.1.0 (Linux; U; Android 12; Pixel 6 Build/SQ3A.220705.003)"],
        ["X-Device", payload],
        ["X-Meta", '{"did": "5f2c8e1b9a7d3c40"}'],
        ["Cookie", "sid=abc; uid=" + payload],
    ]
    cache = HeaderCache()
    fresh = decode_request("https://t.example/?a=1", headers, b"x=1")
    first = decode_request("https://t.example/?a=1", headers, b"x=1", header_cache=cache)
    again = decode_request("https://t.example/?b=2", headers, b"y=2", header_cache=cache)
    header_part = lambda d: [(s.path, s.data, s.key) for s in d.segments if s.path.startswith("header:")]  # noqa: E731
    assert header_part(fresh) == header_part(first) == header_part(again)
    assert "header:X-Device › base64 › json:$.imei" in {s.path for s in again.segments}
    assert (
        "header:X-Meta" in again.whole and again.size == first.size
    )  # same lengths, the bound counts them too


def test_self_nesting_and_huge_bodies_are_bounded():
    token = b"864273052471596"
    for _ in range(30):  # 30 layers of base64: decoding stops at its depth bound
        token = base64.b64encode(token)
    decoded = decode_request("https://t.example/", [], token)
    assert len(decoded.segments) < 50
    big = b"A" * (50 * 1024 * 1024)
    decoded = decode_request("https://t.example/", [], big)
    assert decoded.segments  # searched, bounded, no exception


def test_jwt_protobuf_multipart_and_cookies():
    payload = base64.urlsafe_b64encode(json.dumps({"imei": "864273052471596"}).encode()).rstrip(b"=")
    jwt = b"eyJhbGciOiJIUzI1NiJ9." + payload + b".c2ln"
    value = b"864273052471596"
    proto = bytes([0x0A, len(value)]) + value + bytes([0x10, 0x01])
    multipart = b'--XyZ\r\nContent-Disposition: form-data; name="meta"\r\n\r\n' + value + b"\r\n--XyZ--\r\n"
    watch = WatchValue("864273052471596", "device_id", "imei", 1)
    cases = [
        (
            [["Authorization", "Bearer " + jwt.decode()]],
            b"",
            "header:Authorization › jwt:payload › json:$.imei › plain",
        ),
        ([["Content-Type", "application/x-protobuf"]], proto, "body › pb:1 › plain"),
        ([["Content-Type", "multipart/form-data; boundary=XyZ"]], multipart, "body › multipart:meta › plain"),
        ([["Cookie", "a=1; did=864273052471596"]], b"", "header:Cookie › cookie:did › plain"),
        # a Deflater's stream, sent with no Content-Encoding
        ([], zlib.compress(b'{"imei":"864273052471596"}'), "body › zlib › json:$.imei › plain"),
    ]
    for headers, body, expected in cases:
        flow = {"id": "f", "url": "https://t.example/", "request_headers": headers, "request_body": body}
        locations = {m.location for m in FlowMatcher(expand(watch)).match_flow(flow)[0]}
        assert expected in locations, (expected, locations)


def test_watchlist_takes_hook_return_values_but_not_signals_or_the_app_itself():
    events = [
        {"id": 1, "pi_category": "device_id", "pi_type": "imei", "ret": "864273052471596"},
        {"id": 2, "pi_category": None, "pi_type": None, "ret": {"return": True, "this": "同意"}},
        {
            "id": 3,
            "pi_category": "installed_apps",
            "pi_type": "installed_packages",
            "ret": ["com.tencent.mm", "com.me.app"],
        },
        {
            "id": 4,
            "pi_category": "location",
            "pi_type": "precise_location",
            "ret": {"latitude": 31.230416, "longitude": 121.473701},
        },
        {"id": 5, "pi_category": "device_id", "pi_type": "imei", "ret": "864273052471596"},
    ]
    watch = build_watchlist(events, exclude={"com.me.app"})
    values = {w.value: w for w in watch}
    assert values["864273052471596"].hook_event_id == 1
    assert "com.tencent.mm" in values and "com.me.app" not in values
    assert {"31.230416", "121.473701"} <= set(values)
    assert not any(w.hook_event_id == 2 for w in watch)


def test_a_value_the_agent_could_not_convert_is_never_a_watched_value():
    mark = {"unconverted": "java.lang.Object", "error": "Error: expected a pointer"}
    events = [
        {
            "id": 1,
            "pi_category": "installed_apps",
            "pi_type": "installed_packages",
            "ret": ["com.tencent.mm", mark],
        },
        {"id": 2, "pi_category": "location", "pi_type": "location_metadata", "ret": mark},
        {"id": 3, "pi_category": "device_id", "pi_type": "imei", "ret": "864273052471596"},
    ]
    assert {w.value for w in build_watchlist(events)} == {"com.tencent.mm", "864273052471596"}


def test_short_encoding_names():
    from monitor.codec.transforms import short_encoding

    assert [
        short_encoding(x)
        for x in ("md5(hex)", "base64url(sha256)", "plain(uppercase)", "base64url", "hex", "url-encoded")
    ] == ["md5", "sha256+base64", "plain", "base64", "hex", "url-encoded"]


def test_parallel_matching_gives_the_serial_results_in_order():
    imei = "864273052471596"
    needles = [n for n in expand(WatchValue(imei, "device_id", "imei", 1))]
    flows = []
    for i in range(2600):
        body = json.dumps(
            {
                "i": i,
                "d": hashlib.md5(imei.encode()).hexdigest() if i % 7 == 0 else "x",
                "phone": "13812345678" if i % 11 == 0 else "",
            }
        ).encode()
        flows.append(
            {"id": f"f{i}", "url": f"https://h.example/x?i={i}", "request_headers": [], "request_body": body}
        )
    serial = find_matches(flows, needles, detectors=True, workers=1)
    parallel = find_matches(flows, needles, detectors=True, workers=2)
    assert [(m.flow_id, m.location, m.needle.encoding) for m in parallel] == [
        (m.flow_id, m.location, m.needle.encoding) for m in serial
    ]
    assert len({m.flow_id for m in serial if m.needle.encoding != "detected"}) == len(range(0, 2600, 7))


def test_a_watchlist_compiled_again_comes_from_the_cache_and_finds_the_same():
    """Patterns are bytes, matched as they are (NUL and regex characters too); the second matcher
    for the same watchlist is the cached database, a different watchlist never is."""
    from monitor.codec import multipattern

    if multipattern.hyperscan is None:
        pytest.skip("hyperscan is not installed on this platform")
    patterns = [b"866123456789012", b"a\x00b", b"(.*)+", b"\xff\xfe"]
    body = b"x a\x00b y (.*)+ z \xff\xfe"
    first = multipattern.make_matcher(patterns)
    cached = multipattern._COMPILED.get(multipattern._digest(patterns))
    assert cached is not None
    second = multipattern.make_matcher(patterns)
    assert first.scan(body) == second.scan(body) == {1, 2, 3}
    assert second.scan(b"866123456789012") == {0}
    other = multipattern.make_matcher([b"(.*)+", b"866123456789012"])
    assert other.scan(body) == {0}
    for backend in ("hyperscan", "pyahocorasick"):  # an empty pattern finds nothing, in either engine
        with_empty = multipattern.make_matcher([b"", b"a\x00b", b""], backend)
        assert with_empty.scan(body) == {1} and with_empty.scan(b"nothing here") == set()
        assert multipattern.make_matcher([b""], backend).scan(body) == set()
        # a NUL is a byte like any other, at the start or inside: "a\x00b" is not "a"
        nul = multipattern.make_matcher([b"\x00\x01", b"a\x00b", b"zz"], backend)
        assert nul.scan(b"a b \x00 a\x00 b") == set() and nul.scan(b"-\x00\x01-a\x00b-") == {0, 1}
