"""Pure conversion of a mitmproxy flow into the store's FlowRecord (no I/O), in two steps: a cheap
capture on the proxy's event loop, the record built from it wherever that is cheapest."""

from __future__ import annotations

from typing import NamedTuple

from mitmproxy import http

from monitor import events as ev

DEFAULT_BODY_CAP = 1024 * 1024
ORIGINAL_KEY = "privmon.original"
CONNECTION_KEY = "privmon.connection"  # set by the capture addon from the app's connection registry


def snapshot_destination(flow: http.HTTPFlow) -> dict:
    """The request as the app sent it: a routing addon stores this under ORIGINAL_KEY before it
    rewrites the request (lab_router.py); without one the request itself is the original."""
    return _destination(flow.request)


def _destination(req: http.Request) -> dict:
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


def _capped_state(message: http.Message, cap: int) -> tuple[dict, int]:
    """mitmproxy's own state of a request or response (cheap: its fields as they are), the body cut
    to the cap; and the body's full size."""
    state = message.get_state()
    content = state.get("content") or b""
    if len(content) > cap:
        state = {**state, "content": content[:cap]}
    return state, len(content)


class FlowCapture(NamedTuple):
    """A flow as captured, taken on the proxy's event loop in about a microsecond: mitmproxy's
    state of the request and response (bodies cut to the cap, full sizes kept), the error, the
    server's address and the routing addon's snapshot. to_record() builds the FlowRecord from it,
    with mitmproxy's own properties, wherever that is cheapest (the writer process)."""

    flow_id: str
    session_id: str
    body_cap: int
    request: dict
    request_size: int
    response: dict | None
    response_size: int
    error: str | None
    server_ip: str | None
    original: dict | None
    connection: dict | None = None  # capture_path, client_port, opener_pid, opener_seq
    server_org: tuple[str | None, str | None] = (None, None)  # the server certificate's O and C

    def to_record(self) -> ev.FlowRecord:
        req = http.Request.from_state(self.request)
        if self.original is not None:
            original = self.original
            req_body, req_size, req_cut = _cap(original["body"], self.body_cap)
        else:
            original = _destination(req)
            req_body, req_size = original["body"] or b"", self.request_size
            req_cut = req_size > self.body_cap
        record = ev.FlowRecord(
            id=self.flow_id,
            session_id=self.session_id,
            ts_start=_us(req.timestamp_start) or 0,
            ts_end=None,
            method=req.method,
            scheme=original["scheme"],
            host=original["host"],
            port=int(original["port"]),
            url=original["url"],
            http_version=req.http_version,
            request_headers=original["headers"],
            # raw content keeps the bytes as sent (still content-encoded); analysis decodes them.
            request_body=req_body,
            request_body_size=req_size,
            request_body_truncated=req_cut,
            tls=original["scheme"] == "https",
            server_ip=self.server_ip,
            error=self.error,
            **(self.connection or {}),
            server_org=self.server_org[0],
            server_org_country=self.server_org[1],
        )
        if self.response is not None:
            resp = http.Response.from_state(self.response)
            record.status_code = resp.status_code
            record.response_headers = _headers(resp.headers)
            record.response_body = resp.raw_content or b""
            record.response_body_size = self.response_size
            record.response_body_truncated = self.response_size > self.body_cap
            record.ts_end = _us(resp.timestamp_end)
        return record


def capture_flow(flow: http.HTTPFlow, session_id: str, body_cap: int = DEFAULT_BODY_CAP) -> FlowCapture:
    request, request_size = _capped_state(flow.request, body_cap)
    response, response_size = (
        _capped_state(flow.response, body_cap) if flow.response is not None else (None, 0)
    )
    if flow.metadata.get("privmon.lab_routed"):
        server_ip = flow.metadata.get("privmon.server_ip")
    elif flow.server_conn and flow.server_conn.peername:
        server_ip = flow.server_conn.peername[0]
    else:
        server_ip = None
    return FlowCapture(
        flow.id,
        session_id,
        body_cap,
        request,
        request_size,
        response,
        response_size,
        flow.error.msg if flow.error is not None else None,
        server_ip,
        flow.metadata.get(ORIGINAL_KEY),
        flow.metadata.get(CONNECTION_KEY),
        _certificate_org(flow),
    )


MAX_ORG = 200  # a certificate's fields come from the server: bounded


def _certificate_org(flow) -> tuple[str | None, str | None]:
    """The organisation (O) and country (C) of the server's own certificate, where it names them
    (organisation-validated certificates do; domain-validated ones name only the domain)."""
    certificates = getattr(flow.server_conn, "certificate_list", None) if flow.server_conn else None
    if not certificates:
        return None, None
    try:
        subject = dict(certificates[0].subject)
    except (ValueError, TypeError, AttributeError):
        return None, None
    org, country = subject.get("O"), subject.get("C")
    return (org[:MAX_ORG] if org else None), (country[:8] if country else None)


def flow_to_record(flow: http.HTTPFlow, session_id: str, body_cap: int = DEFAULT_BODY_CAP) -> ev.FlowRecord:
    return capture_flow(flow, session_id, body_cap).to_record()


def websocket_record(
    message, index: int, flow_id: str, session_id: str, body_cap: int = DEFAULT_BODY_CAP
) -> ev.WebSocketRecord:
    content, size, cut = _cap(message.content, body_cap)
    return ev.WebSocketRecord(
        session_id=session_id,
        flow_id=flow_id,
        index=index,
        ts=_us(message.timestamp) or 0,
        from_client=bool(message.from_client),
        is_text=bool(message.is_text),
        content=content,
        size=size,
        truncated=cut,
    )


def stream_record(flow, session_id: str, connection, body_cap: int = DEFAULT_BODY_CAP) -> ev.FlowRecord:
    """A TCP stream that is not HTTP (mitmproxy's TCPFlow) as a flow of capture path `raw`: what
    the client sent is the request body, what the server sent the response body; `connection`
    (capture/connections.py) says where the app was going before the proxy took it."""
    sent = b"".join(m.content for m in flow.messages if m.from_client)
    answered = b"".join(m.content for m in flow.messages if not m.from_client)
    host = connection.host or connection.ip
    req_body, req_size, req_cut = _cap(sent, body_cap)
    resp_body, resp_size, resp_cut = _cap(answered, body_cap)
    first = flow.messages[0].timestamp if flow.messages else flow.client_conn.timestamp_start
    last = flow.messages[-1].timestamp if flow.messages else None
    if flow.metadata.get("privmon.lab_routed"):
        server_ip = flow.metadata.get("privmon.server_ip")
    else:
        server_ip = connection.ip
    return ev.FlowRecord(
        id=flow.id,
        session_id=session_id,
        ts_start=_us(first) or 0,
        ts_end=_us(last),
        method="STREAM",
        scheme="tcp",
        host=host,
        port=connection.port,
        url=f"tcp://{host}:{connection.port}",
        http_version="",
        request_headers=[],
        request_body=req_body,
        request_body_size=req_size,
        request_body_truncated=req_cut,
        response_body=resp_body,
        response_body_size=resp_size,
        response_body_truncated=resp_cut,
        server_ip=server_ip,
        error=flow.error.msg if flow.error is not None else None,
        capture_path="raw",
        client_port=connection.local_port,
        opener_pid=connection.pid,
        opener_seq=connection.seq,
    )
