"""The lab's simulated internet: local servers that answer every request, every WebSocket (each
message is acknowledged), every other stream (each line acknowledged) and HTTPS with the lab's
own server certificate (for clients whose TLS the proxy passes through). A request for a page the
lab has (lab/pages/HOST/PATH, e.g. an app's privacy policy) gets that page."""

from __future__ import annotations

import base64
import datetime
import hashlib
import socketserver
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import wsproto
from wsproto.events import CloseConnection, Message, Ping, TextMessage

MAX_BODY = 64 * 1024 * 1024
_WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_WS_IDLE_S = 30


PAGE_TYPES = {".html": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8"}


def _page(host: str, path: str) -> tuple[bytes, str] | None:
    from .build import LAB_SOURCES_DIR

    pages = (LAB_SOURCES_DIR / "pages").resolve()
    name = host.split(":")[0].lower()
    target = (pages / name / path.split("?")[0].lstrip("/")).resolve()
    if not target.is_relative_to(pages) or not target.is_file() or target.suffix not in PAGE_TYPES:
        return None
    return target.read_bytes(), PAGE_TYPES[target.suffix]


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
        body, content_type = _page(self.headers.get("Host", ""), self.path) or (
            b'{"code":0,"msg":"ok"}',
            "application/json",
        )
        self.send_response(200)
        self.send_header("Content-Type", content_type)
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


class _StreamHandler(socketserver.BaseRequestHandler):
    """A stream that is not HTTP (an SDK's own protocol): each line is answered with OK."""

    def handle(self) -> None:
        self.request.settimeout(_WS_IDLE_S)
        pending = b""
        while True:
            try:
                data = self.request.recv(65536)
            except OSError:
                return
            if not data:
                return
            pending += data
            while b"\n" in pending:
                _, pending = pending.split(b"\n", 1)
                self.request.sendall(b"OK\n")


class _TlsHttpServer(ThreadingHTTPServer):
    """HTTPS with the lab server's own certificate: what a client that pins its server sees
    when its TLS is passed through the proxy untouched."""

    def __init__(self, address, handler, context: ssl.SSLContext) -> None:
        super().__init__(address, handler)
        self.context = context

    def get_request(self):
        sock, addr = super().get_request()
        return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr

    def handle_error(self, request, client_address) -> None:  # a client that gave up mid-handshake
        pass


def lab_server_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for the lab's servers (every lab host name), made once per folder."""
    cert, key = folder / "lab-server-cert.pem", folder / "lab-server-key.pem"
    if cert.exists() and key.exists():
        return cert, key
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "privmon lab server")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("*.cn"), x509.DNSName("*.com")]), False)
        .sign(private, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return cert, key


class Collector:
    """HTTP on `port`, other streams on `stream_port`, HTTPS with the lab's own certificate on
    `tls_port` (when a certificate folder is given)."""

    def __init__(self, host: str = "127.0.0.1", cert_dir: Path | None = None) -> None:
        self._server = ThreadingHTTPServer((host, 0), _Handler)
        self._streams = socketserver.ThreadingTCPServer((host, 0), _StreamHandler)
        servers = [self._server, self._streams]
        self.server_cert: Path | None = None
        self.tls_port: int | None = None
        if cert_dir is not None:
            self.server_cert, key = lab_server_certificate(cert_dir)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.server_cert, key)
            self._tls = _TlsHttpServer((host, 0), _Handler, context)
            self.tls_port = self._tls.server_address[1]
            servers.append(self._tls)
        for server in servers:
            server.daemon_threads = True
        self._all = servers
        self.host, self.port = self._server.server_address[:2]
        self.stream_port = self._streams.server_address[1]
        self._threads = [
            # a short poll: shutdown() waits for the loop's next poll, for each server in turn
            threading.Thread(
                target=s.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="privmon-lab-collector",
                daemon=True,
            )
            for s in servers
        ]

    def __enter__(self) -> "Collector":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        for server in self._all:
            server.shutdown()
            server.server_close()
