"""Multi-pattern matching: hyperscan where its wheel is installed, pyahocorasick otherwise.
Both report, for a buffer, the set of patterns found in it (compiled once per watchlist)."""

from __future__ import annotations

import ahocorasick

try:  # optional: x86-64 Linux wheels only
    import hyperscan
except ImportError:  # pragma: no cover - depends on the platform
    hyperscan = None


class AhoCorasickMatcher:
    backend = "pyahocorasick"

    def __init__(self, patterns: list[bytes]) -> None:
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        for index, pattern in enumerate(patterns):
            # latin-1 maps each byte to one character, so string matching is byte matching.
            self._automaton.add_word(pattern.decode("latin-1"), index)
        self._empty = not patterns
        if not self._empty:
            self._automaton.make_automaton()

    def scan(self, data: bytes) -> set[int]:
        if self._empty or not data:
            return set()
        return {index for _end, index in self._automaton.iter(data.decode("latin-1"))}


class HyperscanMatcher:
    backend = "hyperscan"

    def __init__(self, patterns: list[bytes]) -> None:
        self._empty = not patterns
        if self._empty:
            return
        self._db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        expressions = [b"".join(b"\\x%02x" % b for b in p) for p in patterns]
        self._db.compile(
            expressions=expressions,
            ids=list(range(len(patterns))),
            flags=[hyperscan.HS_FLAG_SINGLEMATCH] * len(patterns),
        )

    def scan(self, data: bytes) -> set[int]:
        if self._empty or not data:
            return set()
        found: set[int] = set()

        def on_match(index, _start, _end, _flags, _context):
            found.add(index)
            return 0

        self._db.scan(data, match_event_handler=on_match)
        return found


def make_matcher(patterns: list[bytes], backend: str | None = None):
    if backend == "pyahocorasick" or (backend is None and hyperscan is None):
        return AhoCorasickMatcher(patterns)
    if hyperscan is None:
        raise RuntimeError("hyperscan is not installed")
    return HyperscanMatcher(patterns)
