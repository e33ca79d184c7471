"""`privmon import`: a capture made with another tool (HTTP Toolkit, Charles, PCAPdroid, mitmproxy)
becomes a session, analysed with the device profile's identifiers as its watchlist."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from . import __version__
from . import events as ev
from .device_profile import DeviceProfile
from .timeutil import now_us

MAX_BODY = 1024 * 1024


class ImportError_(ValueError):
    pass


def _us(iso: str | None) -> int:
    if not iso:
        return now_us()
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1_000_000)


def _body(text: str | None, encoding: str | None) -> bytes:
    if not text:
        return b""
    if encoding == "base64":
        try:
            return base64.b64decode(text)
        except ValueError:
            return text.encode("utf-8", "replace")
    return text.encode("utf-8", "replace")


def _har_websocket(entry: dict, flow_id: str, session_id: str) -> list[ev.WebSocketRecord]:
    out = []
    for index, frame in enumerate(entry.get("_webSocketMessages") or []):
        text = frame.get("data") or ""
        binary = frame.get("opcode") == 2
        content = _body(text, "base64" if binary else None)
        time_s = frame.get("time")
        out.append(
            ev.WebSocketRecord(
                session_id,
                flow_id,
                index,
                int(time_s * 1_000_000) if isinstance(time_s, (int, float)) else now_us(),
                frame.get("type") == "send",
                not binary,
                content[:MAX_BODY],
                len(content),
                len(content) > MAX_BODY,
            )
        )
    return out


def har_records(path: Path, session_id: str) -> tuple[list[ev.FlowRecord], list[ev.WebSocketRecord]]:
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["log"]["entries"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise ImportError_(f"{path}: not a HAR file ({exc})") from exc
    records, messages = [], []
    for i, entry in enumerate(entries):
        try:
            req, resp = entry["request"], entry.get("response") or {}
            url = req["url"]
            split = urlsplit(url)
            post = req.get("postData") or {}
            body = _body(post.get("text"), post.get("encoding") or post.get("_encoding"))
            content = resp.get("content") or {}
            resp_body = _body(content.get("text"), content.get("encoding"))
            ts = _us(entry.get("startedDateTime"))
            elapsed = entry.get("time")
            records.append(
                ev.FlowRecord(
                    id=str(uuid.uuid4()),
                    session_id=session_id,
                    ts_start=ts,
                    ts_end=ts + int(elapsed * 1000)
                    if isinstance(elapsed, (int, float)) and elapsed >= 0
                    else None,
                    method=req.get("method", "GET"),
                    scheme=split.scheme or "http",
                    host=split.hostname or "",
                    port=split.port or (443 if split.scheme == "https" else 80),
                    url=url,
                    http_version=req.get("httpVersion", "HTTP/1.1"),
                    request_headers=[[h["name"], h["value"]] for h in req.get("headers", [])],
                    request_body=body[:MAX_BODY],
                    request_body_size=len(body),
                    request_body_truncated=len(body) > MAX_BODY,
                    status_code=resp.get("status") or None,
                    response_headers=[[h["name"], h["value"]] for h in resp.get("headers", [])],
                    response_body=resp_body[:MAX_BODY],
                    response_body_size=len(resp_body),
                    response_body_truncated=len(resp_body) > MAX_BODY,
                    tls=split.scheme == "https",
                    server_ip=entry.get("serverIPAddress") or None,
                )
            )
            messages += _har_websocket(entry, records[-1].id, session_id)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ImportError_(f"{path}: entry {i} is not a HAR entry ({exc})") from exc
    return records, messages


def import_capture(
    path: Path, profile: DeviceProfile, app: str, writer, app_profile: dict | None = None
) -> tuple[str, int]:
    if not path.exists():
        raise ImportError_(f"{path}: no such file")
    session_id = ev.new_session_id()
    if path.suffix.lower() == ".har":
        records, messages = har_records(path, session_id)
    else:
        from addons.flowfile import FlowFileError, read_flow_file

        try:
            records, messages = read_flow_file(path, session_id)
        except FlowFileError as exc:
            raise ImportError_(str(exc)) from exc
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
            },
        )
    )
    writer.submit_many(records)
    writer.submit_many(messages)
    writer.submit(ev.SessionEnded(session_id, ended, ev.SESSION_COMPLETED, f"imported from {path.name}"))
    writer.flush()
    return session_id, len(records)
