"""Runs mitmproxy inside the privmon process, on its own thread and event loop."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from pathlib import Path

from mitmproxy import options
from mitmproxy.tools.dump import DumpMaster

from monitor.capture.pipelined_socks import MODE as SOCKS_MODE


class ProxyError(RuntimeError):
    pass


def ensure_ca(confdir: Path) -> bytes:
    """mitmproxy's CA certificate (PEM), created on first use as mitmproxy itself does."""
    from mitmproxy import certs

    path = confdir / "mitmproxy-ca-cert.pem"
    if not path.exists():
        import fcntl

        confdir.mkdir(parents=True, exist_ok=True)
        with open(confdir / ".ca.lock", "w") as lock:  # runs sharing a data dir start at once (the farm)
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not path.exists():
                certs.CertStore.from_store(confdir, "mitmproxy", 2048)
    return path.read_bytes()


def mitmproxy_version() -> str:
    import mitmproxy.version

    return mitmproxy.version.VERSION


def free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class ProxyHost:
    def __init__(
        self,
        confdir: Path,
        addons: list,
        listen_host: str = "127.0.0.1",
        listen_port: int = 0,
        socks: bool = False,
    ) -> None:
        self.confdir = confdir
        self.socks = socks  # a SOCKS5 listener beside the HTTP one, for connections the agent redirects
        self.socks_port: int | None = None
        self.addons = addons
        self.listen_host = listen_host
        self.listen_port = listen_port
        self.port: int | None = None
        self._master: DumpMaster | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    @property
    def ca_cert_path(self) -> Path:
        return self.confdir / "mitmproxy-ca-cert.pem"

    def start(self, timeout: float = 20.0) -> int:
        ensure_ca(self.confdir)  # made once, under a lock, before mitmproxy would make its own
        self._thread = threading.Thread(target=self._serve, name="privmon-proxy", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._error is not None:
                raise ProxyError(f"the proxy did not start: {self._error}")
            if self._master is not None:
                ports = {
                    server.mode.type_name: server.listen_addrs[0][1]
                    for server in self._master.addons.get("proxyserver").servers
                    if server.listen_addrs
                }
                if "regular" in ports and (not self.socks or SOCKS_MODE in ports):
                    self.port = ports["regular"]
                    self.socks_port = ports.get(SOCKS_MODE)
                    return self.port
            time.sleep(0.02)
        raise ProxyError(f"the proxy did not start listening within {timeout:.0f} s")

    def _serve(self) -> None:
        def quiet_cancelled(loop, context) -> None:
            # Connections still open at shutdown end with CancelledError: expected, not news.
            if isinstance(context.get("exception"), asyncio.CancelledError):
                return
            loop.default_exception_handler(context)

        async def main() -> None:
            asyncio.get_running_loop().set_exception_handler(quiet_cancelled)
            modes = [f"regular@{self.listen_host}:{self.listen_port}"]
            if self.socks:
                # mitmproxy refuses two listeners on one address:0, so the SOCKS port is chosen here.
                modes.append(f"{SOCKS_MODE}@{self.listen_host}:{free_port(self.listen_host)}")
            opts = options.Options(confdir=str(self.confdir))
            master = DumpMaster(opts, with_termlog=False, with_dumper=False)
            # Lazy: never contact the app's real server before the request is seen (the lab
            # has no internet, and routing addons decide where it goes).
            opts.update(connection_strategy="lazy", mode=modes)
            if self.socks:
                # SOCKS5 credentials name each redirected connection (hooks/src/net.ts). mitmproxy
                # asks for them only when `proxyauth` is set, and its proxyauth addon would then
                # also demand Proxy-Authorization on the HTTP listener: the addon goes, the option
                # stays, and the capture addon's socks5_auth hook accepts privmon's credentials.
                master.addons.remove(master.addons.get("proxyauth"))
                opts.update(proxyauth="privmon")
            master.addons.add(*self.addons)
            self._master = master
            await master.run()

        try:
            asyncio.run(main())
        except BaseException as exc:  # reported to start() or stop()
            self._error = exc

    def stop(self, timeout: float = 15.0) -> None:
        if self._master is not None:
            self._master.shutdown()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._error is not None and not isinstance(self._error, (SystemExit, asyncio.CancelledError)):
            raise ProxyError(f"the proxy stopped with an error: {self._error}")
