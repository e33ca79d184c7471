"""The agent's connect() redirect under bad conditions (a real Python process under the real
agent): the proxy unreachable, or closing mid-handshake. The app's connect() fails as a refused
connection would, at once; nothing stalls; the connection event says why."""

import socket
import sys
import threading
import time

import pytest

from monitor import events as ev
from monitor.capture.agent import build_agent
from monitor.capture.connections import ConnectionRegistry
from monitor.capture.hook_runner import HookRunner, redirect_options
from monitor.capture.local import LocalFrida
from monitor.storage.queries import StoreReader
from monitor.storage.writer import EventWriter
from monitor.timeutil import now_us

CLIENT = r"""
import socket, sys, time
sys.stdin.readline()
t0 = time.monotonic()
try:
    socket.create_connection(("127.22.0.1", 80), timeout=10).close()
    print("connected", flush=True)
except OSError as e:
    print(f"refused {e.errno} {time.monotonic() - t0:.2f}", flush=True)
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


@pytest.mark.parametrize("proxy", ["unreachable", "closes mid-handshake"])
def test_a_redirect_that_cannot_be_made_fails_the_connect_at_once(tmp_path, proxy):
    server = None
    if proxy == "unreachable":
        port = _unused_port()
    else:
        server, port = _closing_server()
    writer = EventWriter(tmp_path / "store.sqlite3")
    writer.submit(ev.SessionStarted("s", "test", "test", now_us(), {}))
    lines: list[str] = []
    frida = LocalFrida()
    pid, session = frida.spawn_attached(
        [sys.executable, "-c", CLIENT], lambda _p, fd, data: lines.append(data.decode()) if fd == 1 else None
    )
    try:
        runner = HookRunner(session, pid, "s", writer, ConnectionRegistry())
        frida.resume(pid)
        runner.load(build_agent(tmp_path / "cache"))
        results = runner.redirect(redirect_options(port, None))
        assert {r["id"]: r["state"] for r in results}["net.connect"] == "installed"
        frida.input(pid, b"go\n")
        deadline = time.monotonic() + 20
        while (
            not any("refused" in line or "connected" in line for line in lines)
            and time.monotonic() < deadline
        ):
            time.sleep(0.05)
        runner.flush()
        time.sleep(0.3)
    finally:
        frida.kill(pid)
        frida.close()
        if server is not None:
            server.close()
    writer.flush()
    writer.close()
    said = "".join(lines).split()
    assert said[:2] == ["refused", "111"], lines  # ECONNREFUSED, as the app would see without a network
    assert float(said[2]) < 5.0  # at once, not after a timeout
    with StoreReader(tmp_path / "store.sqlite3") as reader:
        connects = [e for e in reader.signal_events("s", ("network",)) if e["api"] == "net.connect"]
    assert len(connects) == 1
    ret = connects[0]["ret"]
    assert ret["capture_path"] == "redirected" and ret["local_port"] is None
    assert ret["error"] == ("privmon's proxy is not reachable" if proxy == "unreachable" else ret["error"])
    assert ret["error"]
