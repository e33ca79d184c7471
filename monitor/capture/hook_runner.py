"""Loads the agent into one process's Frida session and streams what it reports to the writer.

Frida delivers messages on its own thread; the handler here only converts and enqueues.
Anything that is not a hook event batch (agent errors, unknown types, script errors) is
stored as an AgentMessage: recorded, never dropped. Capture judges nothing: clicks, dialogs,
preference writes and SDK privacy calls are stored as the hook events they are, and the
analysis decides which are consent events (with the app profile in force).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable

import frida

from .. import events as ev
from ..consent import CONSENT_SIGNALS
from ..timeutil import now_us
from .catalogue import authorities
from .connections import Connection
from .messages import WireHookEvent

CLOCK_INTERVAL_S = 30.0
NET_CONNECT = "net.connect"  # the agent's hook event for each connection the process opens
PROCESS_FORK = "process.fork"  # the agent's event for each child process the app forks
NET_HOOKS = (NET_CONNECT, "net.udp", "net.dns", "net.dns.hosts", "net.fork")  # hooks/src/net.ts, in coverage
COVERAGE_FIELDS = ("class", "method", "pi_category", "pi_type", "signal", "consent_arg")

# The agent's clock (Date.now()) has millisecond resolution: half a millisecond of error on top
# of half the round trip.
DEVICE_CLOCK_RESOLUTION_US = 500


RPC_TIMEOUT_S = 5.0


def redirect_options(socks_port: int, proxy_port: int | None, hosts: dict[str, str] | None = None) -> dict:
    """hooks/src/net.ts NetOptions: where redirected connections go (the proxy's SOCKS5 listener on
    the app's own loopback: this machine, or the phone through adb reverse), what is the proxy
    already (left alone, recorded proxy-aware), and the names the process resolves without
    getaddrinfo (`hosts`, address → name: the lab JVM's hosts file)."""
    socks = {"host": "127.0.0.1", "port": socks_port}
    proxies = [socks] + ([{"host": "127.0.0.1", "port": proxy_port}] if proxy_port else [])
    return {
        "socks": socks,
        "proxies": proxies,
        "exempt": [],
        "refuse_udp_ports": [443],
        "hosts": hosts or {},
    }


class AttachError(RuntimeError):
    pass


class RpcTimeout(RuntimeError):
    pass


@dataclass
class RunnerCounts:
    hook_events: int = 0
    batches: int = 0
    signals: int = 0
    agent_messages: int = 0
    crashes: list[str] = field(default_factory=list)


class HookRunner:
    def __init__(
        self,
        frida_session: frida.core.Session,
        pid: int,
        session_id: str,
        writer,
        connections=None,
        tls_streams=None,
    ) -> None:
        self._session = frida_session
        self.connections = connections  # ConnectionRegistry: told of every connection the app opens
        self.tls_streams = tls_streams  # TlsStreams: plaintext read at the TLS library becomes flows
        self.pid = pid
        self.session_id = session_id
        self.writer = writer
        self.counts = RunnerCounts()
        self.offset_us = 0
        self.offset_error_us: int | None = None
        self.detached = threading.Event()
        self.detach_reason: str | None = None
        self._script: frida.core.Script | None = None
        self._clock_stop = threading.Event()
        self._clock_thread: threading.Thread | None = None
        self.on_signal: Callable[[ev.HookEvent], None] | None = None
        # child pid → the stack of the code that forked it (process.fork events), for the child's
        # own native reads (side_channels(started_by=…))
        self.fork_stacks: dict[int, list[str]] = {}
        self.started_by: list[str] | None = None  # a child process: the stack of the code that started it
        self._forked = threading.Condition()
        frida_session.on("detached", self._on_detached)

    # -- lifecycle -----------------------------------------------------------------------
    def load(self, bundle: str) -> None:
        self._script = self._session.create_script(bundle, name="privmon")
        self._script.on("message", self._on_message)
        self._script.load()

    def install(self, catalogue: list[dict], app_package: str | None, stack_mode: str = "fast") -> list[dict]:
        """Installs the catalogue; the stored results name each entry's class, method and PI, so
        the coverage report stands on its own even after the catalogue changes."""
        by_id = {e["id"]: e for e in catalogue}
        options = {"app_package": app_package, "authorities": authorities(), "stack": stack_mode}
        results = []
        for result in self._script.exports_sync.install(catalogue, options):
            entry = by_id.get(result["id"], {})
            results.append({**result, **{k: entry.get(k) for k in COVERAGE_FIELDS}})
        self._record(ev.MSG_INSTALL, {"pid": self.pid, "results": results})
        return results

    def redirect(self, net: dict) -> list[dict]:
        """Redirects the process's connections to the proxy (hooks/src/net.ts); `net` is its
        NetOptions (redirect_options()). The results go into the coverage report."""
        return self._native_install("libc", self._script.exports_sync.net(net))

    def read_tls(self, body_cap: int, unpin: bool = False) -> list[dict]:
        """Reads TLS plaintext at the process's TLS libraries (hooks/src/tls.ts), for connections
        it redirected; the proxy passes those through untouched. With `unpin` the libraries'
        certificate checks are replaced too, and connections whose check was replaced are left
        to the proxy to intercept."""
        return self._native_install("libssl", self._script.exports_sync.tls(body_cap, unpin))

    def fork_stack(self, child_pid: int, wait_s: float = 1.0) -> list[str] | None:
        """The stack of the code that forked `child_pid` in this process, waiting briefly for its
        process.fork event (the child is held at its fork while the event is on its way)."""
        with self._forked:
            self._forked.wait_for(lambda: child_pid in self.fork_stacks, timeout=wait_s)
            return self.fork_stacks.get(child_pid)

    def side_channels(self, options: dict) -> list[dict]:
        """Native read hooks (hooks/src/sidechannel.ts): identifier files, system properties,
        command output; `options` is its SideOptions (capture/side_channels.side_options()). Each
        rule is a row of the coverage report with its PI, beside the native hook points."""
        by_id = {r["id"]: r for r in options["rules"]}
        results = []
        for r in self._script.exports_sync.side(options):
            rule = by_id.get(r["id"])
            if rule is None:
                results.append({**r, "class": "libc", "method": r["id"], "signal": "side_channel"})
            else:
                results.append(
                    {
                        **r,
                        "class": rule["kind"],
                        "method": rule["pattern"],
                        "pi_category": rule["pi_category"],
                        "pi_type": rule["pi_type"],
                    }
                )
        self._record(ev.MSG_INSTALL, {"pid": self.pid, "results": results})
        return results

    def _native_install(self, library: str, reported: list[dict]) -> list[dict]:
        results = [{**r, "class": library, "method": r["id"], "signal": "network"} for r in reported]
        self._record(ev.MSG_INSTALL, {"pid": self.pid, "results": results})
        return results

    def unpin(self) -> list[dict]:
        """The optional TLS unpinning module (--unpin); results are stored as `hooks:unpin`."""
        results = self._script.exports_sync.unpin()
        self._record(ev.MSG_UNPIN, {"pid": self.pid, "results": results})
        return results

    def sync_clock(self, samples: int = 7) -> ev.ClockSample:
        """Offset = device time − host time, from the round trip with the smallest delay."""
        best: tuple[int, int] | None = None
        for _ in range(samples):
            t0 = now_us()
            device_ms = self._rpc("now")
            t1 = now_us()
            half_rtt = (t1 - t0) // 2
            offset = int(device_ms * 1000) - (t0 + half_rtt)
            if best is None or half_rtt < best[1]:
                best = (offset, half_rtt)
        offset, half_rtt = best
        error = half_rtt + DEVICE_CLOCK_RESOLUTION_US
        # A new measurement within the error bounds of both is the same offset measured again: kept
        # as it was, so that calls made a millisecond apart are never reordered by measurement noise.
        if self.offset_error_us is None or abs(offset - self.offset_us) > error + self.offset_error_us:
            self.offset_us, self.offset_error_us = offset, error
        sample = ev.ClockSample(self.session_id, now_us(), self.offset_us, self.offset_error_us)
        self.writer.submit(sample)
        return sample

    def start_clock_thread(self, interval_s: float = CLOCK_INTERVAL_S) -> None:
        def loop() -> None:
            while not self._clock_stop.wait(interval_s) and not self.detached.is_set():
                try:
                    self.sync_clock()
                except (frida.InvalidOperationError, frida.TransportError, RpcTimeout):
                    return

        self._clock_thread = threading.Thread(target=loop, name="privmon-clock", daemon=True)
        self._clock_thread.start()

    def flush(self) -> None:
        """Ask the agent to send what it has buffered (when the process is still there)."""
        if self.detached.is_set() or self._script is None:
            return
        try:
            self._rpc("flush")
        except (frida.InvalidOperationError, frida.TransportError, frida.ProcessNotFoundError, RpcTimeout):
            pass

    def _rpc(self, name: str, *args, timeout: float = RPC_TIMEOUT_S):
        """An RPC to the agent that gives up after `timeout`: a process stuck in its own exit (a
        JVM in System.exit, an app being killed) never answers, and must not hang privmon."""
        result: dict = {}

        def call() -> None:
            try:
                result["value"] = getattr(self._script.exports_sync, name)(*args)
            except BaseException as exc:  # handed to the caller below
                result["error"] = exc

        worker = threading.Thread(target=call, name=f"privmon-rpc-{name}", daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            raise RpcTimeout(f"the agent did not answer {name}() within {timeout:.0f} s")
        if "error" in result:
            raise result["error"]
        return result.get("value")

    def close(self, flush: bool = True) -> None:
        self._clock_stop.set()
        if flush:
            self.flush()
        if not self.detached.is_set():
            try:
                self._session.detach()
            except frida.InvalidOperationError:
                pass

    # -- Frida callbacks (Frida's thread) ------------------------------------------------
    def _on_detached(self, reason: str, crash) -> None:
        self.detach_reason = reason
        payload: dict[str, Any] = {"reason": reason}
        if crash is not None:
            payload["crash"] = {"summary": crash.summary, "report": crash.report[:20000]}
        self._record(ev.MSG_DETACHED, payload)
        self.detached.set()

    def _on_message(self, message: dict, data) -> None:
        if message.get("type") == "send":
            payload = message.get("payload")
            kind = payload.get("type") if isinstance(payload, dict) else None
            if kind == ev.MSG_HOOK_EVENTS:
                self.counts.batches += 1
                for raw in payload.get("events", []):
                    self._on_hook_event(raw)
                return
            if kind in (ev.MSG_TLS_NATIVE, ev.MSG_TLS_DATA, ev.MSG_TLS_END) and self._on_tls(
                kind, payload, data
            ):
                return
            self._record(kind if isinstance(kind, str) else ev.MSG_UNKNOWN, payload)
        elif message.get("type") == "error":
            self._record(
                ev.MSG_SCRIPT_ERROR,
                {k: message.get(k) for k in ("description", "stack", "fileName", "lineNumber")},
            )
        else:
            self._record(ev.MSG_UNKNOWN, message)

    def _on_hook_event(self, raw: dict) -> None:
        try:
            wire = WireHookEvent.read(raw)
        except (KeyError, TypeError) as exc:  # not what hooks/src/messages.ts declares: kept as it came
            self._record(ev.MSG_UNKNOWN, {"malformed_hook_event": raw, "missing": str(exc)})
            return
        device_ts = int(wire.ts_ms * 1000)
        ret = wire.ret if wire.self is None else {"return": wire.ret, "this": wire.self}
        event = ev.HookEvent(
            session_id=self.session_id,
            seq=int(wire.seq),
            pid=self.pid,
            device_ts=device_ts,
            ts=device_ts - self.offset_us,
            api=wire.api,
            pi_category=wire.pi_category,
            pi_type=wire.pi_type,
            args=wire.args,
            ret=ret,
            stack=wire.stack,
            thread=wire.thread,
            hook_id=wire.entry,
            signal=wire.signal,
            sensitive=bool(wire.sensitive),
        )
        self.writer.submit(event)
        self.counts.hook_events += 1
        if wire.api == NET_CONNECT and self.connections is not None:
            self._connection_opened(event)
        if wire.api == PROCESS_FORK and isinstance(ret, dict) and isinstance(ret.get("child_pid"), int):
            with self._forked:
                self.fork_stacks[ret["child_pid"]] = list(wire.stack or [])
                self._forked.notify_all()
        signal = raw.get("signal")
        if signal == "crash":
            text = event.args[0] if event.args else "uncaught exception"
            self.counts.crashes.append(str(text))
            self._record(ev.MSG_APP_CRASH, {"exception": text, "thread": event.thread, "hook_seq": event.seq})
        elif signal in CONSENT_SIGNALS:
            self.counts.signals += 1
            if self.on_signal is not None:
                self.on_signal(event)

    def _on_tls(self, kind: str, payload: dict, data: bytes | None) -> bool:
        port = payload.get("local_port")
        if not isinstance(port, int):
            return False
        if kind == ev.MSG_TLS_NATIVE:
            if self.connections is not None:
                self.connections.native_tls(port)
            self._record(kind, payload)
            self._script.post({"type": ev.MSG_TLS_NATIVE_ACK})  # the agent holds the handshake until this
        elif self.tls_streams is None:
            return False
        elif kind == ev.MSG_TLS_DATA:
            ts = int(float(payload.get("ts_ms") or 0) * 1000) - self.offset_us
            size = payload.get("size") if isinstance(payload.get("size"), int) else None
            self.tls_streams.data(self.pid, port, bool(payload.get("outgoing")), data or b"", ts, size)
        else:
            self.tls_streams.end(self.pid, port)
        return True

    def _connection_opened(self, event: ev.HookEvent) -> None:
        ret = event.ret if isinstance(event.ret, dict) else {}
        dest = event.args[0] if event.args and isinstance(event.args[0], dict) else {}
        if not isinstance(ret.get("local_port"), int):
            return  # the connection failed: nothing will come of it
        self.connections.opened(
            Connection(
                pid=self.pid,
                seq=event.seq,
                local_port=ret["local_port"],
                capture_path=str(ret.get("capture_path")),
                host=dest.get("host"),
                ip=str(dest.get("ip")),
                port=int(dest.get("port") or 0),
            )
        )

    def _record(self, kind: str, payload: Any) -> None:
        self.counts.agent_messages += 1
        self.writer.submit(ev.AgentMessage(self.session_id, now_us(), kind, payload))
