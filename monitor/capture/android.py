"""A monitored first launch on a real phone or emulator through frida-server: the app is spawned
with spawn gating on (processes the app starts through the system, e.g. `:push` services) and
child gating on (processes it forks), and every process of the package gets the agent before it
runs; every program those processes start gets its native hooks (capture/children.py), as in the
lab. Frida calls back on its own thread; instrumenting happens on a worker thread."""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field
from typing import Callable

import frida

from .. import events as ev
from ..language import tr
from ..timeutil import now_us
from .children import Children, ProgramHooks, instrument_program, started_by
from .hook_runner import AttachError, HookRunner, RpcTimeout
from .tls_streams import DEFAULT_CAP as TLS_BODY_CAP

# What Frida raises when the app, the phone or frida-server goes away mid-run.
FRIDA_ERRORS = (
    frida.TransportError,
    frida.ServerNotRunningError,
    frida.ProcessNotFoundError,
    frida.InvalidOperationError,
    frida.NotSupportedError,  # also what Frida says when the process vanished mid-operation
)


@dataclass
class AndroidTarget:
    package: str
    bundle: str
    catalogue: list[dict]
    unpin: bool = False
    on_signal: Callable[[ev.HookEvent], None] | None = None
    net: dict | None = (
        None  # hooks/src/net.ts NetOptions: redirect every process's connect() (docs/traffic.md)
    )
    connections: object = None  # the session's ConnectionRegistry, told of every connection
    side: dict | None = None  # hooks/src/sidechannel.ts SideOptions: identifier files, properties, commands
    tls_streams: object = None  # TlsStreams: TLS plaintext read in the app's processes (with `net`)


def host_frida_version() -> str:
    return frida.__version__


def frida_device(serial: str, frida_host: str | None = None):
    """The phone's frida-server: over adb (Frida finds the device by its adb serial) or at
    --frida-host HOST:PORT (a forwarded or remote frida-server, a renamed port)."""
    try:
        if frida_host:
            return frida.get_device_manager().add_remote_device(frida_host)
        return frida.get_device(serial, timeout=10)
    except (frida.InvalidArgumentError, frida.TimedOutError) as exc:
        raise AttachError(f"Frida does not see {serial} ({exc}); is it listed by `privmon devices`?") from exc


@dataclass
class AndroidApp:
    device: object
    target: AndroidTarget
    session_id: str
    writer: object
    progress: Callable[[str], None] = lambda _m: None
    runners: dict[int, HookRunner] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._work: queue.Queue = queue.Queue()
        self._worker = threading.Thread(target=self._loop, name="privmon-gating", daemon=True)
        self.main_pid: int | None = None
        self.children: Children | None = None

    def start(self) -> int:
        device = self.device
        device.on("spawn-added", self._on_spawn)
        self.children = Children(
            device, self.session_id, self.writer, self._instrument_program, self.progress
        )
        self._worker.start()
        try:
            device.enable_spawn_gating()
            pid = device.spawn(self.target.package)
        except frida.ServerNotRunningError as exc:
            raise AttachError(
                f"frida-server is not running on the phone ({exc}): run `privmon doctor --fix`"
            ) from exc
        except frida.NotSupportedError as exc:
            raise AttachError(f"Frida cannot spawn {self.target.package} ({exc})") from exc
        except (frida.TransportError, frida.ProtocolError) as exc:
            raise AttachError(
                f"cannot reach frida-server ({exc}): versions must match (`privmon doctor`)"
            ) from exc
        self.main_pid = pid
        self._instrument(pid, self.target.package)
        device.resume(pid)
        return pid

    def _instrument(self, pid: int, name: str) -> None:
        try:
            session = self.device.attach(pid)
        except (frida.ProcessNotFoundError, frida.PermissionDeniedError, frida.TransportError) as exc:
            raise AttachError(f"Frida could not attach to {name} (pid {pid}): {exc}") from exc
        session.enable_child_gating()
        runner = HookRunner(
            session, pid, self.session_id, self.writer, self.target.connections, self.target.tls_streams
        )
        runner.on_signal = self.target.on_signal
        runner.load(self.target.bundle)
        results = runner.install(self.target.catalogue, self.target.package)
        if self.target.net is not None:
            runner.redirect(self.target.net)
            runner.read_tls(TLS_BODY_CAP, self.target.unpin)
        if self.target.side is not None:
            runner.side_channels(self.target.side)
        if self.target.unpin:
            runner.unpin()
        clock = runner.sync_clock()
        runner.start_clock_thread()
        self.runners[pid] = runner
        installed = sum(1 for r in results if r["state"] == "installed")
        self.progress(
            tr(
                f"{name} (pid {pid}): {installed}/{len(results)} hooks installed; clock offset "
                f"{clock.offset_us} µs ± {clock.error_us} µs",
                f"{name}（pid {pid}）：已安装 {installed}/{len(results)} 个挂钩；"
                f"时钟偏差 {clock.offset_us} µs ± {clock.error_us} µs",
            )
        )

    def _instrument_program(self, session, pid: int) -> HookRunner:
        """A program one of the app's processes started (children.py): native hooks only."""
        target = self.target
        hooks = ProgramHooks(target.bundle, target.net, TLS_BODY_CAP, target.unpin, target.side)
        app_runners = list(self.runners.values())
        children = self.children.runners if self.children is not None else []
        parent = app_runners[0]  # every process of the app shares the session, store and clock
        return instrument_program(
            session, pid, parent, hooks, lambda child: started_by(child, app_runners, children)
        )

    # Frida's thread: hand off, never block it.
    def _on_spawn(self, spawn) -> None:
        self._work.put(("spawn", spawn.pid, spawn.identifier or ""))

    def _loop(self) -> None:
        while (item := self._work.get()) is not None:
            _kind, pid, name = item
            ours = name == self.target.package or name.startswith(self.target.package + ":")
            try:
                if ours and pid not in self.runners:
                    self._instrument(pid, name)
            except (AttachError, frida.InvalidOperationError, RpcTimeout) as exc:
                self.writer.submit(
                    ev.AgentMessage(
                        self.session_id,
                        now_us(),
                        ev.MSG_ATTACH_FAILED,
                        {"pid": pid, "process": name, "error": str(exc)},
                    )
                )
            finally:
                try:
                    self.device.resume(pid)
                except (frida.InvalidArgumentError, frida.InvalidOperationError, frida.ProcessNotFoundError):
                    pass

    def running(self) -> bool:
        return any(not r.detached.is_set() for r in self.runners.values())

    def counts(self) -> tuple[int, int, int]:
        """(hook events, consent signals, agent batches) over every process of the app and every
        program it started."""
        runners = list(self.runners.values()) + (self.children.runners if self.children else [])
        return (
            sum(r.counts.hook_events for r in runners),
            sum(r.counts.signals for r in runners),
            sum(r.counts.batches for r in runners),
        )

    def close(self) -> None:
        self._work.put(None)
        try:
            self.device.disable_spawn_gating()
        except frida.ServerNotRunningError:
            pass  # gating was never on
        except (frida.InvalidOperationError, frida.TransportError):
            pass
        if self.children is not None:
            self.children.close(list(self.runners.values()))
        for runner in self.runners.values():
            runner.close()
        try:
            self.device.off("spawn-added", self._on_spawn)
        except Exception:  # the device may be gone
            pass
