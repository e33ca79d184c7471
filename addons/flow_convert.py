"""Pure conversion of a mitmproxy flow into the store's FlowRecord (no I/O)."""

from __future__ import annotations

from mitmproxy import http

from monitor import events as ev

DEFAULT_BODY_CAP = 1024 * 1024
ORIGINAL_KEY = "privmon.original"


def snapshot_destination(flow: http.HTTPFlow) -> dict:
    """The request as the app sent it: a routing addon stores this under ORIGINAL_KEY before it
    rewrites the request (lab_router.py); without one the request itself is the original."""
    req = flow.request
    return {
        "scheme": req.scheme,
        "host": req.pretty_host,
        "port": req.port,
        "url": req.pretty_url,
        "headers": _headers(req.headers),
        "body": req.raw_content,
    }


def _cap(body: bytes | None, cap: int) -> tuple[bytes, int, bool]:
    body = body or b""
    return body[:cap], len(body), len(body) > cap


def _headers(headers) -> list[list[str]]:
    return [[k, v] for k, v in headers.items(multi=True)]


def _us(seconds: float | None) -> int | None:
    return None if seconds is None else int(seconds * 1_000_000)


def flow_to_record(flow: http.HTTPFlow, session_id: str, body_cap: int = DEFAULT_BODY_CAP) -> ev.FlowRecord:
    original = flow.metadata.get(ORIGINAL_KEY) or snapshot_destination(flow)
    req = flow.request
    # raw_content keeps the bytes as sent (still content-encoded); analysis decodes them.
    req_body, req_size, req_cut = _cap(original["body"], body_cap)
    record = ev.FlowRecord(
        id=flow.id,
        session_id=session_id,
        ts_start=_us(req.timestamp_start) or 0,
        ts_end=None,
        method=req.method,
        scheme=original["scheme"],
        host=original["host"],
        port=int(original["port"]),
        url=original["url"],
        http_version=req.http_version,
        request_headers=original["headers"],
        request_body=req_body,
        request_body_size=req_size,
        request_body_truncated=req_cut,
        tls=original["scheme"] == "https",
    )
    resp = flow.response
    if resp is not None:
        body, size, cut = _cap(resp.raw_content, body_cap)
        record.status_code = resp.status_code
        record.response_headers = _headers(resp.headers)
        record.response_body = body
        record.response_body_size = size
        record.response_body_truncated = cut
        record.ts_end = _us(resp.timestamp_end)
    if flow.error is not None:
        record.error = flow.error.msg
    if flow.metadata.get("privmon.lab_routed"):
        record.server_ip = flow.metadata.get("privmon.server_ip")
    elif flow.server_conn and flow.server_conn.peername:
        record.server_ip = flow.server_conn.peername[0]
    return record


def websocket_record(message, index: int, flow_id: str, session_id: str,
                     body_cap: int = DEFAULT_BODY_CAP) -> ev.WebSocketRecord:
    content, size, cut = _cap(message.content, body_cap)
    return ev.WebSocketRecord(
        session_id=session_id, flow_id=flow_id, index=index, ts=_us(message.timestamp) or 0,
        from_client=bool(message.from_client), is_text=bool(message.is_text), content=content, size=size,
        truncated=cut,
    )
