"""The lab's simulated internet: one local server that answers every request, and every
WebSocket (each message is acknowledged)."""

from __future__ import annotations

import base64
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import wsproto
from wsproto.events import CloseConnection, Message, Ping, TextMessage

MAX_BODY = 64 * 1024 * 1024
_WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_WS_IDLE_S = 30


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "privmon-lab-collector"

    def _answer(self) -> None:
        if self.headers.get("Upgrade", "").lower() == "websocket":
            self._websocket()
            return
        length = int(self.headers.get("Content-Length") or 0)
        if 0 < length <= MAX_BODY:
            self.rfile.read(length)
        body = b'{"code":0,"msg":"ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _websocket(self) -> None:
        key = self.headers.get("Sec-WebSocket-Key", "")
        accept = base64.b64encode(hashlib.sha1((key + _WS_GUID).encode()).digest()).decode()
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.wfile.flush()
        # The handshake is done; wsproto speaks the frames from here on.
        conn = wsproto.Connection(wsproto.ConnectionType.SERVER)
        self.connection.settimeout(_WS_IDLE_S)
        while True:
            try:
                data = self.connection.recv(65536)
            except OSError:
                return
            if not data:
                return
            conn.receive_data(data)
            for event in conn.events():
                if isinstance(event, Message) and event.message_finished:
                    self.connection.sendall(conn.send(TextMessage('{"code":0,"msg":"ack"}')))
                elif isinstance(event, Ping):
                    self.connection.sendall(conn.send(event.response()))
                elif isinstance(event, CloseConnection):
                    self.connection.sendall(conn.send(event.response()))
                    self.close_connection = True
                    return

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _answer

    def log_message(self, format, *args) -> None:  # quiet: the proxy records every request
        pass


class Collector:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self._server = ThreadingHTTPServer((host, 0), _Handler)
        self._server.daemon_threads = True
        self.host, self.port = self._server.server_address[:2]
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="privmon-lab-collector", daemon=True
        )

    def __enter__(self) -> "Collector":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
