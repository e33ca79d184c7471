"""--redact: bundles shared outside the review team carry no PI values. Every watched value (what
the hooks returned and the device profile's identifiers), in every spelling of the transform
lattice (hex digests, base64, URL-encoding, …), becomes `[PI:<type>/<spelling>:len=<n>:h=<hash>]`
with a salted SHA-256, so reviewers still see what kind of value was where and can tell two
values apart, but not read them. Compressed bodies are dropped (the values inside them cannot be
masked in place); the bundle's manifest says so."""

from __future__ import annotations

import hashlib
import secrets

import ahocorasick

from ..codec.transforms import WatchValue, expand

COMPRESSED_NOTE = b"[body removed by --redact: compressed content cannot be masked in place]"


class Redactor:
    def __init__(self, values: list[WatchValue], salt: bytes | None = None) -> None:
        self.salt = salt or secrets.token_bytes(16)
        self._marker: dict[bytes, bytes] = {}
        for value in values:
            digest = hashlib.sha256(self.salt + value.value.encode()).hexdigest()[:12]
            for needle in expand(value):
                if len(needle.pattern) < 4:
                    continue
                marker = (
                    f"[PI:{value.pi_type}/{needle.encoding}:len={len(needle.pattern)}:h={digest}]".encode()
                )
                self._marker.setdefault(needle.pattern, marker)
        # one Aho-Corasick automaton over every spelling (a lattice holds hundreds per value: an
        # alternation regex would try each at every byte)
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY)
        for pattern in self._marker:
            self._automaton.add_word(pattern.decode("latin-1"), pattern)
        if self._marker:
            self._automaton.make_automaton()

    @property
    def count(self) -> int:
        return len(self._marker)

    def data(self, value: bytes) -> bytes:
        if not self._marker or not value:
            return value
        found = [(end - len(p) + 1, end + 1, p) for end, p in self._automaton.iter(value.decode("latin-1"))]
        if not found:
            return value
        # leftmost first, the longest of those that start together (a digest before its prefix)
        found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
        out, at = [], 0
        for start, end, pattern in found:
            if start >= at:
                out += [value[at:start], self._marker[pattern]]
                at = end
        out.append(value[at:])
        return b"".join(out)

    def text(self, value: str) -> str:
        return self.data(value.encode("utf-8", "surrogatepass")).decode("utf-8", "replace")

    def obj(self, value):
        """Strings and bytes anywhere inside lists and dicts (keys too)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, (bytes, bytearray)):
            return self.data(bytes(value))
        if isinstance(value, list):
            return [self.obj(v) for v in value]
        if isinstance(value, dict):
            return {self.obj(k) if isinstance(k, str) else k: self.obj(v) for k, v in value.items()}
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            redacted = self.text(repr(value))
            return value if redacted == repr(value) else redacted
        return value

    def flow(self, flow: dict) -> dict:
        out = self.obj({k: v for k, v in flow.items() if k not in ("request_body", "response_body")})
        for side in ("request", "response"):
            body = flow[f"{side}_body"] or b""
            compressed = any(
                k.lower() == "content-encoding" and v.strip().lower() not in ("", "identity")
                for k, v in flow[f"{side}_headers"]
            )
            if compressed and body:
                out[f"{side}_body"] = COMPRESSED_NOTE
                out[f"{side}_headers"] = [
                    h for h in out[f"{side}_headers"] if h[0].lower() != "content-encoding"
                ]
            else:
                out[f"{side}_body"] = self.data(body)
        return out
