"""Finds watchlist values in stored flows: URL, request headers and the request body
(decoded from gzip/deflate, and URL-unquoted for forms)."""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from .watchlist import Needle

MAX_DECODED = 16 * 1024 * 1024


@dataclass(frozen=True)
class Match:
    flow_id: str
    needle: Needle
    location: str


def _header(headers: list[list[str]], name: str) -> str:
    for key, value in headers:
        if key.lower() == name:
            return value
    return ""


def decode_body(body: bytes, content_encoding: str) -> tuple[bytes, list[str], str | None]:
    """Returns (decoded body, the decoding steps, an error if decoding stopped)."""
    steps: list[str] = []
    for coding in [c.strip().lower() for c in content_encoding.split(",") if c.strip()][::-1]:
        try:
            if coding in ("gzip", "x-gzip"):
                body = gzip.GzipFile(fileobj=io.BytesIO(body)).read(MAX_DECODED)
            elif coding == "deflate":
                try:
                    body = zlib.decompressobj().decompress(body, MAX_DECODED)
                except zlib.error:
                    body = zlib.decompressobj(-zlib.MAX_WBITS).decompress(body, MAX_DECODED)
            elif coding == "identity":
                continue
            else:
                return body, steps, f"content-encoding {coding!r} not decoded"
        except (OSError, EOFError, zlib.error) as exc:
            return body, steps, f"{coding}: {exc}"
        steps.append(coding)
    return body, steps, None


def search_targets(flow: dict) -> list[tuple[str, bytes]]:
    """(location, bytes) pairs of one flow's outbound parts."""
    targets: list[tuple[str, bytes]] = [("url", flow["url"].encode("utf-8", "replace"))]
    unquoted_url = unquote_to_bytes(flow["url"])
    if unquoted_url != targets[0][1]:
        targets.append(("url › urldecode", unquoted_url))
    for key, value in flow["request_headers"]:
        targets.append((f"header:{key}", value.encode("utf-8", "replace")))
    body, steps, _error = decode_body(flow["request_body"] or b"", _header(flow["request_headers"], "content-encoding"))
    where = " › ".join(["body", *steps])
    targets.append((where, body))
    unquoted = unquote_to_bytes(body.replace(b"+", b" ")) if b"%" in body else body
    if unquoted != body:
        targets.append((where + " › urldecode", unquoted))
    return targets


def find_matches(flows: list[dict], needles: list[Needle]) -> list[Match]:
    matches: list[Match] = []
    for flow in flows:
        seen: set[tuple[str, str]] = set()
        for location, data in search_targets(flow):
            for needle in needles:
                key = (needle.watch.value, needle.encoding)
                if key not in seen and needle.pattern in data:
                    seen.add(key)
                    matches.append(Match(flow["id"], needle, location))
    return matches
