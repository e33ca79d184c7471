import pytest

from monitor.analysis.detectors import detect, luhn_ok, resident_id_ok
from monitor.analysis.matching import FlowMatcher
from monitor.codec.transforms import WatchValue, expand

VALID_ID = "11010519491231002X"  # GB 11643 example number with its check digit


def kinds(data: bytes, key=None):
    return {(d.kind, d.value) for d in detect(data, key)}


def test_check_digits():
    assert resident_id_ok(VALID_ID) and not resident_id_ok("110105194912310021")
    assert luhn_ok("490154203237518") and not luhn_ok("490154203237519")
    assert luhn_ok("6222021234567890128")


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"tel=13912345678", ("phone_number", "13912345678")),
        (b'{"m":"+86-13912345678"}', ("phone_number", "13912345678")),
        (b"id=" + VALID_ID.encode(), ("resident_id", VALID_ID)),
        (b"imei=490154203237518", ("imei", "490154203237518")),
        (b"card=6222021234567890128", ("bank_card", "6222021234567890128")),
        (b"mac=3C-28-6D-11-AB-90", ("mac_address", "3c:28:6d:11:ab:90")),
        (b"to=li.lei@example.cn", ("email", "li.lei@example.cn")),
        (b"pos=31.230416,121.473701", ("coordinates", "31.230416,121.473701")),
    ],
)
def test_positives(data, expected):
    assert expected in kinds(data)


@pytest.mark.parametrize(
    "data",
    [
        b"tel=12912345678",  # no such mobile prefix
        b"id=110105194912310021",  # wrong check digit
        b"imei=490154203237519",  # fails Luhn
        b"mac=02:00:00:00:00:00",  # Android's placeholder MAC
        b"ts=1700000000123456",
        b"pos=131.230416,221.473701",  # out of range
    ],
)
def test_negatives(data):
    assert kinds(data) == set()


def test_coordinates_by_key_and_watched_values_are_not_detected_again():
    assert ("coordinates", "31.230416") in kinds(b"31.230416", key="lat")
    flow = {
        "id": "f",
        "url": "https://t.example/",
        "request_headers": [],
        "request_body": b"phone=13912345678&other=13800138000",
    }
    watch = WatchValue("13912345678", "phone_number", "phone_number", 1)
    matches, _ = FlowMatcher(expand(watch), detectors=True).match_flow(flow)
    detected = [(m.needle.watch.value, m.location) for m in matches if m.needle.encoding == "detected"]
    assert detected == [("13800138000", "body › form:other › detector:phone_number")]
    assert any(m.needle.encoding == "plain" and m.needle.watch.value == "13912345678" for m in matches)
