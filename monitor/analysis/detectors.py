"""Detectors for PI values the watchlist does not know (lower confidence than watched values):
Chinese mobile numbers (an allocated prefix, not inside a longer token), resident ID numbers
(GB 11643 check digit), IMEIs (Luhn, a reporting body that issues TACs, and a key or nearby text
that says device id), MAC addresses, e-mail addresses (not image names such as `logo@2x.png`),
coordinate pairs and bank card numbers (Luhn, and a key or nearby text that says card or bank).
Precision and recall are measured on the labelled corpus tests/data/detector_corpus.jsonl
(docs/traffic.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# the mobile prefixes allocated by MIIT (voice and data numbers), not 140-144, 154, 160-161, 194
_CN_MOBILE = re.compile(
    rb"(?<![0-9A-Za-z+_])(?:\+?86[- ]?)?"
    rb"(1(?:3\d|4[5-9]|5[0-35-9]|6[2567]|7[0-8]|8\d|9[0-35-9])\d{8})(?![0-9A-Za-z_])"
)
_RESIDENT_ID = re.compile(
    rb"(?<!\d)(\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx])(?![\dXx])"
)
_IMEI = re.compile(rb"(?<!\d)(\d{15})(?!\d)")
_CARD = re.compile(rb"(?<!\d)((?:62|4\d|5[1-5])\d{14,17})(?!\d)")
_MAC = re.compile(rb"(?<![0-9A-Fa-f:-])((?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2})(?![0-9A-Fa-f:-])")
_EMAIL = re.compile(
    rb"(?<![\w.+-])([\w.+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24})"
)
_COORDS = re.compile(rb"(?<![\d.])(-?\d{1,2}\.\d{4,})\s*,\s*(-?\d{1,3}\.\d{4,})(?![\d.])")
_NUMBER = re.compile(rb"^-?\d{1,3}\.\d{4,}$")
# Gates, each a necessary condition for the detector after it, and fast to search (no look-behind):
_DIGIT_RUNS = re.compile(rb"\d{11,}")  # maximal runs: each digit detector needs a run of certain lengths
_MAC_HINT = re.compile(rb"[0-9A-Fa-f]{2}[:-][0-9A-Fa-f]{2}[:-]")
_COORDS_HINT = re.compile(rb"\.\d{4,}\s*,")
MOBILE_RUNS = {11, 13}  # the number, or 86 and the number
RESIDENT_ID_RUNS = {17, 18}  # 17 digits and an X, or 18 digits
IMEI_RUNS = {15}
CARD_RUNS = {16, 17, 18, 19}
# Reporting bodies that issue IMEI TACs (the first two digits; GSMA TS.06)
IMEI_REPORTING_BODIES = {
    "01",
    "10",
    "30",
    "33",
    "35",
    "44",
    "45",
    "49",
    "50",
    "51",
    "52",
    "53",
    "54",
    "86",
    "91",
    "98",
    "99",
}
# what says "this is a device identifier": in the key, or just before the number
_DEVICE_ID_WORDS = re.compile(
    rb"imei|meid|device|dev_?id|did|udid|hardware|hwid|serial|terminal", re.IGNORECASE
)
CONTEXT_BYTES = 24
_CARD_WORDS = re.compile(
    rb"card|bank|acct|account|pan\b|\xe5\x8d\xa1\xe5\x8f\xb7|\xe9\x93\xb6\xe8\xa1\x8c", re.IGNORECASE
)  # 卡号 银行
# image and code file extensions: `logo@2x.png` is a file name, not an e-mail address
FILE_EXTENSIONS = {
    "png",
    "jpg",
    "jpeg",
    "gif",
    "webp",
    "svg",
    "bmp",
    "ico",
    "heic",
    "avif",
    "js",
    "css",
    "json",
    "html",
    "htm",
    "xml",
    "txt",
    "mp3",
    "mp4",
    "wav",
    "ogg",
    "webm",
    "pdf",
    "zip",
    "apk",
    "so",
    "dex",
    "jar",
    "ttf",
    "otf",
    "woff",
    "woff2",
    "map",
}
LAT_KEYS = {"lat", "latitude"}
LNG_KEYS = {"lng", "lon", "long", "longitude"}
COORD_KEYS = LAT_KEYS | LNG_KEYS
FAKE_MACS = {"00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff", "02:00:00:00:00:00"}
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


@dataclass(frozen=True)
class Detection:
    kind: str  # the pi_type
    pi_category: str
    value: str


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return total % 10 == 0


def resident_id_ok(number: str) -> bool:
    body, check = number[:17], number[17].upper()
    return ID_CHECK[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS)) % 11] == check


def _said(words: re.Pattern, data: bytes, start: int, key: str | None) -> bool:
    """Whether the key, or the text just before the number, says what it is."""
    if key and words.search(key.encode("utf-8", "replace")):
        return True
    return bool(words.search(data, max(0, start - CONTEXT_BYTES), start))


def _digit_detections(data: bytes, runs: set[int], key: str | None) -> list[Detection]:
    found: list[Detection] = []
    if runs & RESIDENT_ID_RUNS:
        for m in _RESIDENT_ID.finditer(data):
            if resident_id_ok(m.group(1).decode()):
                found.append(Detection("resident_id", "identity", m.group(1).decode()))
    ids = {d.value for d in found}
    if runs & MOBILE_RUNS:
        for m in _CN_MOBILE.finditer(data):
            found.append(Detection("phone_number", "phone_number", m.group(1).decode()))
    if runs & IMEI_RUNS:
        for m in _IMEI.finditer(data):
            value = m.group(1).decode()
            if (
                value[:2] in IMEI_REPORTING_BODIES
                and luhn_ok(value)
                and not any(value in i for i in ids)
                and _said(_DEVICE_ID_WORDS, data, m.start(1), key)
            ):
                found.append(Detection("imei", "device_id", value))
    if runs & CARD_RUNS:
        for m in _CARD.finditer(data):
            value = m.group(1).decode()
            if (
                luhn_ok(value)
                and not any(value in i for i in ids)
                and _said(_CARD_WORDS, data, m.start(1), key)
            ):
                found.append(Detection("bank_card", "financial", value))
    return found


def detect(data: bytes, key: str | None = None) -> list[Detection]:
    found: list[Detection] = []
    if len(data) > 1_000_000:
        data = data[:1_000_000]
    # Cheap checks first: most segments cannot hold most kinds, and each regex pass costs.
    first_run = _DIGIT_RUNS.search(data)
    if first_run:
        found += _digit_detections(
            data, {m.end() - m.start() for m in _DIGIT_RUNS.finditer(data, first_run.start())}, key
        )
    if (b":" in data or b"-" in data) and _MAC_HINT.search(data):
        for m in _MAC.finditer(data):
            value = m.group(1).decode().lower().replace("-", ":")
            if value not in FAKE_MACS:
                found.append(Detection("mac_address", "network_id", value))
    if b"@" in data:
        for m in _EMAIL.finditer(data):
            address = m.group(1).decode()
            if address.rsplit(".", 1)[-1].lower() not in FILE_EXTENSIONS:
                found.append(Detection("email", "contact_info", address))
    if b"," in data and _COORDS_HINT.search(data):
        for m in _COORDS.finditer(data):
            lat, lng = float(m.group(1)), float(m.group(2))
            if -90 <= lat <= 90 and -180 <= lng <= 180 and not (lat == 0 and lng == 0):
                found.append(
                    Detection("coordinates", "location", f"{m.group(1).decode()},{m.group(2).decode()}")
                )
    if key and key.lower() in COORD_KEYS and _NUMBER.match(data.strip()) and float(data.strip()) != 0:
        found.append(Detection("coordinates", "location", data.strip().decode()))
    return found
