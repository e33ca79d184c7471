"""privmon flow records ⇄ mitmproxy's own flow file format (`mitmproxy -r`, `mitmdump -nr`)."""

from __future__ import annotations

import uuid
from pathlib import Path

from mitmproxy import connection, http, io, websocket
from mitmproxy.exceptions import FlowReadException
from wsproto.frame_protocol import Opcode

from monitor import events as ev

from .flow_convert import DEFAULT_BODY_CAP, flow_to_record, websocket_record


class FlowFileError(ValueError):
    pass


def _seconds(us: int | None) -> float | None:
    return None if us is None else us / 1_000_000


def _b(text: str | None) -> bytes:
    """Stored text as the bytes it came from (UTF-8; undecodable bytes were kept as surrogates)."""
    return (text or "").encode("utf-8", "surrogateescape")


def _split_url(url: str) -> tuple[str, str]:
    """(authority, path) of a stored URL, without parsing it as valid: the app may send anything."""
    rest = url.split("://", 1)[1] if "://" in url else url
    authority, slash, path = rest.partition("/")
    return authority, slash + path if slash else "/"


def record_to_flow(f: dict, messages: list[dict] = ()) -> http.HTTPFlow:
    """A stored flow as a mitmproxy HTTPFlow (bodies as stored: capped, as the app sent them). Built
    field by field, not by parsing the URL: hosts that are IDNs or hold spaces, odd methods and
    status codes are kept as they were sent."""
    port = f["port"] if isinstance(f.get("port"), int) and 0 <= f["port"] <= 65535 else 0
    client = connection.Client(
        peername=("127.0.0.1", 0), sockname=("127.0.0.1", 0), timestamp_start=_seconds(f["ts_start"])
    )
    server = connection.Server(address=(f["host"], port))
    if f.get("server_ip"):
        server.peername = (f["server_ip"], port)
    flow = http.HTTPFlow(client, server)
    flow.id = f["id"]
    authority, path = _split_url(f["url"] or "")
    request = http.Request(
        host=f["host"] or "",
        port=port,
        method=_b(f["method"]),
        scheme=_b(f["scheme"]),
        authority=_b(authority),
        path=_b(path),
        http_version=_b(f["http_version"]),
        headers=http.Headers([(_b(k), _b(v)) for k, v in f["request_headers"]]),
        content=f["request_body"] or b"",
        trailers=None,
        timestamp_start=_seconds(f["ts_start"]),
        timestamp_end=_seconds(f["ts_start"]),
    )
    flow.request = request
    if f.get("status_code") is not None:
        flow.response = http.Response(
            http_version=_b(f["http_version"]),
            status_code=int(f["status_code"]),
            reason=b"",
            headers=http.Headers([(_b(k), _b(v)) for k, v in f["response_headers"]]),
            content=f["response_body"] or b"",
            trailers=None,
            timestamp_start=_seconds(f["ts_start"]),
            timestamp_end=_seconds(f["ts_end"] or f["ts_start"]),
        )
    if messages:
        flow.websocket = websocket.WebSocketData(
            messages=[
                websocket.WebSocketMessage(
                    Opcode.TEXT if m["is_text"] else Opcode.BINARY,
                    m["from_client"],
                    m["content"],
                    _seconds(m["ts"]),
                )
                for m in messages
            ]
        )
    return flow


def write_flow_file(records: list[dict], path: Path, websocket_messages: list[dict] = ()) -> list[str]:
    """Writes the flows; returns why any flow could not be (it is then left out of this file only)."""
    by_flow: dict[str, list[dict]] = {}
    for m in websocket_messages:
        by_flow.setdefault(m["flow_id"], []).append(m)
    left_out = []
    with open(path, "wb") as fh:
        writer = io.FlowWriter(fh)
        for record in records:
            try:
                flow = record_to_flow(record, by_flow.get(record["id"], []))
                writer.add(flow)
            except Exception as exc:  # noqa: BLE001 - what the app sent never fails the export
                left_out.append(f"flow {record['id']}: {type(exc).__name__}: {str(exc)[:200]}")
    return left_out


def read_flow_file(
    path: Path, session_id: str, body_cap: int = DEFAULT_BODY_CAP
) -> tuple[list[ev.FlowRecord], list[ev.WebSocketRecord]]:
    records, messages = [], []
    try:
        with open(path, "rb") as fh:
            for flow in io.FlowReader(fh).stream():
                if isinstance(flow, http.HTTPFlow):
                    record = flow_to_record(flow, session_id, body_cap)
                    record.id = str(uuid.uuid4())  # ids are unique in the store; a file may be imported twice
                    records.append(record)
                    for index, message in enumerate(flow.websocket.messages if flow.websocket else []):
                        messages.append(websocket_record(message, index, record.id, session_id, body_cap))
    except FlowReadException as exc:
        raise FlowFileError(f"{path}: not a readable mitmproxy flow file ({exc})") from exc
    return records, messages
