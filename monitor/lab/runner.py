"""`privmon lab run`: the lab app under the real agent, real mitmproxy and the real store.

Order (DESIGN.md "The lab"): spawn the JVM through Frida with piped stdio, attach, resume,
wait for the app's ready line, load the agent and install the hooks, measure the clock, then
send the go line. The run ends when the app exits, on `q`/Ctrl-C, or at the timeout.
"""

from __future__ import annotations

import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import frida
import mitmproxy.version

from .. import __version__
from .. import events as ev
from ..capture.agent import build_agent
from ..capture.catalogue import load_catalogue
from ..capture.hook_runner import AttachError, HookRunner
from ..capture.keys import KeyReader, TesterKeys
from ..capture.progress import LiveCounts, LiveFindings
from ..capture.proxy import ProxyError, ProxyHost
from ..config import Settings
from ..app_profile import AppProfile, vocabulary_for
from ..device_profile import DeviceProfile, write_properties
from ..timeutil import now_us
from .build import LabError, find_tool, load_lab_dns
from .collector import Collector

READY_LINE = b"PRIVMON-LAB READY"
EXIT_PREFIX = b"PRIVMON-LAB EXIT "
EXIT_GRACE_S = 3.0  # after the exit line, how long the JVM gets to end by itself
LAUNCHER_CLASS = "privmon.lab.Launcher"
MAX_OUTPUT_RECORDS = 2000


@dataclass
class LabRunOptions:
    classpath: list[Path]
    main_class: str
    app_package: str
    profile: DeviceProfile
    scenario: str = "agree"
    timeout_s: float = 120.0
    ready_timeout_s: float = 60.0
    jvm_properties: dict[str, str] = field(default_factory=dict)
    interactive: bool = True
    extra_hooks: Path | None = None
    catalogue: list[dict] | None = None  # instead of hooks/catalogue.yaml (benchmarks)
    stack_mode: str = "fast"  # fast | naive | none (benchmarks)
    unpin: bool = False
    app_profile: AppProfile | None = None
    # A device run (`privmon run` on the lab's simulated phone) adds these:
    session_id: str | None = None
    target: str = "lab"
    extra_meta: dict = field(default_factory=dict)
    extra_watch: list[dict] = field(default_factory=list)
    on_proxy_ready: Callable[[int], None] | None = None  # the phone's route is set here
    on_consent: Callable[[ev.ConsentEvent], None] | None = None  # screenshots
    extra_keys: dict[str, tuple[str, Callable[[], None]]] = field(default_factory=dict)  # key → (label, action)
    abort: Callable[[], str | None] | None = None  # polled: a reason ends the run as interrupted
    live_findings: bool = False  # re-analyse in the background for a "findings so far" count


@dataclass
class LabRunResult:
    session_id: str
    status: str
    reason: str | None
    counts: dict[str, int]


class _AppOutput:
    """The lab app's stdout/stderr: watched for the ready line, stored line by line (bounded)."""

    def __init__(self, session_id: str, writer) -> None:
        self.session_id = session_id
        self.writer = writer
        self.ready = threading.Event()
        self._partial = {1: b"", 2: b""}
        self.stored = 0
        self.stderr_tail: list[str] = []
        self.exit_code: int | None = None
        self.exit_detail: str | None = None
        self.exit_seen_at: float | None = None  # time.monotonic() of the exit line

    def on_output(self, pid: int, fd: int, data: bytes) -> None:
        if not data:
            return
        buf = self._partial.get(fd, b"") + data
        *lines, self._partial[fd] = buf.split(b"\n")
        for raw in lines:
            line = raw.strip()
            if line == READY_LINE:
                self.ready.set()
            elif line.startswith(EXIT_PREFIX):
                code, _, detail = line[len(EXIT_PREFIX):].decode("utf-8", "replace").partition(" ")
                self.exit_code = int(code) if code.isdigit() else 1
                self.exit_detail = detail or None
                self.exit_seen_at = time.monotonic()
            text = raw.decode("utf-8", errors="replace")[:4000]
            if fd == 2:
                self.stderr_tail = (self.stderr_tail + [text])[-20:]
            if self.stored < MAX_OUTPUT_RECORDS:
                self.stored += 1
                self.writer.submit(ev.AgentMessage(self.session_id, now_us(), "app:stdout" if fd == 1 else "app:stderr", text))


def run_lab(settings: Settings, writer, opts: LabRunOptions, progress: Callable[[str], None] = lambda _m: None) -> LabRunResult:
    java = find_tool("java")
    bundle = build_agent(settings.cache_dir)
    session_id = opts.session_id or ev.new_session_id()
    session_dir = settings.home / "sessions" / session_id
    session_dir.mkdir(parents=True, exist_ok=True)
    device_props = session_dir / "device.properties"
    write_properties(opts.profile.lab_properties(), device_props)

    writer.submit(
        ev.SessionStarted(
            id=session_id,
            app=opts.app_package,
            target=opts.target,
            started_at=now_us(),
            meta={
                **opts.extra_meta,
                "lab": True,
                "main_class": opts.main_class,
                "scenario": opts.scenario,
                "app_profile": (opts.app_profile or AppProfile(opts.app_package)).to_meta(),
                "device_profile": opts.profile.name,
                "watch": opts.profile.watch_values() + opts.extra_watch,
                "device_build": opts.profile.build,
                "versions": {"privmon": __version__, "frida": frida.__version__, "mitmproxy": mitmproxy.version.VERSION},
            },
        )
    )
    status, reason = ev.SESSION_INTERRUPTED, "the run did not finish"
    runner: HookRunner | None = None
    output = _AppOutput(session_id, writer)
    keys = TesterKeys(session_id, writer, progress, opts.on_consent, opts.extra_keys)

    from addons.lab_router import LabRouter
    from addons.privmon_capture import PrivmonCapture

    capture = PrivmonCapture(writer=writer, session_id=session_id)
    capture.set_watch_values(opts.profile.watch_values() + opts.extra_watch)
    device = frida.get_local_device()
    pid: int | None = None
    try:
        with Collector() as collector:
            proxy = ProxyHost(settings.mitmproxy_confdir, [capture, LabRouter(collector.host, collector.port, load_lab_dns())])
            port = proxy.start()
            try:
                progress(f"[lab] proxy on 127.0.0.1:{port}, simulated internet on {collector.host}:{collector.port}")
                if opts.on_proxy_ready is not None:
                    opts.on_proxy_ready(port)
                props = {
                    "privmon.proxy": f"127.0.0.1:{port}",
                    "privmon.ca": str(proxy.ca_cert_path),
                    "privmon.device": str(device_props),
                    "privmon.lab.scenario": opts.scenario,
                    **opts.jvm_properties,
                }
                argv = [java, "-Xshare:off", "-cp", ":".join(str(p) for p in opts.classpath)]
                argv += [f"-D{k}={v}" for k, v in props.items()] + [LAUNCHER_CLASS, opts.main_class]
                device.on("output", output.on_output)
                pid = device.spawn(argv, stdio="pipe")
                try:
                    frida_session = device.attach(pid)
                except frida.PermissionDeniedError as exc:
                    raise AttachError(
                        f"Frida may not attach to pid {pid}: {exc} (ptrace restricted? see docs/lab.md)"
                    ) from exc
                except (frida.ProcessNotFoundError, frida.TransportError) as exc:
                    raise AttachError(f"Frida could not attach to pid {pid}: {exc}") from exc
                runner = HookRunner(frida_session, pid, session_id, writer,
                                    vocabulary_for(opts.app_profile or AppProfile(opts.app_package)))
                runner.on_consent = opts.on_consent
                device.resume(pid)
                progress(f"[lab] lab app started (pid {pid}); waiting for its ready line")
                deadline = time.monotonic() + opts.ready_timeout_s
                while not output.ready.wait(0.05):
                    if runner.detached.is_set():
                        raise LabError("the lab app exited before its ready line" + _tail(output))
                    if time.monotonic() > deadline:
                        raise LabError(f"the lab app printed no ready line within {opts.ready_timeout_s:.0f} s" + _tail(output))
                runner.load(bundle)
                catalogue = opts.catalogue if opts.catalogue is not None else load_catalogue(opts.extra_hooks)
                results = runner.install(catalogue, opts.app_package, opts.stack_mode)
                installed = sum(1 for r in results if r["state"] == "installed")
                if opts.unpin:
                    unpinned = runner.unpin()
                    active = [r["id"] for r in unpinned if r["state"] == "installed"]
                    progress(f"[lab] TLS unpinning: {len(active)}/{len(unpinned)} targets hooked ({', '.join(active) or 'none present'})")
                clock = runner.sync_clock()
                runner.start_clock_thread()
                progress(f"[lab] agent loaded: {installed}/{len(results)} hooks installed; clock offset {clock.offset_us} µs ± {clock.error_us} µs")
                device.input(pid, b"go\n")
                progress("[lab] app running" + (keys.help if opts.interactive and KeyReader.available() else ""))
                deadline = time.monotonic() + opts.timeout_s
                with KeyReader(keys) if opts.interactive else nullcontext(), \
                        LiveFindings(settings.db_path, session_id) if opts.live_findings else nullcontext() as found:
                    live = LiveCounts(progress, "[lab] ", found if opts.live_findings else None)
                    try:
                        while not runner.detached.wait(0.2):
                            live.update(runner.counts.hook_events, capture.stored, runner.counts.consent_events,
                                        capture.live_matches)
                            if keys.stop.is_set():
                                status, reason = ev.SESSION_COMPLETED, "stopped by the tester"
                                break
                            aborted = opts.abort() if opts.abort is not None else None
                            if aborted:
                                raise LabError(aborted)
                            if time.monotonic() > deadline:
                                raise LabError(f"the lab app was still running after {opts.timeout_s:.0f} s (timeout)")
                            if output.exit_seen_at is not None and time.monotonic() - output.exit_seen_at > EXIT_GRACE_S:
                                # The launcher said it exits; a JVM stuck in System.exit under
                                # instrumentation is ended by the finally block below.
                                status, reason = ev.SESSION_COMPLETED, "the app exited"
                                break
                        else:
                            status, reason = ev.SESSION_COMPLETED, "the app exited"
                    except KeyboardInterrupt:
                        status, reason = ev.SESSION_COMPLETED, "stopped by the tester (Ctrl-C)"
                # The launcher's exit line decides: on a JVM an uncaught exception on another
                # thread (recorded as app:crash) does not end the app as it would on Android.
                if output.exit_code not in (None, 0):
                    status = ev.SESSION_INTERRUPTED
                    detail = output.exit_detail or (runner.counts.crashes[0] if runner.counts.crashes else "")
                    reason = f"the lab app crashed (exit {output.exit_code}): {detail}".rstrip(": ")
                elif output.exit_code is None and reason == "the app exited":
                    status = ev.SESSION_INTERRUPTED
                    reason = "the lab app died without its exit line (a crash of the JVM?)" + _tail(output)
            finally:
                exited = output.exit_seen_at is not None
                if exited and pid is not None and runner is not None and not runner.detached.is_set():
                    try:  # past its exit line the JVM has nothing more to say: end it before detaching
                        device.kill(pid)
                    except (frida.ProcessNotFoundError, frida.InvalidOperationError):
                        pass
                if runner is not None:
                    runner.close(flush=not exited)
                if pid is not None and (runner is None or not runner.detached.is_set()):
                    try:
                        device.kill(pid)
                    except (frida.ProcessNotFoundError, frida.InvalidOperationError):
                        pass
                # Let in-flight requests finish so their flows are stored.
                time.sleep(0.2)
                proxy.stop()
    except (LabError, AttachError, ProxyError) as exc:
        status, reason = ev.SESSION_INTERRUPTED, str(exc)
    except KeyboardInterrupt:
        status, reason = ev.SESSION_INTERRUPTED, "interrupted during set-up (Ctrl-C)"
    finally:
        try:
            device.off("output", output.on_output)
        except Exception:
            pass
        writer.submit(ev.SessionEnded(session_id, now_us(), status, reason))
        writer.flush()
    counts = {"hook_events": runner.counts.hook_events if runner else 0, "flows": capture.stored,
              "agent_batches": runner.counts.batches if runner else 0}
    return LabRunResult(session_id, status, reason, counts)


def _tail(output: _AppOutput) -> str:
    """The app's most telling stderr line (its full output is stored with the session)."""
    lines = [line.strip() for line in output.stderr_tail if line.strip()]
    if not lines:
        return ""
    telling = next((line for line in lines if line.startswith(("Exception", "Error", "Caused by"))), lines[-1])
    return f" (stderr: {telling[:300]})"
