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


def record_to_flow(f: dict, messages: list[dict] = ()) -> http.HTTPFlow:
    """A stored flow as a mitmproxy HTTPFlow (bodies as stored: capped, as the app sent them)."""
    client = connection.Client(
        peername=("127.0.0.1", 0), sockname=("127.0.0.1", 0), timestamp_start=_seconds(f["ts_start"])
    )
    server = connection.Server(address=(f["host"], f["port"]))
    if f.get("server_ip"):
        server.peername = (f["server_ip"], f["port"])
    flow = http.HTTPFlow(client, server)
    flow.id = f["id"]
    request = http.Request.make(
        f["method"],
        f["url"],
        f["request_body"] or b"",
        [(k.encode(), v.encode()) for k, v in f["request_headers"]],
    )
    request.http_version = f["http_version"]
    request.timestamp_start = request.timestamp_end = _seconds(f["ts_start"])
    flow.request = request
    if f.get("status_code") is not None:
        response = http.Response.make(
            f["status_code"],
            f["response_body"] or b"",
            [(k.encode(), v.encode()) for k, v in f["response_headers"]],
        )
        response.http_version = f["http_version"]
        response.timestamp_start = _seconds(f["ts_start"])
        response.timestamp_end = _seconds(f["ts_end"] or f["ts_start"])
        flow.response = response
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


def write_flow_file(records: list[dict], path: Path, websocket_messages: list[dict] = ()) -> None:
    by_flow: dict[str, list[dict]] = {}
    for m in websocket_messages:
        by_flow.setdefault(m["flow_id"], []).append(m)
    with open(path, "wb") as fh:
        writer = io.FlowWriter(fh)
        for record in records:
            writer.add(record_to_flow(record, by_flow.get(record["id"], [])))


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
