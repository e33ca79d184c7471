"""`privmon import`: a capture made with another tool (HTTP Toolkit, Charles, PCAPdroid, mitmproxy)
becomes a session, analysed with the device profile's identifiers as its watchlist."""

from __future__ import annotations

import base64
import json
import math
import uuid
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from . import __version__
from . import events as ev
from .device_profile import DeviceProfile
from .storage.engine import StoreError
from .timeutil import now_us

MAX_BODY = 1024 * 1024
MAX_PROBLEMS = 100  # kept in the session's metadata; the count of the rest too


class ImportError_(ValueError):
    pass


class Problems:
    """What was odd in a capture and what was done about it (`entry 3: …: skipped`), kept with
    the session."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.count = 0

    def add(self, text: str) -> None:
        self.count += 1
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(text)


def _us(iso, fallback: int) -> tuple[int, bool]:
    """The HAR time in µs, and whether it was one (else `fallback`)."""
    if not isinstance(iso, str) or not iso:
        return fallback, False
    try:
        return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1_000_000), True
    except (ValueError, OverflowError, OSError):
        return fallback, False


def _body(text, encoding) -> bytes:
    if not isinstance(text, str) or not text:
        return b""
    if encoding == "base64":
        try:
            return base64.b64decode(text)
        except ValueError:
            return text.encode("utf-8", "replace")
    return text.encode("utf-8", "replace")


def _text(value) -> str | None:
    """A HAR field that should be text, as text (numbers spelt out); None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _headers(raw, where: str, problems: Problems) -> list[list[str]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.add(f"{where}: headers are not a list: dropped")
        return []
    out = []
    for i, header in enumerate(raw):
        name = _text(header.get("name")) if isinstance(header, dict) else None
        if not name:
            problems.add(f"{where}: header {i} has no name: dropped")
            continue
        value = _text(header.get("value"))
        if value is None:
            problems.add(f"{where}: header {name!r} has no text value ({header.get('value')!r}): kept empty")
            value = ""
        out.append([name, value])
    return out


def _status(raw, where: str, problems: Problems) -> int | None:
    """An HTTP status (100–999), None for none (HAR's 0: no response) or an odd one (recorded)."""
    if raw in (None, 0):
        return None
    number = isinstance(raw, (int, float)) and not isinstance(raw, bool) and math.isfinite(raw)
    if number and raw == int(raw) and 100 <= raw <= 999:
        return int(raw)
    problems.add(f"{where}: status {raw!r} is not an HTTP status: kept as none")
    return None


def _har_websocket(entry: dict, flow_id: str, session_id: str, where: str, problems: Problems) -> list:
    frames = entry.get("_webSocketMessages") or []
    if not isinstance(frames, list):
        problems.add(f"{where}: _webSocketMessages is not a list: dropped")
        return []
    out = []
    for index, frame in enumerate(frames):
        if not isinstance(frame, dict):
            problems.add(f"{where}: WebSocket message {index} is not an object: dropped")
            continue
        binary = frame.get("opcode") == 2
        content = _body(_text(frame.get("data")), "base64" if binary else None)
        time_s = frame.get("time")
        out.append(
            ev.WebSocketRecord(
                session_id,
                flow_id,
                index,
                int(time_s * 1_000_000)
                if isinstance(time_s, (int, float)) and not isinstance(time_s, bool) and 0 <= time_s < 1e11
                else now_us(),
                frame.get("type") == "send",
                not binary,
                content[:MAX_BODY],
                len(content),
                len(content) > MAX_BODY,
            )
        )
    return out


def _har_entries(path: Path) -> list:
    try:
        text = path.read_bytes().decode("utf-8-sig")  # a byte-order mark is allowed
    except OSError as exc:
        raise ImportError_(f"{path}: cannot read it ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise ImportError_(f"{path}: not a HAR file: not UTF-8 text (byte {exc.start})") from exc
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise ImportError_(f"{path}: not a HAR file: not JSON ({exc})") from exc
    log = doc.get("log") if isinstance(doc, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        raise ImportError_(
            f"{path}: not a HAR file: JSON without a log.entries list (a HAR is "
            '{"log": {"entries": [...]}})'
        )
    return entries


def har_records(
    path: Path, session_id: str, problems: Problems | None = None
) -> tuple[list[ev.FlowRecord], list[ev.WebSocketRecord]]:
    """The HAR's requests as records; an entry with an odd field is imported with the problem
    recorded, one that cannot be a request (no URL) is skipped and recorded."""
    problems = problems if problems is not None else Problems()
    records, messages = [], []
    last_ts = now_us()
    for i, entry in enumerate(_har_entries(path)):
        where = f"entry {i}"
        req = entry.get("request") if isinstance(entry, dict) else None
        url = _text(req.get("url")) if isinstance(req, dict) else None
        if not url:
            problems.add(f"{where}: no request URL: skipped")
            continue
        try:
            split = urlsplit(url)
            port = split.port
        except ValueError as exc:
            problems.add(f"{where}: URL {url[:100]!r} cannot be parsed ({exc}): skipped")
            continue
        resp = entry.get("response") if isinstance(entry.get("response"), dict) else {}
        post = req.get("postData") if isinstance(req.get("postData"), dict) else {}
        content = resp.get("content") if isinstance(resp.get("content"), dict) else {}
        body = _body(post.get("text"), post.get("encoding") or post.get("_encoding"))
        resp_body = _body(content.get("text"), content.get("encoding"))
        ts, valid = _us(entry.get("startedDateTime"), last_ts)
        if not valid:
            problems.add(
                f"{where}: startedDateTime {entry.get('startedDateTime')!r} is not a time: the previous "
                "entry's used"
            )
        last_ts = ts
        elapsed = entry.get("time")
        method = _text(req.get("method"))
        if not method:
            problems.add(f"{where}: no method: GET assumed")
        records.append(
            ev.FlowRecord(
                id=str(uuid.uuid4()),
                session_id=session_id,
                ts_start=ts,
                ts_end=ts + int(elapsed * 1000)
                if isinstance(elapsed, (int, float)) and not isinstance(elapsed, bool) and 0 <= elapsed < 1e9
                else None,
                method=method or "GET",
                scheme=split.scheme or "http",
                host=split.hostname or "",
                port=port or (443 if split.scheme == "https" else 80),
                url=url,
                http_version=_text(req.get("httpVersion")) or "HTTP/1.1",
                request_headers=_headers(req.get("headers"), f"{where} request", problems),
                request_body=body[:MAX_BODY],
                request_body_size=len(body),
                request_body_truncated=len(body) > MAX_BODY,
                status_code=_status(resp.get("status"), where, problems),
                response_headers=_headers(resp.get("headers"), f"{where} response", problems),
                response_body=resp_body[:MAX_BODY],
                response_body_size=len(resp_body),
                response_body_truncated=len(resp_body) > MAX_BODY,
                tls=split.scheme == "https",
                server_ip=_text(entry.get("serverIPAddress")) or None,
            )
        )
        messages += _har_websocket(entry, records[-1].id, session_id, where, problems)
    return records, messages


def import_capture(
    path: Path, profile: DeviceProfile, app: str, writer, app_profile: dict | None = None
) -> tuple[str, int, Problems]:
    """A session made of the capture, written whole or not at all: a capture with no request is
    refused; if the store does not take every record, the session is removed again."""
    if not path.exists():
        raise ImportError_(f"{path}: no such file")
    session_id = ev.new_session_id()
    problems = Problems()
    if path.suffix.lower() == ".har":
        records, messages = har_records(path, session_id, problems)
    else:
        from addons.flowfile import FlowFileError, read_flow_file

        try:
            records, messages = read_flow_file(path, session_id)
        except FlowFileError as exc:
            raise ImportError_(str(exc)) from exc
    if not records:
        raise ImportError_(
            f"{path}: no request in it to import"
            + (
                f" ({problems.count} entries skipped; the first: {problems.items[0]})"
                if problems.count
                else ""
            )
        )
    started = min((r.ts_start for r in records), default=now_us())
    ended = max(((r.ts_end or r.ts_start) for r in records), default=started)
    writer.submit(
        ev.SessionStarted(
            session_id,
            app,
            "import",
            started,
            meta={
                "source": str(path),
                "device_profile": profile.name,
                "watch": profile.watch_values(),
                "app_profile": app_profile or {"package": app},
                "versions": {"privmon": __version__},
                **(
                    {"import_problems": problems.items, "import_problem_count": problems.count}
                    if problems.count
                    else {}
                ),
            },
        )
    )
    writer.submit_many(records)
    writer.submit_many(messages)
    writer.submit(ev.SessionEnded(session_id, ended, ev.SESSION_COMPLETED, f"imported from {path.name}"))
    try:
        writer.commit()
    except StoreError:
        discard(writer, session_id)
        raise
    return session_id, len(records), problems


def discard(writer, session_id: str) -> None:
    """Removes a session that did not import whole (best effort: the store may be what failed)."""
    writer.submit(ev.SessionDiscarded(session_id))
    writer.flush()
