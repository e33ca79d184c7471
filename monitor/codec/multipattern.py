"""Multi-pattern matching: hyperscan where its wheel is installed, pyahocorasick otherwise.
Both report, for a buffer, the set of patterns found in it (compiled once per watchlist).

A compiled hyperscan database is kept (serialized, a few of them, bounded in bytes) for the
process's life: a session's watchlist is compiled again by every live-findings pass and every run
of a batch on the same phone, and its compilation was most of a small session's analysis."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

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
            if pattern:  # an empty pattern finds nothing
                self._automaton.add_word(pattern.decode("latin-1"), index)
        self._empty = not any(patterns)
        if not self._empty:
            self._automaton.make_automaton()

    def scan(self, data: bytes) -> set[int]:
        if self._empty or not data:
            return set()
        return {index for _end, index in self._automaton.iter(data.decode("latin-1"))}


class _CompiledCache:
    """Serialized databases by their patterns' digest, least recently used dropped first."""

    MAX_BYTES = 64 * 1024 * 1024

    def __init__(self) -> None:
        self._entries: OrderedDict[bytes, tuple[bytes, ...]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: bytes) -> tuple[bytes, ...] | None:
        with self._lock:
            data = self._entries.get(key)
            if data is not None:
                self._entries.move_to_end(key)
            return data

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0

    def put(self, key: bytes, data: tuple[bytes, ...]) -> None:
        size = sum(len(part) for part in data)
        if size > self.MAX_BYTES:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = data
            self._size += size
            while self._size > self.MAX_BYTES:
                _key, dropped = self._entries.popitem(last=False)
                self._size -= sum(len(part) for part in dropped)


_COMPILED = _CompiledCache()


def forget_compiled() -> None:
    """Drops the compiled databases this process kept (a benchmark of a one-shot analysis)."""
    _COMPILED.clear()


def _digest(patterns: list[bytes]) -> bytes:
    h = hashlib.blake2b(digest_size=32)
    for pattern in patterns:
        h.update(len(pattern).to_bytes(4, "little"))
        h.update(pattern)
    return h.digest()


class HyperscanMatcher:
    """Patterns without a NUL byte go to hyperscan's literal compiler (twice as fast to compile as
    escaped regexes); python-hyperscan hands literals over as C strings, cut at the first NUL, so
    patterns holding one are compiled as escaped regexes in a second database."""

    backend = "hyperscan"

    def __init__(self, patterns: list[bytes]) -> None:
        # an empty pattern finds nothing (the literal compiler refuses it)
        literal = [i for i, pattern in enumerate(patterns) if pattern and b"\x00" not in pattern]
        escaped = [i for i, pattern in enumerate(patterns) if b"\x00" in pattern]
        self._dbs = []
        if not literal and not escaped:
            return
        key = _digest(patterns)
        serialized = _COMPILED.get(key)
        if serialized is not None:
            for data in serialized:
                db = hyperscan.loadb(data, mode=hyperscan.HS_MODE_BLOCK)
                db.scratch = hyperscan.Scratch(db)  # loadb gives a database without one
                self._dbs.append(db)
            return
        for ids, is_literal in ((literal, True), (escaped, False)):
            if not ids:
                continue
            db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            expressions = [
                patterns[i] if is_literal else b"".join(b"\\x%02x" % b for b in patterns[i]) for i in ids
            ]
            db.compile(
                expressions=expressions, ids=ids, flags=hyperscan.HS_FLAG_SINGLEMATCH, literal=is_literal
            )
            self._dbs.append(db)
        _COMPILED.put(key, tuple(hyperscan.dumpb(db) for db in self._dbs))

    def scan(self, data: bytes) -> set[int]:
        if not self._dbs or not data:
            return set()
        found: set[int] = set()

        def on_match(index, _start, _end, _flags, _context):
            found.add(index)
            return 0

        for db in self._dbs:
            db.scan(data, match_event_handler=on_match)
        return found


def make_matcher(patterns: list[bytes], backend: str | None = None):
    if backend == "pyahocorasick" or (backend is None and hyperscan is None):
        return AhoCorasickMatcher(patterns)
    if hyperscan is None:
        raise RuntimeError("hyperscan is not installed")
    return HyperscanMatcher(patterns)
