"""Decoding a request into the pieces PI can hide in, each with its path.

A flow becomes segments: the URL (its path segments, `;`-parameters, query parameters and keys
without a value), headers and cookies, and the body, decoded recursively — content encodings
(gzip, deflate, br, zstd), gzip and zlib streams by their headers, forms, JSON (and JSON inside
JSON strings), multipart parts, percent-encoding however often it was applied (`%252540`), URLs
inside values and headers (Referer, a redirect target in a query), base64/base64url and hex
runs, protobuf length-delimited fields, JWTs, and the client's WebSocket messages (`ws[3]`).
Every segment has a path such as `body › gzip › form:data › base64 › json:$.dev.imei`.
Depth, segment count and decoded size are bounded; whatever cannot be decoded is reported as an
error on its path and the raw bytes are still searched.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import io
import json
import re
import zlib
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, unquote_plus, unquote_to_bytes, urlsplit

import brotli
import zstandard

MAX_DEPTH = 8
MAX_SEGMENTS = 4000
MAX_DECODED_BYTES = 32 * 1024 * 1024
MAX_INFLATE = 16 * 1024 * 1024
SEP = " › "

_B64_RUN = re.compile(rb"[A-Za-z0-9+/_-]{16,}={0,2}")
# Maximal runs of 16+ hex digits (greedy, so never part of a longer run); only even-length ones
# are hex encodings. No look-behind: a pattern that starts with a character class is searched fast.
_HEX_RUN = re.compile(rb"[0-9A-Fa-f]{16,}")
_JWT = re.compile(rb"(eyJ[A-Za-z0-9_-]+)\.(eyJ[A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*)")
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1f]")  # bytes no text has: worth trying protobuf
_FORM = re.compile(rb"^[\w.%\[\]-]+=[^&]*(&[\w.%\[\]-]+=[^&]*)*$")
_PERCENT = re.compile(rb"%[0-9A-Fa-f]{2}")
_URL = re.compile(rb"^(?:https?|wss?)://[^\s/]+", re.IGNORECASE)


@dataclass(slots=True)
class Segment:
    path: str
    data: bytes
    key: str | None = None


@dataclass
class Decoded:
    segments: list[Segment] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    truncated: bool = False
    whole: set[str] = field(
        default_factory=set
    )  # paths decoded whole into parts (JSON, form, multipart, protobuf, gzip)
    size: int = 0  # bytes emitted so far, against MAX_DECODED_BYTES


def _join(path: str, step: str) -> str:
    return f"{path}{SEP}{step}" if path else step


def _inflate(coding: str, data: bytes) -> bytes:
    if coding in ("gzip", "x-gzip"):
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
            out = fh.read(MAX_INFLATE + 1)
    elif coding == "deflate":
        try:
            out = zlib.decompressobj().decompress(data, MAX_INFLATE + 1)
        except zlib.error:
            out = zlib.decompressobj(-zlib.MAX_WBITS).decompress(data, MAX_INFLATE + 1)
    elif coding == "br":
        out = brotli.decompress(data)
    elif coding == "zstd":
        out = zstandard.ZstdDecompressor().decompressobj().decompress(data)
    else:
        raise ValueError(f"content-encoding {coding!r} not supported")
    if len(out) > MAX_INFLATE:
        raise ValueError(f"inflates past {MAX_INFLATE} bytes; cut there")
    return out


def _json_strings(value, path: str):
    """(json path, string) for every string and number in a JSON value."""
    stack = [(value, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            for k, v in node.items():
                stack.append((v, f"{where}.{k}"))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                stack.append((v, f"{where}[{i}]"))
        elif isinstance(node, str):
            yield where, node
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            yield where, json.dumps(node)


def _protobuf_start(first: int) -> bool:
    """Whether a message can start with this byte (a one-byte key of field 0 or an unknown wire type
    cannot)."""
    return first >= 0x80 or (first >> 3 != 0 and first & 7 in (0, 1, 2, 5))


def _protobuf_fields(data: bytes, depth: int = 0):
    """Length-delimited fields of a protobuf message (wire type 2), recursively; raises on
    anything that is not valid wire format."""
    i, n = 0, len(data)
    out = []

    def varint() -> int:
        nonlocal i
        shift = result = 0
        while True:
            if i >= n or shift > 63:
                raise ValueError("bad varint")
            b = data[i]
            i += 1
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7

    while i < n:
        key = varint()
        number, wire = key >> 3, key & 7
        if number == 0:
            raise ValueError("field 0")
        if wire == 0:
            out.append((str(number), str(varint()).encode()))
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        elif wire == 2:
            length = varint()
            if i + length > n:
                raise ValueError("length past the end")
            out.append((str(number), data[i : i + length]))
            i += length
        else:
            raise ValueError(f"wire type {wire}")
        if i > n:
            raise ValueError("truncated")
    return out


def _b64decode(token: bytes) -> bytes | None:
    t = token.rstrip(b"=")
    pad = b"=" * (-len(t) % 4)
    try:
        if b"-" in t or b"_" in t:
            return base64.urlsafe_b64decode(t + pad)
        return base64.b64decode(t + pad, validate=True)
    except (binascii.Error, ValueError):
        return None


def _multipart_parts(data: bytes, content_type: str):
    m = re.search(r'boundary="?([^";]+)"?', content_type)
    if not m:
        raise ValueError("multipart without a boundary")
    boundary = b"--" + m.group(1).encode()
    for chunk in data.split(boundary)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, body = chunk.partition(b"\r\n\r\n")
        name = re.search(rb'name="([^"]*)"', head)
        yield (name.group(1).decode("utf-8", "replace") if name else "part"), body.rstrip(b"\r\n")


class HeaderCache:
    """What header values decoded into. A session's requests repeat the same headers (User-Agent,
    Content-Type, tokens, cookies), so each distinct one is decoded once. Bounded: cleared when full."""

    MAX_VALUE = 2048
    MAX_ENTRIES = 4096

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], tuple] = {}

    def get(self, key: tuple[str, str]) -> tuple | None:
        return self._entries.get(key)

    def put(self, key: tuple[str, str], entry: tuple) -> None:
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = entry


class _Decoder:
    """Digs pieces into their layers, emitting each into one bounded Decoded."""

    def __init__(self) -> None:
        self.result = Decoded()

    def emit(self, path: str, data: bytes, key: str | None = None) -> bool:
        result, segments = self.result, self.result.segments
        result.size += len(data)
        if len(segments) >= MAX_SEGMENTS or result.size > MAX_DECODED_BYTES:
            result.truncated = True
            return False
        segments.append(Segment(path, data, key))
        return True

    def part(self, parent: str, path: str, data: bytes, key: str | None, depth: int) -> None:
        """One part of a piece decoded whole: emitted, marked, dug into."""
        if self.emit(path, data, key):
            self.result.whole.add(parent)
            self.dig(path, data, depth)

    def dig(self, path: str, data: bytes, depth: int, content_type: str = "") -> None:
        """Decode one piece further; every layer found is emitted and dug into."""
        result, emit, part, dig = self.result, self.emit, self.part, self.dig
        if depth >= MAX_DEPTH or len(data) < 4:
            return
        # compression, by magic number
        if data.startswith(b"\x1f\x8b"):
            try:
                inner = _inflate("gzip", data)
            except (OSError, EOFError, ValueError, zlib.error) as exc:
                result.errors.append((f"{path}{SEP}gzip", str(exc)))
            else:
                part(path, f"{path}{SEP}gzip", inner, None, depth + 1)
                return
        # a zlib stream (Deflater, DeflaterOutputStream): its two-byte header is a multiple of 31
        if data[0] == 0x78 and (data[0] << 8 | data[1]) % 31 == 0:
            try:
                inner = zlib.decompressobj().decompress(data, MAX_INFLATE + 1)
            except zlib.error:
                inner = None  # binary that happens to start like zlib
            if inner and len(inner) <= MAX_INFLATE:
                part(path, f"{path}{SEP}zlib", inner, None, depth + 1)
                return
        stripped = data.strip()
        first = stripped[:1]
        # JSON
        if first == b"{" or first == b"[":
            try:
                value = json.loads(stripped.decode("utf-8"))
            except UnicodeDecodeError:
                pass  # binary that happens to start with a brace (a digest, a key): not JSON at all
            except ValueError as exc:
                if first == b"{":
                    result.errors.append((f"{path}{SEP}json", f"not JSON: {exc}"))
            else:
                for where, text in _json_strings(value, "$"):
                    part(
                        path,
                        f"{path}{SEP}json:{where}",
                        text.encode("utf-8"),
                        where.rsplit(".", 1)[-1],
                        depth + 1,
                    )
                return
        # multipart
        if content_type and content_type.lower().startswith("multipart/"):
            try:
                for name, body in _multipart_parts(data, content_type):
                    part(path, f"{path}{SEP}multipart:{name}", body, name, depth + 1)
            except ValueError as exc:
                result.errors.append((f"{path}{SEP}multipart", str(exc)))
            return
        # forms ("aGk=" alone is base64, not a form)
        if (
            b"=" in stripped
            and not (b"&" not in stripped and stripped.endswith(b"="))
            and _FORM.match(stripped)
            and len(stripped) < 1_000_000
        ):
            # latin-1 both ways keeps every byte, percent-escaped or not (%FF is not UTF-8)
            for key, value in parse_qsl(
                stripped.decode("latin-1"), keep_blank_values=True, encoding="latin-1"
            ):
                part(path, f"{path}{SEP}form:{key}", value.encode("latin-1"), key, depth + 1)
            return
        # protobuf: only binary data is tried (control bytes near the start), and it must parse whole
        if _CONTROL.search(data, 0, 64) and _protobuf_start(data[0]):
            try:
                fields = _protobuf_fields(data)
            except ValueError:
                fields = None
            if fields:
                for number, value in fields:
                    part(path, f"{path}{SEP}pb:{number}", value, number, depth + 1)
                return
        # a URL inside a value or a header (Referer, a redirect target): its parts
        if first[:1] in (b"h", b"H", b"w", b"W") and _URL.match(stripped) and len(stripped) < 65536:
            self.url(f"{path}{SEP}url", stripped.decode("utf-8", "replace"), depth + 1)
            return
        # percent-encoding, applied once or more (each layer decoded in turn): the layer is dug,
        # not the escaped text (its base64 and hex runs are the same once decoded)
        if b"%" in data and _PERCENT.search(data) and not _CONTROL.search(data, 0, 64):
            part(path, f"{path}{SEP}url-decoded", unquote_to_bytes(data), None, depth + 1)
            return
        # JWTs, then base64 and hex runs inside text (cheap gates first: most pieces have neither)
        jwt_spans = []
        if b"eyJ" in data:
            for m in _JWT.finditer(data):
                jwt_spans.append(m.span())
                for label, token in (("header", m.group(1)), ("payload", m.group(2))):
                    decoded = _b64decode(token)
                    if decoded is not None and emit(f"{path}{SEP}jwt:{label}", decoded):
                        dig(f"{path}{SEP}jwt:{label}", decoded, depth + 1)
        # Hex runs lie inside base64-alphabet runs (hex digits are base64 characters): one scan finds
        # the runs, hex is looked for inside them, hex layers first.
        runs = [m.span() for m in _B64_RUN.finditer(data)]
        if not runs:
            return
        for start, end in runs:
            for m in _HEX_RUN.finditer(data, start, end):
                if (m.end() - m.start()) % 2 or (jwt_spans and any(a <= m.start() < b for a, b in jwt_spans)):
                    continue
                decoded = bytes.fromhex(m.group(0).decode("ascii"))
                if len(decoded) >= 6 and emit(f"{path}{SEP}hex", decoded):
                    dig(f"{path}{SEP}hex", decoded, depth + 1)
        for start, end in runs:
            if jwt_spans and any(a <= start < b for a, b in jwt_spans):
                continue
            token = data[start:end]
            if len(token) % 2 == 0 and _HEX_RUN.fullmatch(token):
                continue  # a hex digest, already handled
            decoded = _b64decode(token)
            if decoded and len(decoded) >= 6 and emit(f"{path}{SEP}base64", decoded):
                dig(f"{path}{SEP}base64", decoded, depth + 1)

    def url(self, path: str, url: str, depth: int) -> None:
        """A URL's parts, each decoded further: path segments that hold escapes or `;`-parameters
        (`/activityi;ord=…;~oref=…`), query parameters (`query:key`), and query keys without a
        value (`?eyJ…`), which can carry the data themselves."""
        split = urlsplit(url)
        if "%" in split.path or ";" in split.path:
            for i, piece in enumerate(split.path.split("/")):
                name, *params = piece.split(";")
                if "%" in name:
                    name = unquote(name).encode("utf-8", "replace")
                    self._piece(f"{path}{SEP}path[{i}]", name, None, depth)
                for param in params:
                    key, _, value = param.partition("=")
                    value = unquote(value).encode("utf-8", "replace")
                    self._piece(f"{path}{SEP}param:{key}", value, key, depth)
        for pair in split.query.split("&") if split.query else ():
            key, eq, value = pair.partition("=")
            if eq:  # as parse_qsl decodes a pair: '+' is a space, escapes as UTF-8
                key = unquote_plus(key) if "%" in key or "+" in key else key
                value = unquote_plus(value) if "%" in value or "+" in value else value
                self._piece(f"{path}{SEP}query:{key}", value.encode("utf-8"), key, depth)
            elif len(pair) >= 6:
                self._piece(f"{path}{SEP}query-key", unquote_plus(pair).encode("utf-8"), None, depth)

    def _piece(self, path: str, data: bytes, key: str | None, depth: int) -> None:
        if self.emit(path, data, key):
            self.dig(path, data, depth)


def decode_request(
    url: str,
    headers: list[list[str]],
    body: bytes,
    messages: list[tuple[int, bytes]] = (),
    header_cache: HeaderCache | None = None,
) -> Decoded:
    """`messages`: the client's WebSocket messages on this connection, as (index, content).
    `header_cache`: shared by the requests of a session."""
    decoder = _Decoder()
    result, segments, emit, dig = decoder.result, decoder.result.segments, decoder.emit, decoder.dig
    # the URL and its parts
    emit("url", url.encode("utf-8", "replace"))
    decoder.url("url", url, 1)
    # headers and cookies
    content_type = content_encoding = ""
    for name, value in headers:
        lname = name.lower()
        if lname == "content-type":
            content_type = value
        elif lname == "content-encoding":
            content_encoding = value
        cached = header_cache.get((name, value)) if header_cache is not None else None
        if (
            cached is not None
            and len(segments) + len(cached[0]) <= MAX_SEGMENTS
            and result.size + cached[2] <= MAX_DECODED_BYTES
        ):
            segments.extend(Segment(*piece) for piece in cached[0])
            result.errors.extend(cached[1])
            result.whole.update(cached[3])
            result.size += cached[2]
            continue
        first_segment, first_error, whole_before = len(segments), len(result.errors), set(result.whole)
        if lname == "cookie":
            for pair in value.split(";"):
                key, _, val = pair.strip().partition("=")
                raw = val.encode("utf-8")
                if emit(f"header:Cookie › cookie:{key}", raw, key):
                    dig(f"header:Cookie › cookie:{key}", raw, 1)
        else:
            raw = value.encode("utf-8", "replace")
            if emit(f"header:{name}", raw, name):
                dig(f"header:{name}", raw, 1)
        if header_cache is not None and not result.truncated and len(value) <= HeaderCache.MAX_VALUE:
            pieces = [(seg.path, seg.data, seg.key) for seg in segments[first_segment:]]
            header_cache.put(
                (name, value),
                (
                    pieces,
                    result.errors[first_error:],
                    sum(len(p[1]) for p in pieces),
                    result.whole - whole_before,
                ),
            )
    # the body, through its content encodings
    path, data = "body", body or b""
    for coding in [c.strip().lower() for c in content_encoding.split(",") if c.strip()][::-1]:
        if coding == "identity":
            continue
        try:
            data = _inflate(coding, data)
            path = _join(path, coding)
        except (OSError, EOFError, ValueError, zlib.error, brotli.error, zstandard.ZstdError) as exc:
            result.errors.append((_join(path, coding), str(exc) or type(exc).__name__))
            break
    if data:
        emit(path, data)
        dig(path, data, 0, content_type)
    for index, content in messages:
        if content and emit(f"ws[{index}]", content):
            dig(f"ws[{index}]", content, 0)
    return result


def decode_bytes(data: bytes, root: str = "data") -> Decoded:
    """One piece of bytes (a value an app encrypted, hashed or encoded, say) and every layer in it,
    bounded as requests are; paths start at `root`."""
    decoder = _Decoder()
    if data and decoder.emit(root, data):
        decoder.dig(root, data, 0)
    return decoder.result
