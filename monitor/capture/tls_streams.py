"""TLS plaintext read at the app's TLS library (capture path `tls-plaintext`), made into flows.

The agent reports what the app wrote and read through SSL_write/SSL_read on a connection whose TLS
the proxy passed through untouched (TLS done in native code, which may pin). Each connection's two
directions are parsed as HTTP/1.x with h11: every request with its response becomes a FlowRecord,
as if the proxy had seen it. A stream that is not HTTP becomes one `raw` record of the connection.
Bytes beyond the body cap are counted, not kept.
"""

from __future__ import annotations

import bisect
import threading
import uuid
from dataclasses import dataclass, field
from typing import Callable

import h11

from .. import events as ev
from .connections import Connection

DEFAULT_CAP = 1024 * 1024


@dataclass
class _Stream:
    connection: Connection | None
    started_us: int
    sent: bytearray = field(default_factory=bytearray)
    received: bytearray = field(default_factory=bytearray)
    sent_total: int = 0
    received_total: int = 0
    last_us: int = 0
    sent_at: list[tuple[int, int]] = field(default_factory=list)  # (offset in `sent`, time) per chunk
    received_at: list[tuple[int, int]] = field(default_factory=list)

    def time_of(self, outgoing: bool, offset: int) -> int:
        """When the byte at `offset` of that direction was written or read."""
        times = self.sent_at if outgoing else self.received_at
        i = bisect.bisect_right([o for o, _ in times], offset) - 1
        return times[i][1] if i >= 0 else self.started_us


class TlsStreams:
    def __init__(
        self,
        session_id: str,
        writer,
        find: Callable[[int], Connection | None],
        locate: Callable[[Connection], str | None] = lambda c: c.ip,
        cap: int = DEFAULT_CAP,
    ) -> None:
        self.session_id = session_id
        self.writer = writer
        self.find = find  # local port → the connection the agent reported
        self.locate = locate  # the server address a flow records (the lab maps its loopback hosts)
        self.cap = cap
        self._streams: dict[tuple[int, int], _Stream] = {}
        self._lock = threading.Lock()
        self.flows = 0

    def data(
        self, pid: int, local_port: int, outgoing: bool, chunk: bytes, ts_us: int, size: int | None = None
    ) -> None:
        """`chunk` as the agent sent it (cut at its own cap); `size` the bytes the app really moved."""
        with self._lock:
            stream = self._streams.get((pid, local_port))
            if stream is None:
                stream = self._streams[(pid, local_port)] = _Stream(self.find(local_port), ts_us)
            buf = stream.sent if outgoing else stream.received
            (stream.sent_at if outgoing else stream.received_at).append((len(buf), ts_us))
            room = max(0, self.cap - len(buf))
            buf += chunk[:room]
            moved = len(chunk) if size is None else max(size, len(chunk))
            if outgoing:
                stream.sent_total += moved
            else:
                stream.received_total += moved
            stream.last_us = ts_us

    def end(self, pid: int, local_port: int) -> None:
        with self._lock:
            stream = self._streams.pop((pid, local_port), None)
        if stream is not None:
            self._emit(stream, local_port)

    def close(self) -> None:
        """Whatever is still open when the run ends is stored as it stands."""
        with self._lock:
            streams, self._streams = self._streams, {}
        for (_pid, port), stream in streams.items():
            self._emit(stream, port)

    def _emit(self, stream: _Stream, local_port: int) -> None:
        records = _http_records(stream, self.cap) or [_raw_record(stream)]
        conn = stream.connection
        for record in records:
            record.session_id = self.session_id
            record.client_port = local_port
            if conn is not None:
                record.opener_pid, record.opener_seq = conn.pid, conn.seq
                record.server_ip = self.locate(conn)
            self.writer.submit(record)
            self.flows += 1


def _host(stream: _Stream) -> tuple[str, int]:
    conn = stream.connection
    return ((conn.host or conn.ip), conn.port) if conn is not None else ("unknown", 0)


def _blank(stream: _Stream) -> ev.FlowRecord:
    host, port = _host(stream)
    return ev.FlowRecord(
        id=str(uuid.uuid4()),
        session_id="",
        ts_start=stream.started_us,
        ts_end=stream.last_us or None,
        method="",
        scheme="https",
        host=host,
        port=port,
        url="",
        http_version="",
        request_headers=[],
        request_body=b"",
        request_body_size=0,
        request_body_truncated=False,
        tls=True,
        capture_path="tls-plaintext",
    )


def _raw_record(stream: _Stream) -> ev.FlowRecord:
    record = _blank(stream)
    record.method, record.scheme = "STREAM", "tls"
    record.url = f"tls://{record.host}:{record.port}"
    record.request_body, record.request_body_size = bytes(stream.sent), stream.sent_total
    record.request_body_truncated = stream.sent_total > len(stream.sent)
    record.response_body, record.response_body_size = bytes(stream.received), stream.received_total
    record.response_body_truncated = stream.received_total > len(stream.received)
    return record


def _next_message(data: bytes, cap: int, request=None) -> tuple[object, bytes, bytes] | None:
    """The first HTTP/1 message in `data` (a request, or the response to `request`): its head,
    body and the bytes after it; None when `data` does not start with a whole message head."""
    conn = h11.Connection(h11.SERVER if request is None else h11.CLIENT, max_incomplete_event_size=cap)
    if request is not None:
        # only the method matters for reading the response (HEAD has no body): no body is re-sent
        headers = [(k, v) for k, v in request.headers if k not in (b"content-length", b"transfer-encoding")]
        conn.send(h11.Request(method=request.method, target=request.target, headers=headers))
        conn.send(h11.EndOfMessage())
    conn.receive_data(data)
    head, body = None, b""
    while True:
        try:
            event = conn.next_event()
        except (h11.RemoteProtocolError, h11.LocalProtocolError):
            return None
        if isinstance(event, (h11.Request, h11.Response)):
            head = event
        elif isinstance(event, h11.InformationalResponse):
            continue
        elif isinstance(event, h11.Data):
            body += bytes(event.data)
        elif isinstance(event, h11.EndOfMessage):
            return head, body, bytes(conn.trailing_data[0])
        elif event is h11.NEED_DATA:
            if conn.their_state is h11.SEND_BODY and head is not None:  # cut short: what there is
                return head, body, b""
            try:
                conn.receive_data(b"")  # the capture is all there is: a body read to the end
            except RuntimeError:
                return None if head is None else (head, body, b"")
            if conn.their_state is not h11.SEND_BODY:
                return None if head is None else (head, body, b"")
        else:
            return None if head is None else (head, body, b"")


def _messages(data: bytes, cap: int, requests: list | None = None) -> list[tuple[object, bytes, int, int]]:
    """(head, body, first offset, end offset) per message, in order."""
    out: list[tuple[object, bytes, int, int]] = []
    total = len(data)
    while data:
        request = None
        if requests is not None:
            if len(out) >= len(requests):
                break
            request = requests[len(out)][0]
        found = _next_message(data, cap, request)
        if found is None:
            break
        start = total - len(data)
        head, body, data = found
        out.append((head, body, start, total - len(data)))
    return out


def _headers(head) -> list[list[str]]:
    return [[k.decode("latin-1"), v.decode("latin-1")] for k, v in head.headers.raw_items()]


def _http_records(stream: _Stream, cap: int) -> list[ev.FlowRecord]:
    requests = _messages(bytes(stream.sent), cap)
    if not requests:
        return []
    responses = _messages(bytes(stream.received), cap, requests)
    records = []
    for i, (request, body, start, end) in enumerate(requests):
        record = _blank(stream)
        record.ts_start = stream.time_of(True, start)
        record.ts_end = stream.time_of(True, max(start, end - 1))
        host = next((v for k, v in _headers(request) if k.lower() == "host"), record.host)
        target = request.target.decode("latin-1")
        record.method = request.method.decode("latin-1")
        record.host = host.split(":")[0] if host.count(":") == 1 else host
        record.url = target if "://" in target else f"https://{host}{target}"
        record.http_version = f"HTTP/{request.http_version.decode()}"
        record.request_headers = _headers(request)
        record.request_body, record.request_body_size = body, len(body)
        last = i == len(requests) - 1
        record.request_body_truncated = last and stream.sent_total > len(stream.sent)
        if i < len(responses):
            response, response_body, _start, response_end = responses[i]
            record.ts_end = stream.time_of(False, max(0, response_end - 1))
            record.status_code = response.status_code
            record.response_headers = _headers(response)
            record.response_body, record.response_body_size = response_body, len(response_body)
            record.response_body_truncated = last and stream.received_total > len(stream.received)
        else:
            record.error = "no response read at the TLS library"
        records.append(record)
    return records
