"""Bodies at rest: zstd-compressed in the store, transparent to every reader.

Captured bodies are often JSON or text and compress several times over; the flows table is the
store's largest. Short bodies are kept as they are (compression would only grow them).
"""

from __future__ import annotations

import threading

import zstandard

CODEC = "zstd"
MIN_COMPRESS = 1024  # below this, compressing costs more CPU than the bytes it saves
_LEVEL = 3
MAX_EXPANDED = 256 * 1024 * 1024  # a stored body never expands past this (bodies are capped far below)


def pack(data: bytes | None) -> tuple[bytes, str | None]:
    data = data or b""
    if len(data) < MIN_COMPRESS:
        return data, None
    packed = compress(data)
    if len(packed) >= len(data):
        return data, None
    return packed, CODEC


def compress(data: bytes) -> bytes:
    return zstandard.ZstdCompressor(level=_LEVEL).compress(data)


def pack_pair(first: bytes | None, second: bytes | None) -> tuple[bytes, bytes, str | None]:
    """A flow's request and response bodies share one codec column: both or neither."""
    first, second = first or b"", second or b""
    if len(first) + len(second) < MIN_COMPRESS:
        return first, second, None
    a, b = compress(first), compress(second)
    if len(a) + len(b) >= len(first) + len(second):
        return first, second, None
    return a, b, CODEC


def unpack(data: bytes | None, codec: str | None) -> bytes:
    if not codec or not data:
        return data or b""
    if codec != CODEC:
        raise ValueError(f"unknown body codec {codec!r}")
    decompressor = getattr(_local, "decompressor", None)
    if decompressor is None:  # creating one per body costs more than decompressing a small body
        decompressor = _local.decompressor = zstandard.ZstdDecompressor()
    return decompressor.decompress(data, max_output_size=MAX_EXPANDED)


_local = threading.local()
