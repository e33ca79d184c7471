"""privmon's SOCKS5 listener sends no handshake replies (monitor/capture/pipelined_socks.py): a
client that pipelines greeting, credentials, request and its first bytes reads the server's
answer and nothing else; credentials that are not privmon's close the connection unanswered.
Real mitmproxy, the lab collector as the server, plain sockets (no agent), loopback only."""

import socket
import struct

from addons.lab_router import LabRouter
from addons.privmon_capture import PrivmonCapture
from monitor.capture.connections import ConnectionRegistry
from monitor.capture.proxy import ProxyHost
from monitor.lab.collector import Collector
from monitor.lab.dns import LabDns


def _handshake(user: bytes, ip: str, port: int) -> bytes:
    auth = b"\x01" + bytes([len(user)]) + user + b"\x01x"
    return b"\x05\x01\x02" + auth + b"\x05\x01\x00\x01" + socket.inet_aton(ip) + struct.pack(">H", port)


def _exchange(socks_port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", socks_port), timeout=10) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_pipelined_handshake_gets_only_the_servers_answer(tmp_path):
    registry = ConnectionRegistry()
    with Collector() as collector:
        dns = LabDns({"api.pipelined.lab": "127.23.0.1"}, {})
        proxy = ProxyHost(
            tmp_path / "mitmproxy",
            [PrivmonCapture(None, None, registry), LabRouter(collector, dns)],
            socks=True,
        )
        proxy.start()
        try:
            request = b"GET /ping HTTP/1.1\r\nHost: api.pipelined.lab\r\nConnection: close\r\n\r\n"
            answer = _exchange(proxy.socks_port, _handshake(b"privmon:4242:7", "127.23.0.1", 80) + request)
            refused = _exchange(proxy.socks_port, _handshake(b"someone:else", "127.23.0.1", 80) + request)
        finally:
            proxy.stop()
    assert answer.startswith(b"HTTP/1.1 200"), answer[:40]  # no SOCKS reply bytes before it
    assert refused == b""  # not privmon's credentials: closed, nothing said
