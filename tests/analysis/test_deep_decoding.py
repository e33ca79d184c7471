"""The hard tail of decoding: digests of digests and of encodings, percent-encoding applied more
than once wherever a value can sit in a URL, a cookie or a header, URLs inside URLs, and the
encoding a value travelled in named as its whole chain."""

import base64
import hashlib
import json
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.analysis.matching import FlowMatcher, travelled_encoding
from monitor.codec.decode import decode_request
from monitor.codec.transforms import NEEDLES_PER_SPELLING, WatchValue, expand, short_encoding, spellings

IMEI = "864273052471596"
EMAIL = "li.lei@example.cn"
MAC = "02:1a:7b:3c:4d:5e"


def _md5(b: bytes) -> str:
    return hashlib.md5(b).hexdigest()


def _sha1(b: bytes) -> str:
    return hashlib.sha1(b).hexdigest()


def _sha256(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def _matches(watch: WatchValue, url: str, headers=(), body: bytes = b"") -> list:
    flow = {"id": "f", "url": url, "request_headers": list(headers), "request_body": body}
    return FlowMatcher(expand(watch)).match_flow(flow)[0]


NESTED = {
    "sha256(md5(value))": lambda v: _sha256(_md5(v).encode()),
    "md5(md5(value))": lambda v: _md5(_md5(v).encode()).upper(),
    "sha1(md5(value))": lambda v: _sha1(_md5(v).upper().encode()),  # the inner hex in upper case
    "sha1(sha256(md5(value)))": lambda v: _sha1(_sha256(_md5(v).encode()).encode()),
    "md5(sha1(sha256(value)))": lambda v: _md5(_sha1(_sha256(v).encode()).encode()),
    "md5(base64(value))": lambda v: _md5(base64.b64encode(v)),
    "sha256(hex(value))": lambda v: _sha256(v.hex().encode()),
    "base64(sha256(md5(value)))": lambda v: base64.b64encode(
        hashlib.sha256(_md5(v).encode()).digest()
    ).decode(),
}


@pytest.mark.parametrize("label", sorted(NESTED))
def test_digests_of_digests_and_of_encodings_are_found_and_named_as_chains(label):
    watch = WatchValue(IMEI, "device_id", "imei", 1)
    token = NESTED[label](IMEI.encode())
    matches = _matches(watch, "https://t.example/c", body=json.dumps({"d": token}).encode())
    found = {m.location for m in matches}
    assert f"body › json:$.d › {label}" in found, found


@settings(max_examples=40, deadline=None)
@given(
    value=st.text(alphabet="0123456789abcdef:-", min_size=8, max_size=20),
    chain=st.lists(st.sampled_from(["md5", "sha1", "sha256"]), min_size=2, max_size=3),
)
def test_any_chain_of_two_or_three_digests_is_found(value, chain):
    """Property: md5/sha1/sha256 applied two or three times (each over the previous hex text)."""
    watch = WatchValue(value, "device_id", "android_id", 1)
    token = value.encode()
    for name in chain:
        token = hashlib.new(name, token).hexdigest().encode()
    matches = _matches(watch, "https://t.example/c?h=" + token.decode())
    label = "".join(f"{n}(" for n in reversed(chain)) + "value" + ")" * len(chain)
    assert f"url › query:h › {label}" in {m.location for m in matches}


def test_the_lattice_stays_bounded():
    for value, pi_type in ((IMEI, "imei"), (MAC, "mac_address"), ("+8613912345678", "phone_number")):
        needles = expand(WatchValue(value, "x", pi_type, 1))
        assert len(needles) <= NEEDLES_PER_SPELLING * len(spellings(value, pi_type))
        assert len({n.pattern for n in needles}) == len(needles)


@pytest.mark.parametrize(
    "url, headers, body, location",
    [
        # %40 encoded twice and three times, in a query value
        (
            f"https://t.example/p?e={quote(quote(EMAIL, safe=''), safe='')}",
            [],
            b"",
            "url › query:e › url-decoded",
        ),
        (
            f"https://t.example/p?e={quote(quote(quote(EMAIL, safe=''), safe=''), safe='')}",
            [],
            b"",
            "url › query:e › url-decoded › url-decoded",
        ),
        # a DoubleClick-style path of ;-parameters, one of them a URL with the value in its query
        (
            "https://ad.example/activityi;src=1;ord=7;~oref="
            + quote("https://shop.example/?em=" + quote(EMAIL, safe=""), safe=""),
            [],
            b"",
            "url › param:~oref › url › query:em",
        ),
        # a path segment percent-encoded twice
        (
            f"https://t.example/u/{quote(quote(EMAIL, safe=''), safe='')}/x",
            [],
            b"",
            "url › path[2] › url-decoded",
        ),
        # a query key without '=' that is the data itself
        (
            f"https://t.example/c?{base64.b64encode(json.dumps({'em': EMAIL}).encode()).decode()}",
            [],
            b"",
            "url › query-key › base64 › json:$.em",
        ),
        # a form value encoded twice
        (
            "https://t.example/f",
            [],
            f"a=1&e={quote(quote(EMAIL, safe=''), safe='')}".encode(),
            "body › form:e › url-decoded",
        ),
        # JSON in a cookie, percent-encoded
        (
            "https://t.example/c",
            [["Cookie", "sid=1; u=" + quote(json.dumps({"mail": EMAIL}), safe="")]],
            b"",
            "header:Cookie › cookie:u › url-decoded › json:$.mail",
        ),
        # a Referer whose query holds a URL that holds the value, encoded twice on the way
        (
            "https://t.example/c",
            [
                [
                    "Referer",
                    "https://app.example/r?next="
                    + quote("https://b.example/?m=" + quote(EMAIL, safe=""), safe=""),
                ]
            ],
            b"",
            "header:Referer › url › query:next › url › query:m",
        ),
    ],
)
def test_percent_encoding_and_nested_urls_everywhere(url, headers, body, location):
    matches = _matches(WatchValue(EMAIL, "contact", "email", 1), url, headers, body)
    assert f"{location} › plain" in {m.location for m in matches}, [m.location for m in matches]


def test_a_mac_sent_with_escaped_separators_twice_is_found():
    url = "https://t.example/d?mac=" + quote(quote(MAC, safe=""), safe="")
    matches = _matches(WatchValue(MAC, "device_id", "mac_address", 1), url)
    assert "url › query:mac › url-decoded › plain" in {m.location for m in matches}


@pytest.mark.parametrize(
    "body, encoding",
    [
        (json.dumps({"d": base64.b64encode(json.dumps({"imei": IMEI}).encode()).decode()}), "base64"),
        (json.dumps({"d": base64.b64encode(_md5(IMEI.encode()).encode()).decode()}), "base64 › md5"),
        (json.dumps({"d": IMEI.encode().hex()}), "hex"),
        (json.dumps({"imei": IMEI}), "plain"),
        (json.dumps({"h": _sha256(_md5(IMEI.encode()).encode())}), "sha256(md5)"),
    ],
)
def test_the_encoding_a_value_travelled_in_is_its_whole_chain(body, encoding):
    matches = _matches(WatchValue(IMEI, "device_id", "imei", 1), "https://t.example/c", body=body.encode())
    assert encoding in {travelled_encoding(m.location, m.needle) for m in matches}
    if encoding != "plain":  # a value inside base64 or hex is never "sent as it is"
        assert "plain" not in {travelled_encoding(m.location, m.needle) for m in matches}


def test_short_encodings_of_chains():
    assert short_encoding("sha256(md5(value))") == "sha256(md5)"
    assert short_encoding("base64(md5(hex(value)))") == "md5(hex)+base64"
    assert short_encoding("md5(hex)") == "md5" and short_encoding("base64url(sha256)") == "sha256+base64"


def test_percent_signs_in_binary_or_plain_text_do_not_loop_or_explode():
    decoded = decode_request("https://t.example/?q=100%25%20sure", [], b"\x00\x01%41%42" * 100)
    paths = [s.path for s in decoded.segments]
    assert "url › query:q" in paths and not decoded.truncated
    assert all(p.count("url-decoded") <= 3 for p in paths)
