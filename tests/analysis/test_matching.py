import base64
import gzip
import hashlib
import json
from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.analysis.matching import decode_body, find_matches
from monitor.analysis.watchlist import WatchValue, build_watchlist, expand

IMEI = WatchValue("864273052471596", "device_id", "imei", 1)


def _flow(body: bytes, url="https://h.example/p", headers=None):
    return {"id": "f1", "url": url, "request_headers": headers or [], "request_body": body}


def _encodings(value: str) -> dict[str, bytes]:
    raw = value.encode()
    return {
        "plain": raw,
        "md5": hashlib.md5(raw).hexdigest().encode(),
        "sha1": hashlib.sha1(raw).hexdigest().upper().encode(),
        "sha256": hashlib.sha256(raw).hexdigest().encode(),
        "base64": base64.b64encode(raw),
    }


@settings(max_examples=60, deadline=None)
@given(
    encoding=st.sampled_from(["plain", "md5", "sha1", "sha256", "base64"]),
    key=st.text(alphabet="abcdefghij_", min_size=1, max_size=8),
    wrap=st.sampled_from(["json", "form", "gzip-json"]),
    noise=st.dictionaries(st.text("xyz", min_size=1, max_size=4), st.integers(0, 99), max_size=4),
)
def test_every_encoding_is_found_wherever_it_sits(encoding, key, wrap, noise):
    token = _encodings(IMEI.value)[encoding].decode()
    payload = {**noise, key: token}
    if wrap == "form":
        body = "&".join(f"{quote(k)}={quote(str(v))}" for k, v in payload.items()).encode()
        headers = [["Content-Type", "application/x-www-form-urlencoded"]]
    else:
        body = json.dumps(payload).encode()
        headers = [["Content-Type", "application/json"]]
        if wrap == "gzip-json":
            body = gzip.compress(body)
            headers.append(["Content-Encoding", "gzip"])
    matches = find_matches([_flow(body, headers=headers)], expand(IMEI))
    assert encoding in {m.needle.encoding for m in matches}
    assert all(m.location.startswith("body") for m in matches)
    if wrap == "gzip-json":
        assert any(m.location.startswith("body › gzip") for m in matches)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bodies_do_not_match(body):
    assert find_matches([_flow(body)], expand(IMEI)) == [] or IMEI.value.encode() in body


def test_value_in_url_query_is_found():
    matches = find_matches([_flow(b"", url=f"https://t.example/c?id={IMEI.value}")], expand(IMEI))
    assert [(m.location, m.needle.encoding) for m in matches] == [("url", "plain")]


def test_broken_gzip_is_reported_and_the_raw_body_still_searched():
    body, steps, error = decode_body(b"\x1f\x8b not really gzip " + IMEI.value.encode(), "gzip")
    assert error and "gzip" in error and steps == []
    flow = _flow(b"\x1f\x8b junk " + IMEI.value.encode(), headers=[["Content-Encoding", "gzip"]])
    assert find_matches([flow], expand(IMEI))


def test_watchlist_takes_hook_return_values_but_not_signals_or_the_app_itself():
    events = [
        {"id": 1, "pi_category": "device_id", "pi_type": "imei", "ret": "864273052471596"},
        {"id": 2, "pi_category": None, "pi_type": None, "ret": {"return": True, "this": "同意"}},
        {"id": 3, "pi_category": "installed_apps", "pi_type": "installed_packages", "ret": ["com.tencent.mm", "com.me.app"]},
        {"id": 4, "pi_category": "location", "pi_type": "precise_location", "ret": {"latitude": 31.230416, "longitude": 121.473701}},
        {"id": 5, "pi_category": "device_id", "pi_type": "imei", "ret": "864273052471596"},
    ]
    watch = build_watchlist(events, exclude={"com.me.app"})
    values = {w.value: w for w in watch}
    assert values["864273052471596"].hook_event_id == 1
    assert "com.tencent.mm" in values and "com.me.app" not in values
    assert {"31.230416", "121.473701", "121.4737"} <= set(values)
    assert not any(w.hook_event_id == 2 for w in watch)
