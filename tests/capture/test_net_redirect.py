"""The agent's connect() redirect under bad conditions (a real Python process under the real
agent, the real proxy where there is one): privmon's proxy unreachable, the proxy closing the
connection mid-handshake, the app's destination unreachable. The app keeps working and learns at
once, as it would without privmon (a refused connect(), a closed connection, a 502); nothing
stalls; the connection event or the flow says what happened."""

import socket
import sys
import threading
import time

import pytest

from addons.privmon_capture import PrivmonCapture
from monitor import events as ev
from monitor.capture.agent import build_agent
from monitor.capture.connections import ConnectionRegistry
from monitor.capture.hook_runner import HookRunner, redirect_options
from monitor.capture.local import LocalFrida
from monitor.capture.proxy import ProxyHost
from monitor.storage.queries import StoreReader
from monitor.storage.writer import EventWriter
from monitor.timeutil import now_us

# Nothing listens on 127.22.0.1:80 (loopback): the destination the app asks for.
CLIENT = r"""
import socket, sys, time
sys.stdin.readline()
t0 = time.monotonic()
try:
    s = socket.create_connection(("127.22.0.1", 80), timeout=10)
except OSError as e:
    print(f"refused {e.errno} {time.monotonic() - t0:.2f}", flush=True)
    sys.exit()
try:
    s.sendall(sys.argv[1].encode().decode("unicode_escape").encode())
    answer = s.recv(100)
    word = answer.split(b" ")[1].decode() if answer else "closed"
except OSError:
    word = "closed"
print(f"answered {word} {time.monotonic() - t0:.2f}", flush=True)
"""


def _closing_server() -> tuple[socket.socket, int]:
    """Accepts and closes at once: a proxy that resets mid-handshake."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def loop() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conn.close()

    threading.Thread(target=loop, daemon=True).start()
    return server, server.getsockname()[1]


def _unused_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


HTTP = "GET /upload HTTP/1.1\\r\\nHost: dead.lab\\r\\nConnection: close\\r\\n\\r\\n"


def _run_client(tmp_path, socks_port: int, writer, registry, first_bytes: str = HTTP) -> list[str]:
    lines: list[str] = []
    frida = LocalFrida()
    pid, session = frida.spawn_attached(
        [sys.executable, "-c", CLIENT, first_bytes],
        lambda _p, fd, data: lines.append(data.decode()) if fd == 1 else None,
    )
    try:
        runner = HookRunner(session, pid, "s", writer, registry)
        frida.resume(pid)
        runner.load(build_agent(tmp_path / "cache"))
        results = runner.redirect(redirect_options(socks_port, None))
        assert {r["id"]: r["state"] for r in results}["net.connect"] == "installed"
        frida.input(pid, b"go\n")
        deadline = time.monotonic() + 20
        while (
            not any("refused" in line or "answered" in line for line in lines) and time.monotonic() < deadline
        ):
            time.sleep(0.05)
        runner.flush()
        time.sleep(0.3)
    finally:
        frida.kill(pid)
        frida.close()
    return "".join(lines).split()


def _store(tmp_path) -> EventWriter:
    writer = EventWriter(tmp_path / "store.sqlite3")
    writer.submit(ev.SessionStarted("s", "test", "test", now_us(), {}))
    return writer


def _connects(tmp_path) -> list[dict]:
    with StoreReader(tmp_path / "store.sqlite3") as reader:
        return [e for e in reader.signal_events("s", ("network",)) if e["api"] == "net.connect"]


def test_privmon_proxy_unreachable_fails_the_connect_at_once(tmp_path):
    writer = _store(tmp_path)
    said = _run_client(tmp_path, _unused_port(), writer, ConnectionRegistry())
    writer.flush()
    writer.close()
    assert said[:2] == ["refused", "111"], said  # ECONNREFUSED, as the app would see without a network
    assert float(said[2]) < 5.0  # at once, not after a timeout
    connects = _connects(tmp_path)
    assert len(connects) == 1
    ret = connects[0]["ret"]
    assert ret["capture_path"] == "redirected" and ret["local_port"] is None
    assert ret["error"] == "privmon's proxy is not reachable"


def test_a_proxy_that_closes_mid_handshake_closes_the_apps_connection_at_once(tmp_path):
    server, port = _closing_server()
    writer = _store(tmp_path)
    try:
        said = _run_client(tmp_path, port, writer, ConnectionRegistry())
    finally:
        server.close()
    writer.flush()
    writer.close()
    assert said[:2] == ["answered", "closed"], said
    assert float(said[2]) < 5.0
    connects = _connects(tmp_path)
    assert len(connects) == 1 and connects[0]["ret"]["capture_path"] == "redirected"


@pytest.mark.parametrize("protocol", ["http", "raw"])
def test_an_unreachable_destination_is_a_flow_with_its_error(tmp_path, protocol):
    writer = _store(tmp_path)
    registry = ConnectionRegistry()
    proxy = ProxyHost(tmp_path / "mitmproxy", [PrivmonCapture(writer, "s", registry)], socks=True)
    proxy.start()
    try:
        said = _run_client(
            tmp_path, proxy.socks_port, writer, registry, HTTP if protocol == "http" else "HELO x\\n"
        )
        time.sleep(0.5)  # the flow's record reaches the writer
    finally:
        proxy.stop()
    writer.flush()
    writer.close()
    # HTTP: the proxy's Bad Gateway; another protocol: the connection closed; at once either way
    assert said[:2] == ["answered", "502" if protocol == "http" else "closed"], said
    assert float(said[2]) < 5.0
    with StoreReader(tmp_path / "store.sqlite3") as reader:
        flows = reader.flow_summaries("s")
    assert len(flows) == 1, flows
    if protocol == "http":
        assert flows[0]["host"] == "dead.lab" and flows[0]["url"].endswith("/upload"), flows
    assert flows[0]["capture_path"] == ("redirected" if protocol == "http" else "raw")
    assert "127.22.0.1" in flows[0]["error"], flows  # it went to the address connect() asked for
