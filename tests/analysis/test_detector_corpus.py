"""The detectors' precision and recall on a labelled corpus (tests/data/detector_corpus.jsonl, made
by tests/data/make_detector_corpus.py): each piece goes through the real decoder and matcher as a
request body, and what is detected is compared with the labels."""

import json
from pathlib import Path

import pytest

from monitor.analysis.matching import FlowMatcher

CORPUS = Path(__file__).resolve().parent.parent / "data" / "detector_corpus.jsonl"
KINDS = ("phone_number", "imei", "resident_id", "mac_address", "email", "coordinates", "bank_card")
MIN_PRECISION = 0.95
MIN_RECALL = 0.90


def _detected(matcher: FlowMatcher, piece: dict) -> set[tuple[str, str]]:
    body = json.dumps({piece["key"]: piece["text"]}) if piece["key"] else piece["text"]
    flow = {"id": "f", "url": "https://t.example/c", "request_headers": [], "request_body": body.encode()}
    matches, _ = matcher.match_flow(flow)
    return {(m.needle.watch.pi_type, m.needle.watch.value) for m in matches}


def scores() -> dict[str, dict[str, float]]:
    matcher = FlowMatcher([], detectors=True)
    counts = {kind: {"tp": 0, "fp": 0, "fn": 0} for kind in KINDS}
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        piece = json.loads(line)
        expected = {(e["kind"], e["value"]) for e in piece["expect"]}
        found = _detected(matcher, piece)
        for kind, _value in found & expected:
            counts[kind]["tp"] += 1
        for kind, _value in found - expected:
            counts[kind]["fp"] += 1
        for kind, _value in expected - found:
            counts[kind]["fn"] += 1
    out = {}
    for kind, c in counts.items():
        out[kind] = {
            "precision": c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0,
            "recall": c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0,
            **c,
        }
    return out


@pytest.fixture(scope="module")
def measured():
    return scores()


@pytest.mark.parametrize("kind", KINDS)
def test_every_detector_is_precise_on_the_corpus(measured, kind):
    s = measured[kind]
    assert s["tp"] > 0, s  # the corpus has positives of every kind
    assert s["precision"] >= MIN_PRECISION, (kind, s)
    assert s["recall"] >= MIN_RECALL, (kind, s)


if __name__ == "__main__":  # the table in docs/traffic.md
    for kind, s in scores().items():
        print(f"| {kind} | {s['tp']} | {s['fp']} | {s['fn']} | {s['precision']:.3f} | {s['recall']:.3f} |")


@pytest.mark.parametrize(
    "watched, pi_type, sent",
    [
        ("+8613912345678", "phone_number", b'{"tel":"13912345678"}'),  # without the country code
        ("13912345678", "phone_number", b"tel=%2B86-13912345678"),  # with it
        ("02:1a:7b:3c:4d:5e", "mac_address", b'{"mac":"02-1A-7B-3C-4D-5E"}'),  # another case and separator
        ("LI.Lei@Example.cn", "email", b'{"mail":"li.lei@example.cn"}'),  # another case
    ],
)
def test_a_watched_value_is_never_reported_again_as_detected(watched, pi_type, sent):
    from monitor.codec.transforms import WatchValue, expand

    needles = expand(WatchValue(watched, "x", pi_type, 1))
    flow = {"id": "f", "url": "https://t.example/c", "request_headers": [], "request_body": sent}
    matches, _ = FlowMatcher(needles, detectors=True).match_flow(flow)
    assert [m for m in matches if m.needle.encoding == "detected"] == [], [m.location for m in matches]
