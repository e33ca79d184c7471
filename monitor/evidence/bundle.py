"""Evidence bundles: a zip whose manifest holds the SHA-256 of every other file, and the
check that nothing inside was changed."""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from dataclasses import dataclass
from importlib.metadata import version as _version
from pathlib import Path

import mitmproxy.version

from .. import __version__
from ..codec.transforms import WatchValue
from ..storage.facts import SessionFacts
from ..storage.queries import StoreReader
from ..timeutil import iso_utc
from .apk_compare import apk_comparison
from .finding_evidence import finding_evidence, session_screenshots
from .gaps import capture_gaps
from .pdf import html_to_pdf
from .redact import Redactor
from .report import REMEDIES, render_report
from .sdk_summary import SdkSummary
from .serialize import consent_json, flow_rows, flows_to_har, hook_event_json, reviewed_findings, session_json
from .signing import SIGNATURE_FILE, check_signature, sign_digest
from .tables import findings_csv
from .workbook import session_workbook

FORMAT = "privmon-evidence/1"
MANIFEST = "manifest.json"
LIMITS_NOTE = (
    "A dynamic run shows what happened in the paths that were exercised; it cannot prove the absence "
    "of collection elsewhere, and a verdict on purpose, necessity or disclosure still needs a reviewer."
)


class BundleError(RuntimeError):
    pass


def _dump(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")


def _jsonl(rows) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in rows)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _manifest_digest(manifest: dict) -> str:
    body = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    return _sha256(json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode())


def _tools() -> dict:
    return {"privmon": __version__, "frida": _version("frida"), "mitmproxy": mitmproxy.version.VERSION}


def _flow_file(flows: list[dict], websocket_messages: list[dict]) -> tuple[bytes, list[str]]:
    """The flows in mitmproxy's own format (open with `mitmproxy -r flows.mitm`), and the flows
    that format cannot hold (they are in flows.har and the store as sent)."""
    import tempfile

    from addons.flowfile import write_flow_file

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "flows.mitm"
        left_out = write_flow_file(flows, path, websocket_messages)
        return path.read_bytes(), left_out


def _ws_json(m: dict) -> dict:
    try:
        text, b64 = m["content"].decode("utf-8"), None
    except UnicodeDecodeError:
        import base64

        text, b64 = None, base64.b64encode(m["content"]).decode("ascii")
    return {
        "flow_id": m["flow_id"],
        "index": m["index"],
        "ts": iso_utc(m["ts"]),
        "from_client": m["from_client"],
        "text": text,
        "base64": b64,
        "size": m["size"],
        "truncated": m["truncated"],
    }


def _screenshots(reader: StoreReader, session_id: str, redact: bool) -> tuple[dict[str, bytes], list[str]]:
    """The run's screenshots, checked against the SHA-256 recorded when each was taken. A
    redacted bundle leaves them out (pixels cannot be masked), and says so."""
    recorded = reader.screenshots(session_id)
    if not recorded:
        return {}, []
    if redact:
        return {}, [
            f"{len(recorded)} screenshot(s) left out of the redacted bundle (they may show personal data)"
        ]
    folder = reader.db_path.parent / "sessions" / session_id
    files, problems = {}, []
    for shot in recorded:
        name = shot["file"]
        if "/" in name[len("screenshots/") :] or ".." in name:
            problems.append(f"{name!r}: not a screenshot path")
            continue
        try:
            data = (folder / name).read_bytes()
        except OSError as exc:
            problems.append(f"{name}: missing ({exc.strerror or exc})")
            continue
        if _sha256(data) != shot.get("sha256"):
            problems.append(f"{name}: changed since it was taken (SHA-256 differs); included as found")
        files[name] = data
    return files, problems


def export_bundle(
    reader: StoreReader, session_id: str, out: Path, redact: bool = False, sign_with: Path | None = None
) -> dict:
    session = reader.session(session_id)
    facts = SessionFacts(reader, session_id)
    if redact and not facts.analysed:
        raise BundleError(
            f"session {session_id} has not been analysed yet, so its watched values are not known "
            f"and --redact could not mask them: `privmon analyze {session_id}` first"
        )
    redactor = Redactor([WatchValue(**w) for w in facts.watchlist]) if redact else None
    scrub = redactor.obj if redactor else (lambda value: value)
    flows = [redactor.flow(f) for f in reader.flows(session_id)] if redactor else reader.flows(session_id)
    ws = scrub(reader.websocket_messages(session_id))
    findings = scrub(reviewed_findings(reader, session_id))
    consents = scrub([consent_json(c) for c in reader.consent_events(session_id)])
    shots, shot_problems = _screenshots(reader, session_id, redact)
    # One pass over the hook events (a session may hold millions): each converted once, written to
    # hook_events.jsonl, and given to the workbook, which feeds the per-SDK summary the report reads.
    sdks, event_lines = SdkSummary(), []

    def hook_events():
        for e in reader.hook_events(session_id):
            row = scrub(hook_event_json(e, facts))
            event_lines.append(_jsonl([row]))
            yield row

    workbook = session_workbook(
        scrub(session), findings, hook_events(), scrub(flow_rows(reader, session_id)), REMEDIES, sdks
    )
    recorded = session_screenshots(reader, session_id)
    sdk_rows = sdks.rows(findings)
    apk = apk_comparison((session["meta"] or {}).get("apk_facts"), sdk_rows, reader.hook_tallies(session_id))
    report = render_report(
        scrub(session),
        findings,
        [scrub(finding_evidence(reader, session_id, f, recorded)) for f in findings],
        sdk_rows,
        facts.rules,
        facts.timeline,
        consents,
        shots,
        _tools(),
        LIMITS_NOTE,
        apk,
        capture_gaps(reader, session_id),
    )
    files: dict[str, bytes] = {
        "findings.json": _dump(findings),
        "findings.csv": findings_csv(findings),
        "findings.xlsx": workbook,
        "report.html": report,
        "reviews.json": _dump(scrub(reader.reviews(session_id))),
        "timeline.json": _dump(facts.timeline),
        "websocket_messages.jsonl": _jsonl(_ws_json(m) for m in ws),
        "hook_events.jsonl": b"".join(event_lines),
        "flows.har": _dump(flows_to_har(flows, __version__, ws)),
        "consent_events.json": _dump(consents),
        "pi_matches.json": _dump(scrub(reader.pi_matches(session_id))),
        "hook_coverage.json": _dump(reader.hook_coverage(session_id)),
        "blind_spots.json": _dump(scrub(reader.blind_spots(session_id))),
        "agent_messages.jsonl": _jsonl(
            scrub({"ts": iso_utc(m["ts"]), "type": m["type"], "payload": m["payload"]})
            for m in reader.agent_messages(session_id)
        ),
    }
    files["flows.mitm"], mitm_left_out = _flow_file(flows, ws)
    files.update(shots)
    pdf, pdf_problem = html_to_pdf(files["report.html"])
    if pdf is not None:
        files["report.pdf"] = pdf
    clock = reader.clock_samples(session_id)
    manifest = {
        "format": FORMAT,
        "tool": {"privmon": __version__, "frida": _version("frida"), "mitmproxy": mitmproxy.version.VERSION},
        "session": scrub(session_json({**session, "findings": None})),
        "target": session["target"],
        "lab": session["target"] == "lab",
        "app": session["app"],
        "started_at": iso_utc(session["started_at"]),
        "ended_at": iso_utc(session["ended_at"]),
        "scenario": (session["meta"] or {}).get("scenario"),
        "app_profile": scrub((session["meta"] or {}).get("app_profile")),
        "reviewer_decisions": len(reader.reviews(session_id)),
        "clock_offsets": [
            {"at": iso_utc(c["ts"]), "offset_us": c["offset_us"], "error_us": c["error_us"]} for c in clock
        ],
        "device": scrub((session["meta"] or {}).get("device")),
        "app_metadata": (session["meta"] or {}).get("app_metadata"),
        "apk": apk,
        "screenshots": {"count": len(shots), "problems": shot_problems},
        "flows_mitm_left_out": mitm_left_out,
        "limits": LIMITS_NOTE,
        "report_pdf": "report.pdf" if pdf is not None else f"not produced: {pdf_problem}",
        "redacted": (
            {
                "method": "watched values in every spelling → [PI:type/spelling:len:h=salted sha256]; "
                "compressed bodies removed",
                "values": redactor.count,
            }
            if redactor
            else False
        ),
        "files": {name: {"sha256": _sha256(data), "size": len(data)} for name, data in files.items()},
    }
    manifest["manifest_sha256"] = _manifest_digest(manifest)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST, _dump(manifest))
        for name, data in files.items():
            zf.writestr(name, data)
        if sign_with is not None:
            zf.writestr(SIGNATURE_FILE, sign_digest(sign_with, manifest["manifest_sha256"]))
    tmp.replace(out)
    if redactor is not None:
        manifest["redaction_salt"] = redactor.salt.hex()  # for the exporter only: never in the bundle
    return manifest


@dataclass
class VerifyReport:
    ok: bool
    problems: list[str]
    files_checked: int
    signed_by: str | None = None  # the signing key's fingerprint, when the bundle is signed


MAX_MANIFEST_BYTES = 64 * 1024 * 1024  # a manifest or signature larger than this is not privmon's
READ_ERRORS = (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, NotImplementedError)


def _read_bounded(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """An entry's bytes, refused (ValueError) past `limit` whatever its header claims: a zip bomb
    is stopped in bounded memory."""
    if info.file_size > limit:
        raise ValueError(f"{info.file_size} bytes, more than {limit}")
    with zf.open(info) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"more than {limit} bytes")
    return data


def _entry_digest(zf: zipfile.ZipFile, info: zipfile.ZipInfo, size: int) -> str:
    """SHA-256 of an entry read in chunks, never past the size the manifest lists for it."""
    digest = hashlib.sha256()
    read = 0
    with zf.open(info) as stream:
        while chunk := stream.read(1 << 20):
            read += len(chunk)
            if read > size:
                raise ValueError(f"larger than the {size} bytes the manifest lists")
            digest.update(chunk)
    return digest.hexdigest()


def verify_bundle(path: Path, public_key=None) -> VerifyReport:
    """`public_key`: an Ed25519 public key the bundle must be signed with. Every byte of every
    entry is checked against the manifest; an entry name that appears twice (a forged copy placed
    beside the real one), an entry larger than the manifest says, or data that does not inflate
    is a failure, never a crash."""
    if not path.exists():
        raise BundleError(f"{path}: no such file")
    problems: list[str] = []
    try:
        zf = zipfile.ZipFile(path)
    except READ_ERRORS as exc:
        return VerifyReport(False, [f"{path.name}: not a readable zip ({exc})"], 0)
    with zf:
        infos = zf.infolist()
        counts: dict[str, int] = {}
        for info in infos:
            counts[info.filename] = counts.get(info.filename, 0) + 1
        twice = sorted(name for name, n in counts.items() if n > 1)
        problems += [f"{name}: appears {counts[name]} times in the bundle" for name in twice]
        by_name = {info.filename: info for info in infos}
        if MANIFEST not in by_name:
            return VerifyReport(False, problems + [f"{MANIFEST}: missing"], 0)
        try:
            manifest = json.loads(_read_bounded(zf, by_name[MANIFEST], MAX_MANIFEST_BYTES))
        except READ_ERRORS as exc:
            return VerifyReport(False, problems + [f"{MANIFEST}: unreadable ({exc})"], 0)
        if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
            return VerifyReport(False, problems + [f"{MANIFEST}: not a privmon manifest"], 0)
        if manifest.get("manifest_sha256") != _manifest_digest(manifest):
            problems.append(f"{MANIFEST}: changed (its own digest does not match)")
        listed = manifest["files"]
        checked = 0
        for name, meta in listed.items():
            info = by_name.get(name)
            if info is None:
                problems.append(f"{name}: missing")
                continue
            size = meta.get("size") if isinstance(meta, dict) else None
            if not isinstance(size, int) or size < 0:
                problems.append(f"{name}: the manifest lists no size for it")
                continue
            if info.file_size != size:
                problems.append(f"{name}: {info.file_size} bytes, the manifest lists {size}")
                continue
            try:
                digest = _entry_digest(zf, info, size)
            except READ_ERRORS as exc:
                problems.append(f"{name}: corrupt ({exc})")
                continue
            checked += 1
            if digest != meta.get("sha256"):
                problems.append(f"{name}: changed (SHA-256 differs from the manifest)")
        for extra in sorted(set(by_name) - set(listed) - {MANIFEST, SIGNATURE_FILE}):
            problems.append(f"{extra}: not listed in the manifest")
        signed_by = None
        if SIGNATURE_FILE in by_name:
            try:
                signature = _read_bounded(zf, by_name[SIGNATURE_FILE], MAX_MANIFEST_BYTES)
            except READ_ERRORS as exc:
                problems.append(f"{SIGNATURE_FILE}: unreadable ({exc})")
            else:
                sig_problems, signed_by = check_signature(signature, _manifest_digest(manifest), public_key)
                problems += sig_problems
        elif public_key is not None:
            problems.append(f"{SIGNATURE_FILE}: missing (the bundle is not signed)")
    return VerifyReport(not problems, problems, checked, signed_by)
