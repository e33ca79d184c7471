"""Finds watched values in stored flows, in every decoded piece of each request (decode.py),
with one multi-pattern scan per piece (engine.py)."""

from __future__ import annotations

import gc
import multiprocessing
import os
from dataclasses import dataclass
from typing import Callable

from ..codec.alphabet import SubstitutionIndex, Target
from ..codec.decode import SEP, Decoded, HeaderCache, decode_request
from ..codec.multipattern import make_matcher
from ..codec.transforms import Needle, WatchValue, short_encoding, spellings
from .detectors import detect


@dataclass(frozen=True)
class Match:
    flow_id: str
    needle: Needle
    location: str  # the decoding path, ending with how the value was encoded
    key: str | None


@dataclass(frozen=True)
class FlowDecodeIssue:
    flow_id: str
    path: str
    error: str


DETECTED = "detected"  # the encoding of a detector's match: a value no hook or profile gave
CUSTOM_BASE64 = "custom-base64"  # a value's base64 in an alphabet of the app's own (codec/alphabet.py)


def where(path: str, needle: Needle) -> str:
    """A match's location: the piece's path, then how the value was spelt in it. A derived value's
    chain is written the way a reader decodes it: `body › json:$.d › base64 › AES/CBC/… › gzip › json`."""
    if needle.derived is None:
        return f"{path}{SEP}{needle.encoding}"
    form = "" if needle.form == "raw" else f"{SEP}{needle.form}"
    steps = [s.label for s in needle.derived.chain[1:]][::-1]
    return f"{path}{form}{SEP}{SEP.join(steps)}"


def _known_forms(watched) -> tuple[set[str], set[str]]:
    """The watched values as a detector could find them again: every spelling in lower case, and
    the digits of each (a phone number with or without 86, an IMEI with separators)."""
    spelt, digits = set(), set()
    for w in watched:
        for s in spellings(w.value, w.pi_type):
            spelt.add(s.lower())
            only = "".join(c for c in s if c.isdigit())
            if len(only) >= 6:
                digits.add(only)
    return spelt, digits


def _is_known(value: str, known: tuple[set[str], set[str]]) -> bool:
    """A detection that is a watched value in another case, spelling or with a prefix: reported
    once, as the watched value."""
    spelt, digits = known
    if value.lower() in spelt or value.lower().replace("-", ":") in spelt:
        return True
    only = "".join(c for c in value if c.isdigit())
    if only in digits:
        return True
    # the same number with a country code or trunk prefix (86, +86, 0086) on one side
    return len(only) >= 10 and any(
        0 < abs(len(d) - len(only)) <= 4 and (d.endswith(only) or only.endswith(d)) for d in digits
    )


# layers of a decoding path that hide what they carry (compression and structure do not)
HIDING_LAYERS = {"base64": "base64", "hex": "hex", "jwt:header": "jwt", "jwt:payload": "jwt"}


def travelled_encoding(location: str, needle: Needle) -> str:
    """What a value travelled in, outermost first: the hiding layers of its decoding path, then
    its own spelling (`base64 › md5`); "plain" only for a value sent as it is."""
    path = location.removesuffix(f"{SEP}{needle.encoding}")
    layers = [HIDING_LAYERS[step] for step in path.split(SEP) if step in HIDING_LAYERS]
    spelled = short_encoding(needle.encoding)
    return SEP.join(layers + ([spelled] if spelled != "plain" else [])) or "plain"


class FlowMatcher:
    def __init__(self, needles: list[Needle], backend: str | None = None, detectors: bool = False) -> None:
        self.needles = needles
        self.detectors = detectors
        self._known = _known_forms({n.watch for n in needles})
        self._position = {id(n): i for i, n in enumerate(needles)}
        self._headers = HeaderCache()
        # one pattern can stand for several needles: a ciphertext that carried both the IMEI and the
        # Android ID is a derived value of each
        by_pattern: dict[bytes, list[int]] = {}
        for i, n in enumerate(needles):
            by_pattern.setdefault(n.pattern, []).append(i)
        self._patterns = list(by_pattern.values())
        self._matcher = make_matcher(list(by_pattern), backend)
        self.backend = self._matcher.backend
        self._substitutions = SubstitutionIndex(
            [
                Target(n.pattern, n.derived is not None and not _whole(n.derived, n.pattern), i)
                for i, n in enumerate(needles)
                if n.pattern[-1:] != b"="
                and (n.form == "base64" or (n.derived is None and n.encoding == "base64"))
            ]
        )

    def match_flow(self, flow: dict) -> tuple[list[Match], list[FlowDecodeIssue]]:
        decoded = decode_request(
            flow["url"],
            flow["request_headers"],
            flow["request_body"] or b"",
            flow.get("ws_messages") or (),
            self._headers,
        )
        matches: list[Match] = []
        seen: set[tuple[str, str, str]] = set()
        # One scan of the whole request first: most requests hold no watched value at all.
        segments = (
            decoded.segments if self._matcher.scan(b"\x00".join(s.data for s in decoded.segments)) else ()
        )
        for segment in segments:
            for index in sorted(self._matcher.scan(segment.data)):
                for position in self._patterns[index]:
                    needle = self.needles[position]
                    key = (needle.watch.value, needle.encoding, segment.path)
                    if key in seen:
                        continue
                    seen.add(key)
                    matches.append(Match(flow["id"], needle, where(segment.path, needle), segment.key))
        if not self._substitutions.empty:
            matches += self._substituted(flow["id"], decoded, seen)
        if self.detectors:
            matches += self._detect(flow["id"], decoded, seen)
        issues = [FlowDecodeIssue(flow["id"], path, error) for path, error in decoded.errors]
        if decoded.truncated:
            issues.append(FlowDecodeIssue(flow["id"], "body", "decoding stopped at its size/segment bound"))
        return _one_per_chain(_most_specific(matches)), issues

    def _substituted(self, flow_id: str, decoded: Decoded, seen: set) -> list[Match]:
        """Values sent as base64 in an alphabet of the app's own."""
        out = []
        for segment in decoded.segments:
            if segment.path == "url" or segment.path in decoded.whole:
                continue
            for target, token in self._substitutions.find(segment.data):
                needle = _custom(self.needles[target.ref], token)
                key = (needle.watch.value, needle.encoding, segment.path)
                if key not in seen:
                    seen.add(key)
                    out.append(Match(flow_id, needle, where(segment.path, needle), segment.key))
        return out

    def pack(self, match: Match) -> tuple:
        """A match as plain data (its needle by position, a detection by value, a custom-alphabet
        spelling by its target's position and token) to cross processes."""
        position = self._position.get(id(match.needle))
        if position is None and match.needle.form == CUSTOM_BASE64:
            target = self._position[id(match.needle.derived_target)]
            return match.flow_id, (target, match.needle.pattern), match.location, match.key
        if position is None:
            w = match.needle.watch
            return match.flow_id, (w.value, w.pi_category, w.pi_type), match.location, match.key
        return match.flow_id, position, match.location, match.key

    def unpack(self, packed: tuple) -> Match:
        flow_id, needle, location, key = packed
        if isinstance(needle, tuple) and len(needle) == 2:
            needle = _custom(self.needles[needle[0]], needle[1])
        elif not isinstance(needle, int):
            value, pi_category, kind = needle
            needle = Needle(value.encode(), DETECTED, WatchValue(value, pi_category, kind, None))
        else:
            needle = self.needles[needle]
        return Match(flow_id, needle, location, key)

    def _detect(self, flow_id: str, decoded: Decoded, seen: set) -> list[Match]:
        """Lower-confidence matches for values nobody told us about (watched values excluded)."""
        out = []
        # A segment decoded whole into parts (JSON, a form, multipart, protobuf, a compressed body)
        # is searched through its parts: scanning it again would only find the same values.
        whole = decoded.whole
        for segment in decoded.segments:
            if segment.path == "url" or segment.path in whole:
                continue  # the URL's query parameters are segments of their own
            for d in detect(segment.data, segment.key):
                key = (d.value, DETECTED, segment.path)
                if _is_known(d.value, self._known) or key in seen:
                    continue
                seen.add(key)
                watch = WatchValue(d.value, d.pi_category, d.kind, None)
                out.append(
                    Match(
                        flow_id,
                        Needle(d.value.encode(), DETECTED, watch),
                        f"{segment.path} › detector:{d.kind}",
                        segment.key,
                    )
                )
        return out


def _custom(target: Needle, token: bytes) -> "CustomNeedle":
    return CustomNeedle(
        token,
        f"{target.encoding}{SEP}{CUSTOM_BASE64}" if target.derived is not None else CUSTOM_BASE64,
        target.watch,
        target.derived,
        CUSTOM_BASE64,
        target,
    )


@dataclass(frozen=True)
class CustomNeedle(Needle):
    derived_target: Needle | None = None  # the standard spelling this token is an image of


def _whole(derived, pattern: bytes) -> bool:
    """The needle spells the whole derived value (not the first bytes of a longer one)."""
    return derived.complete and len(pattern) >= len(derived.output) * 4 // 3


def _calls(needle: Needle) -> list:
    """The steps of a derived value's chain that a hooked call made, in order."""
    return [s for s in needle.derived.chain if s.hook_event_id is not None]


RESPELLINGS = ("encoded", "compressed")  # steps that only re-spell a value (base64, gzip)
ONE_WAY = ("hashed", "signed")  # steps whose output tells nothing beyond their input


def _one_per_chain(matches: list[Match]) -> list[Match]:
    """Per flow and watched value, one match per transmission of a derived value. When one chain
    extends another that was also found: if the extension only re-spells it (an AES output also
    seen through the Base64 call that encoded it), the longer chain tells it; if the extension is
    one-way (a MAC signing the encrypted payload it travels with), the shorter one is what was
    carried; otherwise (encrypted again) both were sent. The same chain found twice counts once,
    at its deepest piece."""
    derived = [m for m in matches if m.needle.derived is not None]
    if not derived:
        return matches
    ranked = sorted(derived, key=lambda m: -m.location.count(SEP))  # deepest first
    dropped: set[int] = set()
    seen: set[tuple] = set()
    for m in ranked:
        ids = tuple(s.hook_event_id for s in _calls(m.needle))
        if (m.needle.watch.value, ids) in seen:
            dropped.add(id(m))
            continue
        seen.add((m.needle.watch.value, ids))
    for short in derived:
        for long in derived:
            if short is long or id(short) in dropped or id(long) in dropped:
                continue
            if short.needle.watch.value != long.needle.watch.value:
                continue
            a, b = _calls(short.needle), _calls(long.needle)
            if len(a) >= len(b) or [s.hook_event_id for s in b[: len(a)]] != [s.hook_event_id for s in a]:
                continue
            extension = {s.verb for s in b[len(a) :]}
            if extension <= set(RESPELLINGS):
                dropped.add(id(short))
            elif extension <= set(ONE_WAY):
                dropped.add(id(long))
    return [m for m in matches if m.needle.derived is None or id(m) not in dropped]


def _most_specific(matches: list[Match]) -> list[Match]:
    """Keep, per value and encoding, the matches at the deepest paths: a value found in
    body › base64 › json:$.imei is also inside body; the outer hit adds nothing."""
    out = []
    for m in matches:
        deeper = any(
            o is not m
            and o.needle.watch.value == m.needle.watch.value
            and o.needle.encoding == m.needle.encoding
            and o.location.startswith(m.location.rsplit(" › ", 1)[0] + " › ")
            and len(o.location) > len(m.location)
            for o in matches
        )
        if not deeper:
            out.append(m)
    return out


PARALLEL_MIN_FLOWS = 2000
_FORKED: tuple[FlowMatcher, Callable[[tuple[int, int]], list[dict]]] | None = (
    None  # what forked workers inherit
)


def _match_chunk(chunk) -> list[tuple]:
    matcher, load = _FORKED
    return [matcher.pack(m) for flow in load(chunk) for m in matcher.match_flow(flow)[0]]


def default_workers() -> int:
    return min(os.cpu_count() or 1, 4)


class MatchJob:
    """Matching the flows numbered first..last, in chunks: in forked worker processes started at
    once when there are many (PARALLEL_MIN_FLOWS), so the caller can work meanwhile, or in this
    process when result() is called. `load((lo, hi))` gives the flows numbered lo..hi (in a worker it
    runs there: reading the store is spread too). The matcher and `load` are inherited by the
    workers, not pickled; results come back as compact tuples."""

    def __init__(
        self,
        matcher: FlowMatcher,
        load: Callable[[tuple[int, int]], list[dict]],
        first: int,
        last: int,
        workers: int | None = None,
    ) -> None:
        global _FORKED
        workers = workers if workers is not None else default_workers()
        count = last - first + 1
        parallel = (
            workers > 1 and count >= PARALLEL_MIN_FLOWS and "fork" in multiprocessing.get_all_start_methods()
        )
        step = -(-count // (workers * 4)) if parallel else max(count, 1)
        self._matcher, self._load = matcher, load
        self._chunks = [(lo, min(lo + step - 1, last)) for lo in range(first, last + 1, step)]
        self._pool = self._pending = None
        if parallel:
            if _FORKED is not None:
                raise RuntimeError("one parallel match at a time")
            _FORKED = (matcher, load)
            # Frozen objects are never visited by the workers' garbage collector, so their pages stay
            # shared with this process instead of being copied on first touch.
            gc.freeze()
            self._pool = multiprocessing.get_context("fork").Pool(workers)
            self._pending = self._pool.map_async(_match_chunk, self._chunks)

    def result(self) -> list[Match]:
        """Every match in every flow, in chunk and flow order."""
        if self._pool is None:
            return [
                m
                for chunk in self._chunks
                for flow in self._load(chunk)
                for m in self._matcher.match_flow(flow)[0]
            ]
        try:
            parts = self._pending.get()
        finally:
            self.close()
        return [self._matcher.unpack(packed) for part in parts for packed in part]

    def close(self) -> None:
        global _FORKED
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
            gc.unfreeze()
            _FORKED = None

    def __enter__(self) -> "MatchJob":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def find_matches(
    flows: list[dict],
    needles: list[Needle],
    backend: str | None = None,
    detectors: bool = False,
    workers: int | None = None,
) -> list[Match]:
    """Every match in every flow, in flow order; large lists are split across forked workers."""
    with MatchJob(
        FlowMatcher(needles, backend, detectors),
        lambda span: flows[span[0] : span[1] + 1],
        0,
        len(flows) - 1,
        workers,
    ) as job:
        return job.result()
