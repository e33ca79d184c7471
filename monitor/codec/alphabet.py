"""Base64 in an alphabet of the app's own: SDKs swap the 64 characters for a shuffled table, so a
value's standard base64 never appears, only its image under a one-to-one character map.

A token of the traffic is that image when, position by position, equal characters of the
standard spelling stand opposite equal characters of the token and different opposite
different. Random text passes that test with a probability that shrinks with every repeated
character, so only spellings whose chance of a random pass is below MAX_CHANCE are looked for
(a 16-byte digest's 22 characters rarely repeat enough; a value of 30 bytes or more nearly always
does).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

MAX_CHANCE = 1e-9  # the largest chance that a random token passes for a spelling looked for
MIN_LENGTH = 16
PADDING = 2  # trailing padding characters a token may carry beyond the spelling
# runs of printable ASCII between the delimiters of URLs, forms, JSON and headers
_URLSAFE = bytes.maketrans(b"+/", b"-_")
_TOKEN = re.compile(rb"[^\s\"'&=,;:?\\\x00-\x1f\x7f-\xff]{%d,}" % MIN_LENGTH)


def chance(spelling: bytes, alphabet: int = 64) -> float:
    """The probability that a random token of the same length maps one-to-one onto `spelling`."""
    seen: set[int] = set()
    log_p = 0.0
    for c in spelling:
        if c in seen:
            log_p -= math.log(alphabet)
        else:
            log_p += math.log(max(alphabet - len(seen), 1) / alphabet)
            seen.add(c)
    return math.exp(log_p)


def shape(text: bytes) -> bytes:
    """Each character replaced by the order of its first appearance: two strings map one-to-one
    onto each other exactly when their shapes are equal."""
    first: dict[int, int] = {}
    return bytes(first.setdefault(c, len(first)) for c in text)


def maps_one_to_one(spelling: bytes, token: bytes) -> bool:
    return len(spelling) == len(token) and shape(spelling) == shape(token)


@dataclass(frozen=True)
class Target:
    spelling: bytes  # the standard base64 (unpadded) of a value, or of its first bytes
    prefix: bool  # True: the value is longer, its tokens only start with the spelling
    ref: object  # the caller's handle (a needle)


class SubstitutionIndex:
    """Finds, in text, tokens that are some target's spelling under a one-to-one character map
    other than the standard and URL-safe alphabets (those are the ordinary matcher's). Targets are
    keyed by shape, so a token costs one shape per length looked for, whatever the targets."""

    def __init__(self, targets: list[Target]) -> None:
        self._whole: dict[bytes, list[Target]] = {}
        self._prefix: dict[bytes, list[Target]] = {}
        whole_lengths, prefix_lengths = set(), set()
        self._counts: set[tuple[int, int]] = set()  # (length, distinct characters): a cheap first test
        for t in targets:
            if len(t.spelling) >= MIN_LENGTH and chance(t.spelling) <= MAX_CHANCE:
                (self._prefix if t.prefix else self._whole).setdefault(shape(t.spelling), []).append(t)
                (prefix_lengths if t.prefix else whole_lengths).add(len(t.spelling))
                self._counts.add((len(t.spelling), len(set(t.spelling))))
        self._whole_lengths = frozenset(whole_lengths)
        self._prefix_lengths = sorted(prefix_lengths)
        self.empty = not self._whole and not self._prefix

    def _candidates(self, table: dict[bytes, list[Target]], head: bytes):
        if (len(head), len(set(head))) not in self._counts:
            return ()
        return table.get(shape(head), ())

    def find(self, text: bytes) -> list[tuple[Target, bytes]]:
        if self.empty:
            return []
        out = []
        for m in _TOKEN.finditer(text):
            token = m.group(0)
            for length in range(max(len(token) - PADDING, MIN_LENGTH), len(token) + 1):
                if length not in self._whole_lengths:
                    continue
                pad = token[length:]
                if pad and (len(set(pad)) != 1 or pad[0] in token[:length]):
                    continue
                for t in self._candidates(self._whole, token[:length]):
                    if _substituted(t.spelling, token[:length]):
                        out.append((t, token))
            for length in self._prefix_lengths:
                if length > len(token):
                    break
                for t in self._candidates(self._prefix, token[:length]):
                    if _substituted(t.spelling, token[:length]):
                        out.append((t, token))
        return out


def _substituted(spelling: bytes, token: bytes) -> bool:
    """`token` (of the same shape) is `spelling` in another alphabet, not the standard nor the
    URL-safe one."""
    return token != spelling and token != spelling.translate(_URLSAFE)
