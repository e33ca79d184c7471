"""Provenance chains: what the app encrypted, hashed or encoded, linked to the personal
information inside it.

The hooks record each crypto and encoding call with its input and output (MessageDigest, Cipher,
Mac, Base64, GZIPOutputStream; bytes kept up to the agent's cap, hashed beyond it) and the
identity of its object, which links update() calls to the digest()/doFinal() that ends them.
Each finished operation's input is decoded like a request body (gzip, JSON, forms, base64…) and
searched for the watched values in every spelling of the lattice; an operation whose input holds
one makes its output a derived value, with its chain from the value outward
(`imei › json › gzip › AES/CBC/PKCS5Padding › base64`). Derived values are looked for in later
operations' inputs in turn, a generation at a time, and then in the traffic like any watched
value (derived_needles: raw bytes, base64 and hex, inside every decoded piece).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from functools import lru_cache

from ..codec.decode import SEP, decode_bytes
from ..codec.multipattern import make_matcher
from ..codec.transforms import Needle

MAX_OPERATIONS = 20_000  # finished operations searched (the first ones, in time order)
MAX_DERIVED = 5_000
MAX_GENERATIONS = 6  # operations chained on operations, at most this deep
MAX_INPUT = 64 * 1024  # bytes of one operation's input gathered from its update() calls
MIN_OUTPUT = 8  # a shorter output (a checksum, a flag) would match by chance
PREFIX = 48  # bytes of a long output its needles carry: 64 base64 characters, 96 hex digits

STREAMS = {
    "java.security.MessageDigest": "hashed",
    "javax.crypto.Cipher": "encrypted",
    "javax.crypto.Mac": "signed",
}
ENCODERS = {"android.util.Base64", "java.util.Base64$Encoder"}
COMPRESSORS = {"java.util.zip.GZIPOutputStream": "gzip"}  # a zlib layer is found by decoding alone
FINISHING = {"digest", "doFinal"}
MAC_LENGTHS = {"hmacmd5": 16, "hmacsha1": 20, "hmacsha224": 28, "hmacsha256": 32, "hmacsha384": 48}
MAC_LENGTHS["hmacsha512"] = 64
# decoding steps as chain steps ("json:$.dev.imei" → "json")
LAYER_NAMES = {"json": "json", "form": "form", "multipart": "multipart", "pb": "protobuf", "jwt": "jwt"}


@dataclass(frozen=True)
class Step:
    label: str  # "json", "gzip", "AES/CBC/PKCS5Padding", "base64"…
    hook_event_id: int | None = None  # the call that did it (None: a layer found by decoding)
    verb: str | None = None  # "encrypted", "hashed", "signed", "encoded", "compressed"

    def as_json(self) -> dict:
        return {"step": self.label, "hook_event_id": self.hook_event_id, "verb": self.verb}


@dataclass(frozen=True)
class Derived:
    """A value the app made from a watched one: an operation's output, with how it was made."""

    output: bytes  # as recorded: the first bytes of a long one
    complete: bool  # False when the agent kept only the output's first bytes
    watch: object  # the WatchValue inside
    chain: tuple[Step, ...]  # from the value outward, the value's type first
    hook_event_id: int  # the operation that produced it
    ts: int

    @property
    def label(self) -> str:
        """The chain after the value itself: a match's `encoding`."""
        return SEP.join(s.label for s in self.chain[1:])


@dataclass
class Operation:
    hook_event_id: int
    ts: int
    api: str
    label: str  # the algorithm ("AES/CBC/PKCS5Padding"), or "base64"
    verb: str
    input: bytes
    output: bytes
    output_complete: bool = True


@dataclass
class ProvenanceResult:
    derived: list[Derived] = field(default_factory=list)
    operations: int = 0
    bounded: list[str] = field(default_factory=list)  # which bounds stopped the search, if any

    SHOWN = 500  # derived values listed in the summary

    def summary(self) -> dict:
        """What readers show of the search, as stored with the analysis."""
        return {
            "operations": self.operations,
            "derived": len(self.derived),
            "bounded": self.bounded,
            "values": [
                {
                    "chain": [s.as_json() for s in d.chain],
                    "pi_type": d.watch.pi_type,
                    "hook_event_id": d.hook_event_id,
                    "output_length": len(d.output),
                }
                for d in self.derived[: self.SHOWN]
            ],
        }


def _array(value) -> tuple[bytes, bool] | None:
    """A byte[] as the agent recorded it ({hex, length, truncated}), with whether it is whole; None
    for anything else (a ByteBuffer is recorded as its description, not its bytes)."""
    if isinstance(value, dict) and isinstance(value.get("hex"), str):
        try:
            return bytes.fromhex(value["hex"]), not value.get("truncated")
        except ValueError:
            return None
    return None


def _bytes(value) -> tuple[bytes, bool] | None:
    """A byte[], or a String (what Base64.encodeToString returns) as its UTF-8 bytes."""
    if isinstance(value, str):
        return value.encode("utf-8"), True
    return _array(value)


def _span(data: bytes, args: list, at: int) -> bytes:
    """data[offset:offset+length] when args[at], args[at+1] are an (offset, length) pair."""
    if len(args) > at + 1 and isinstance(args[at], int) and isinstance(args[at + 1], int):
        return data[args[at] : args[at] + args[at + 1]]
    return data


def _stream_io(method: str, args: list, value, algorithm: str) -> tuple[bytes, bytes, bool]:
    """One update()/digest()/doFinal() call's input and output bytes (and whether the output is
    whole), across the overloads: bytes in the first argument, an (offset, length) after it,
    output returned or written into an output-buffer argument (the call returns its length)."""
    first = _array(args[0]) if args else None
    if len(args) == 1 and isinstance(args[0], int) and not isinstance(args[0], bool):
        return bytes([args[0] & 0xFF]), b"", True  # update(byte)
    returned = _array(value)
    if returned is not None:
        data_in = _span(first[0], args, 1) if first else b""
        return data_in, returned[0], returned[1]
    if isinstance(value, int) and not isinstance(value, bool):
        if len(args) in (2, 3) and first:  # doFinal(out, offset) / digest(buf, offset, length)
            offset = args[1] if isinstance(args[1], int) else 0
            return b"", first[0][offset : offset + value], first[1]
        if len(args) >= 4 and first:  # (in, offset, length, out[, outOffset])
            out = _array(args[3])
            offset = args[4] if len(args) >= 5 and isinstance(args[4], int) else 0
            return _span(first[0], args, 1), (out[0][offset : offset + value] if out else b""), True
    if value is None and method == "doFinal" and len(args) == 2 and first:  # Mac.doFinal(out, offset)
        length = MAC_LENGTHS.get(algorithm.lower(), 0)
        offset = args[1] if isinstance(args[1], int) else 0
        return b"", first[0][offset : offset + length], first[1]
    if method == "update" and first:  # Mac/MessageDigest.update(byte[]…): nothing returned
        return _span(first[0], args, 1), b"", True
    return b"", b"", True


def _encoder_io(cls: str, args: list, value) -> tuple[bytes, bytes] | None:
    first = _array(args[0]) if args else None
    if first is None:
        return None  # encode(ByteBuffer): not recorded as bytes
    data_in = first[0]
    if cls == "android.util.Base64" and len(args) == 4:  # encode(input, offset, len, flags)
        data_in = _span(data_in, args, 1)
    returned = _bytes(value)
    if returned is not None:
        return data_in, returned[0]
    if isinstance(value, int) and len(args) == 2:  # java.util.Base64.Encoder.encode(src, dst)
        out = _array(args[1])
        return (data_in, out[0][:value]) if out else None
    return None


def _split(ret) -> tuple[object, object]:
    if isinstance(ret, dict) and "this" in ret:
        return ret.get("this"), ret.get("return")
    return None, ret


def operations(events: list[dict]) -> tuple[list[Operation], dict[bytes, int]]:
    """Finished operations in time order, and what each compressing stream was given (its whole
    input → the last write's hook event), from crypto/encoding hook events in time order."""
    pending: dict[tuple[str, object], list] = {}
    streams: dict[object, list] = {}
    ops: list[Operation] = []
    for event in events:
        cls, _, method = event["api"].rpartition(".")
        args = event.get("args") or []
        this, value = _split(event.get("ret"))
        if cls in STREAMS:
            obj = this if isinstance(this, dict) else {}
            algorithm = str(obj.get("algorithm") or cls.rsplit(".", 1)[-1])
            state = pending.setdefault((cls, obj.get("id")), [bytearray(), bytearray(), True])
            data_in, data_out, whole = _stream_io(method, args, value, algorithm)
            if len(state[0]) < MAX_INPUT:
                state[0] += data_in[: MAX_INPUT - len(state[0])]
            if len(state[1]) < MAX_INPUT:
                state[1] += data_out[: MAX_INPUT - len(state[1])]
            state[2] = state[2] and whole
            if method in FINISHING:
                del pending[(cls, obj.get("id"))]
                ops.append(
                    Operation(
                        event["id"],
                        event["ts"],
                        event["api"],
                        algorithm,
                        STREAMS[cls],
                        bytes(state[0]),
                        bytes(state[1]),
                        state[2],
                    )
                )
        elif cls in ENCODERS:
            io = _encoder_io(cls, args, value)
            if io is not None:
                ops.append(Operation(event["id"], event["ts"], event["api"], "base64", "encoded", *io))
        elif cls in COMPRESSORS:
            data = _array(args[0]) if args else None
            piece = bytes([args[0] & 0xFF]) if args and isinstance(args[0], int) else None
            if data is not None:
                piece = _span(data[0], args, 1)
            if piece:
                state = streams.setdefault((cls, this), [bytearray(), None])
                if len(state[0]) < MAX_INPUT:
                    state[0] += piece[: MAX_INPUT - len(state[0])]
                state[1] = event["id"]
    compressed = {bytes(data): event_id for data, event_id in streams.values()}
    return ops, compressed


def _layers(path: str, gzip_of: dict[str, int | None]) -> list[Step]:
    """The decoding steps of a piece's path inside an operation's input, from the value outward;
    a gzip layer names the compressing stream that was given those bytes, when one was."""
    parts = path.split(SEP)
    steps = []
    for i in range(1, len(parts)):
        label = LAYER_NAMES.get(parts[i].split(":", 1)[0], parts[i].split(":", 1)[0])
        if label == "gzip":
            steps.append(Step("gzip", gzip_of.get(SEP.join(parts[: i + 1])), "compressed"))
        else:
            steps.append(Step(label))
    return steps[::-1]


@lru_cache(maxsize=20_000)
def _input_pieces(data: bytes) -> tuple:
    """An operation's input decoded into its pieces, once per distinct input in this process (the
    live passes over a running session search the same operations again)."""
    return tuple(decode_bytes(data, "input").segments)


def forget_decoded_inputs() -> None:
    _input_pieces.cache_clear()


def derive(
    ops: list[Operation], needles: list[Needle], compressed: dict[bytes, int] | None = None
) -> ProvenanceResult:
    """Every derived value the operations made from the needles' watched values (and from each
    other), shortest chains first."""
    compressed = compressed or {}
    result = ProvenanceResult(operations=len(ops))
    usable = [o for o in ops if len(o.output) >= MIN_OUTPUT and o.input]
    if len(usable) > MAX_OPERATIONS:
        result.bounded.append(f"only the first {MAX_OPERATIONS} of {len(usable)} operations were searched")
        usable = usable[:MAX_OPERATIONS]
    pieces = [_input_pieces(o.input) for o in usable]
    done: set[tuple[int, str]] = set()  # (operation, watched value)
    produced: set[tuple[bytes, str]] = set()  # (output, watched value)
    taken = {n.pattern for n in needles}
    targets = needles
    for generation in range(MAX_GENERATIONS):
        if not targets:
            break
        matcher = make_matcher([n.pattern for n in targets])
        fresh: list[Derived] = []
        for op, segments in zip(usable, pieces):
            if not matcher.scan(b"\x00".join(s.data for s in segments)):
                continue
            gzip_of = {s.path: compressed.get(s.data) for s in segments if s.path.endswith(f"{SEP}gzip")}
            for segment in sorted(segments, key=lambda s: -s.path.count(SEP)):  # deepest first
                for index in sorted(matcher.scan(segment.data)):
                    needle = targets[index]
                    source = needle.derived
                    if source is not None and (source.ts > op.ts or source.hook_event_id == op.hook_event_id):
                        continue
                    key = (op.hook_event_id, needle.watch.value)
                    made = (op.output, needle.watch.value)  # Base64.encodeToString() calling encode()
                    if key in done or made in produced:
                        continue
                    done.add(key)
                    produced.add(made)
                    if source is None:
                        head = [Step(needle.watch.pi_type)]
                        if needle.encoding != "plain" and not needle.encoding.startswith("plain("):
                            head.append(Step(needle.encoding))
                    else:
                        head = list(source.chain)
                        if needle.form not in ("raw", ""):
                            head.append(Step(needle.form))
                    layers = _layers(segment.path, gzip_of)
                    step = Step(op.label, op.hook_event_id, op.verb)
                    fresh.append(
                        Derived(
                            op.output,
                            op.output_complete,
                            needle.watch,
                            (*head, *layers, step),
                            op.hook_event_id,
                            op.ts,
                        )
                    )
        room = MAX_DERIVED - len(result.derived)
        if len(fresh) > room:
            result.bounded.append(f"derived values stopped at {MAX_DERIVED}")
            fresh = fresh[:room]
        result.derived += fresh
        targets = derived_needles(fresh, taken)
        taken |= {n.pattern for n in targets}
        if generation == MAX_GENERATIONS - 1 and targets:
            result.bounded.append(f"chains stopped at {MAX_GENERATIONS} operations")
    return result


def _b64_forms(data: bytes) -> list[tuple[bytes, str]]:
    """Unpadded only: a padded spelling contains the unpadded one."""
    return [
        (base64.b64encode(data).rstrip(b"="), "base64"),
        (base64.urlsafe_b64encode(data).rstrip(b"="), "base64url"),
    ]


def derived_needles(
    derived: list[Derived], taken: set[bytes] = frozenset(), covered: bool = False
) -> list[Needle]:
    """Each derived value as the patterns it can be sent in: its bytes, base64 and hex (of its first
    PREFIX bytes when longer: a prefix of the longer value's own spelling), except patterns already
    `taken`. covered=True: a value any of whose spellings is taken (an unsalted MD5 of the IMEI is
    in the lattice) is left out whole: the lattice reports it, once."""
    out: list[Needle] = []
    for d in derived:
        whole = d.complete and len(d.output) <= PREFIX
        head = d.output if whole else d.output[:PREFIX]
        forms = [(head, "raw"), *_b64_forms(head), (head.hex().encode(), "hex")]
        forms.append((head.hex().upper().encode(), "hex"))
        if covered and any(pattern in taken for pattern, _ in forms):
            continue
        seen: set[bytes] = set()
        for pattern, form in forms:
            if len(pattern) < MIN_OUTPUT or pattern in taken or pattern in seen:
                continue
            seen.add(pattern)
            out.append(Needle(pattern, d.label, d.watch, d, form))
    return out
