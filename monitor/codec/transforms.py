"""The transform lattice: each watched value, normalised for its kind, in every form apps send it.

Normalisation gives the canonical spellings of one value (digits-only IMEI, MAC with and without
separators, phone numbers with and without +86, coordinates at 2–6 decimals and as scaled
integers); each spelling is then expanded by case, URL-encoding, base64 (standard and URL-safe,
with and without padding), hex, and MD5/SHA-1/SHA-256/SHA-512 digests as hex (both cases) and
base64. Each needle keeps a label of how it was made, e.g. "md5(hex)" or "base64(md5)".

Digests are also taken of digests and of encodings, up to three deep: `sha256(md5(value))` (of the
inner digest's hex text, lower or upper case), `sha1(sha256(md5(value)))` (lower case, the inner
two MD5/SHA-1/SHA-256), `md5(base64(value))`, `sha256(hex(value))`; each as hex and as base64.
Those labels name the whole chain, innermost last. At most NEEDLES_PER_SPELLING needles a spelling
(docs/traffic.md measures the lattice).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from urllib.parse import quote

MIN_NEEDLE = 6
DIGESTS = ("md5", "sha1", "sha256", "sha512")
INNER_DIGESTS = ("md5", "sha1", "sha256")  # what apps hash again (a SHA-512 hex is rarely re-hashed)
NEEDLES_PER_SPELLING = 400


@dataclass(frozen=True)
class WatchValue:
    value: str
    pi_category: str
    pi_type: str
    hook_event_id: int | None  # the first hook event that returned it (None: from the device profile)


@dataclass(frozen=True)
class Needle:
    pattern: bytes
    encoding: str
    watch: WatchValue
    # A value the app derived from the watched one (analysis/provenance.py Derived), with `form`
    # how its bytes were spelt in this pattern ("raw", "base64", "hex"); None for the lattice's own.
    derived: object = None
    form: str = ""


def spellings(value: str, pi_type: str) -> list[str]:
    """Canonical spellings of one value for its kind."""
    v = value.strip()
    out = [v]
    digits = re.sub(r"\D", "", v)
    if pi_type in ("imei", "meid", "imsi", "iccid") and digits and digits != v:
        out.append(digits)
    if pi_type in ("mac_address", "bssid", "bluetooth_mac", "wifi_mac") or re.fullmatch(
        r"(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}", v
    ):
        bare = re.sub(r"[:-]", "", v)
        for form in (bare, v.replace("-", ":"), v.replace(":", "-")):
            out += [form.lower(), form.upper()]
    if pi_type == "phone_number" or re.fullmatch(r"\+?86-?1[3-9]\d{9}", v):
        national = re.sub(r"^(\+?86)-?", "", re.sub(r"[\s-]", "", v))
        out += [national, "+86" + national, "86" + national, "+86-" + national]
    if pi_type == "precise_location":
        try:
            number = float(v)
        except ValueError:
            number = None
        if number is not None:
            out += [f"{number:.{d}f}" for d in range(6, 1, -1)]
            out += [str(int(round(number * 10**d))) for d in (6, 5)]  # scaled integers (e.g. 31230416)
    seen: list[str] = []
    for s in out:
        if s and s not in seen:
            seen.append(s)
    return seen


def _b64_forms(raw: bytes) -> list[tuple[bytes, str]]:
    std = base64.b64encode(raw)
    url = base64.urlsafe_b64encode(raw)
    forms = [
        (std, "base64"),
        (std.rstrip(b"="), "base64"),
        (url, "base64url"),
        (url.rstrip(b"="), "base64url"),
    ]
    return list(dict.fromkeys(forms))


def expand(watch: WatchValue) -> list[Needle]:
    needles: dict[bytes, str] = {}

    def add(pattern: bytes, label: str) -> None:
        if len(pattern) >= MIN_NEEDLE and pattern not in needles:
            needles[pattern] = label

    for spelling in spellings(watch.value, watch.pi_type):
        raw = spelling.encode("utf-8")
        add(raw, "plain")
        add(raw.lower(), "plain(lowercase)")
        add(raw.upper(), "plain(uppercase)")
        add(quote(spelling, safe="").encode(), "url-encoded")
        add(quote(spelling, safe="").lower().encode(), "url-encoded")
        add(quote(quote(spelling, safe=""), safe="").encode(), "url-encoded")  # twice (`%253A`)
        for form, label in _b64_forms(raw):
            add(form, label)
        add(raw.hex().encode(), "hex")
        add(raw.hex().upper().encode(), "hex")
        for name in DIGESTS:
            digest = hashlib.new(name, raw).digest()
            add(digest.hex().encode(), f"{name}(hex)")
            add(digest.hex().upper().encode(), f"{name}(hex)")
            for form, label in _b64_forms(digest):
                add(form, f"{label}({name})")
        for chain, digest in _nested_digests(raw):
            add(digest.hex().encode(), chain)
            add(digest.hex().upper().encode(), chain)
            add(base64.b64encode(digest), f"base64({chain})")
            add(base64.b64encode(digest).rstrip(b"="), f"base64({chain})")
    return [Needle(pattern, label, watch) for pattern, label in needles.items()]


def _nested_digests(raw: bytes) -> list[tuple[str, bytes]]:
    """(chain, digest) for digests of encodings and of digests, up to three deep; a digest is
    re-hashed as its hex text, as apps do (`md5(x).hexdigest()` hashed again)."""
    out = []
    encoded = (
        ("base64", base64.b64encode(raw)),
        ("hex", raw.hex().encode()),
        ("hex", raw.hex().upper().encode()),
    )
    for encoding, text in encoded:
        for name in DIGESTS:
            out.append((f"{name}({encoding}(value))", hashlib.new(name, text).digest()))
    for inner in INNER_DIGESTS:
        first = hashlib.new(inner, raw).hexdigest()
        for text in (first, first.upper()):
            for middle in DIGESTS:
                second = hashlib.new(middle, text.encode()).digest()
                out.append((f"{middle}({inner}(value))", second))
                if text != first or middle not in INNER_DIGESTS:
                    continue
                for outer in DIGESTS:
                    out.append(
                        (
                            f"{outer}({middle}({inner}(value)))",
                            hashlib.new(outer, second.hex().encode()).digest(),
                        )
                    )
    return out


def short_encoding(label: str) -> str:
    """A finding's `encoding`: 'md5(hex)' → 'md5', 'base64url(sha256)' → 'sha256+base64',
    'plain(uppercase)' → 'plain', 'base64url' → 'base64'; a chain names its steps, outermost
    first: 'sha256(md5(value))' → 'sha256(md5)', 'base64(md5(hex(value)))' → 'md5(hex)+base64'."""
    if "(value)" in label:
        chain = label.replace("(value)", "")
        if chain.startswith("base64("):
            return chain[len("base64(") : -1] + "+base64"
        return chain
    head, _, inner = label.partition("(")
    inner = inner.rstrip(")")
    if head in ("plain",):
        return "plain"
    if inner in DIGESTS:
        return f"{inner}+base64"
    if inner == "hex" and head in DIGESTS:
        return head
    return "base64" if head == "base64url" else head
