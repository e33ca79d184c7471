"""An app on a phone or emulator as a capture target, through its frida-server (spawn and child
gating: every process of the package gets the agent before it runs)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..capture.agent import build_agent
from ..capture.android import AndroidApp, AndroidTarget, frida_device
from ..capture.catalogue import load_catalogue
from ..capture.hook_runner import redirect_options
from ..capture.side_channels import load_side_channels, side_options
from ..capture.tls_streams import TlsStreams
from .target import TargetContext, TargetCounts


@dataclass
class PhoneAppOptions:
    package: str
    serial: str
    frida_host: str | None = None
    extra_hooks: Path | None = None
    unpin: bool = False
    redirect: bool = False  # the agent's connect() redirect instead of the phone's proxy setting


class PhoneApp:
    """A capture target (run/target.py); `name` is "device"."""

    name = "device"

    def __init__(self, opts: PhoneAppOptions, cache_dir: Path) -> None:
        self.opts = opts
        self.cache_dir = cache_dir
        self.meta = {"lab": False}
        self.proxy_addons: list = []
        self.redirects = opts.redirect  # else the phone's global proxy setting (docs/devices.md)
        self._app: AndroidApp | None = None
        self._tls: TlsStreams | None = None

    def start(self, context: TargetContext) -> str:
        opts = self.opts
        device = frida_device(opts.serial, opts.frida_host)
        if self.redirects and context.connections is not None:
            # TLS plaintext read in the app's processes becomes flows (docs/traffic.md)
            self._tls = TlsStreams(context.session_id, context.writer, context.connections.find)
        target = AndroidTarget(
            opts.package,
            build_agent(self.cache_dir),
            load_catalogue(opts.extra_hooks),
            opts.unpin,
            context.on_signal,
            redirect_options(context.socks_port, context.proxy_port) if self.redirects else None,
            context.connections,
            side_options(load_side_channels(opts.extra_hooks)),
            self._tls,
        )
        self._app = AndroidApp(device, target, context.session_id, context.writer, context.progress)
        pid = self._app.start()
        return f"{opts.package} started (pid {pid})"

    def running(self) -> bool:
        return self._app is not None and self._app.running()

    def counts(self) -> TargetCounts:
        if self._app is None:
            return TargetCounts()
        return TargetCounts(*self._app.counts(), self._tls.flows if self._tls is not None else 0)

    def close(self) -> None:
        if self._app is not None:
            self._app.close()
        if self._tls is not None:
            self._tls.close()
        return None
