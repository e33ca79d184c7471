"""The capture session: the one owner of a run, for every target.

It writes the session's start and end records, hosts the proxy with the capture addon (and the
target's own addons), hands the target its context, reads the tester's keys, polls until the
run ends (the app exits, [q] or Ctrl-C, the timeout, an abort such as a lost phone, or a dead
writer), shows the live counts and decides the final status. Everything captured is kept
whatever ends the run.
"""

from __future__ import annotations

import getpass
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from .. import __version__
from .. import events as ev
from ..app_profile import AppProfile
from ..capture.android import FRIDA_ERRORS
from ..capture.connections import ConnectionRegistry
from ..capture.hook_runner import AttachError
from ..capture.keys import KeyReader, TesterKeys
from ..capture.local import frida_version
from ..capture.proxy import ProxyError, ProxyHost, mitmproxy_version
from ..config import Settings, env
from ..device.adb import DeviceLost
from ..lab.build import LabError
from ..language import tr
from ..timeutil import now_us
from .live import LiveCounts
from .owner import owner_record
from .target import Outcome, RunAborted, Target, TargetContext

if TYPE_CHECKING:
    from .driving import DriveSpec

IN_FLIGHT_GRACE_S = 0.2  # requests still in flight when the app ends get this long to be stored
POLL_S = 0.2
SETUP_ERRORS = (RunAborted, AttachError, ProxyError, LabError, DeviceLost, *FRIDA_ERRORS)


class WriterLost(RuntimeError):
    """The store's writer died mid-run: nothing more can be stored, so the run stops at once."""


@dataclass
class RunSpec:
    """What the session records and how the run behaves; the target supplies the rest."""

    app: str
    scenario: str = "agree"
    app_profile: AppProfile | None = None
    device_profile: str | None = None
    watch: list[dict] = field(default_factory=list)  # values the live count looks for (and the analysis)
    device_build: dict | None = None
    extra_meta: dict = field(default_factory=dict)
    timeout_s: float = 120.0
    timeout_completes: bool = False  # a phone run's length, vs a lab app that should have exited
    interactive: bool = True
    extra_keys: dict[str, tuple[str, Callable[[], None]]] = field(default_factory=dict)
    # e.g. the phone's route to the proxy: (HTTP port, SOCKS5 port or None)
    on_proxy_ready: Callable[[int, int | None], None] | None = None
    on_signal: Callable[[ev.HookEvent], None] | None = None  # raw UI/consent signals (screenshots)
    on_mark: Callable[[ev.ConsentEvent], None] | None = None  # the tester's [c]/[r] marks
    abort: Callable[[], str | None] | None = None  # polled: a reason ends the run as interrupted
    live_findings: Callable[[str], object] | None = None  # session id → a context manager with `.count`
    prefix: str = ""  # before every progress line, e.g. "[lab] "
    drive: DriveSpec | None = None  # privmon performs the scenario itself (monitor/drive)


@dataclass
class RunResult:
    session_id: str
    status: str
    reason: str | None
    counts: dict[str, int]
    writer_lost: bool = False
    lab: bool = False  # the target was the lab (the app a JVM on this machine)
    app_seconds: float = 0.0  # how long the app ran under capture (the rest of a run is overhead)
    # the findings the live display showed last (fingerprints), after the capture ended; None without it
    live_findings: list[str] | None = None


def session_meta(spec: RunSpec, target: Target) -> dict:
    """The session's metadata, for every target: what ran, how, with which tools, owned by whom."""
    profile = spec.app_profile or AppProfile(spec.app)
    return {
        **spec.extra_meta,
        **target.meta,
        "scenario": spec.scenario,
        "driver": "privmon" if spec.drive is not None else "tester",
        "app_profile": profile.to_meta(),
        "device_profile": spec.device_profile,
        "watch": spec.watch,
        "device_build": spec.device_build,
        "versions": {"privmon": __version__, "frida": frida_version(), "mitmproxy": mitmproxy_version()},
        "owner": owner_record(),
        "tester": env("PRIVMON_TESTER") or _login_name(),
    }


def _login_name() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container's)
        return None


class CaptureSession:
    def __init__(
        self,
        settings: Settings,
        writer,
        spec: RunSpec,
        target: Target,
        progress: Callable[[str], None] = lambda _m: None,
        session_id: str | None = None,
    ) -> None:
        self.settings = settings
        self.writer = writer
        self.spec = spec
        self.target = target
        self.progress = progress
        self.session_id = session_id or ev.new_session_id()
        self.session_dir = settings.home / "sessions" / self.session_id
        self.keys = TesterKeys(self.session_id, writer, progress, spec.on_mark, spec.extra_keys)
        self._live = None  # LiveFindings while the app runs, finished once everything is stored

    def run(self) -> RunResult:
        from addons.privmon_capture import PrivmonCapture

        spec, target = self.spec, self.target
        self.session_dir.mkdir(parents=True, exist_ok=True)
        self.writer.submit(
            ev.SessionStarted(
                id=self.session_id,
                app=spec.app,
                target=target.name,
                started_at=now_us(),
                meta=session_meta(spec, target),
            )
        )
        connections = ConnectionRegistry() if target.redirects else None
        capture = PrivmonCapture(writer=self.writer, session_id=self.session_id, connections=connections)
        capture.set_watch_values(spec.watch)
        status, reason, writer_lost = ev.SESSION_INTERRUPTED, "the run did not finish", False
        app_seconds = 0.0
        live_findings: list[str] | None = None
        outcome: Outcome | None = None
        proxy = ProxyHost(
            self.settings.mitmproxy_confdir, [capture, *target.proxy_addons], socks=target.redirects
        )
        try:
            try:
                port = proxy.start()
                self.progress(spec.prefix + tr(f"proxy on 127.0.0.1:{port}", f"代理在 127.0.0.1:{port}"))
                if spec.on_proxy_ready is not None:
                    spec.on_proxy_ready(port, proxy.socks_port)
                context = TargetContext(
                    self.session_id,
                    self.session_dir,
                    self.writer,
                    port,
                    proxy.ca_cert_path,
                    self.progress,
                    spec.on_signal,
                    connections,
                    proxy.socks_port,
                )
                started = target.start(context)
                interactive = spec.interactive and KeyReader.available()
                self.progress(started + (self.keys.help if interactive else ""))
                app_started = time.monotonic()
                if spec.live_findings is not None:
                    self._live = spec.live_findings(self.session_id).start()
                try:
                    status, reason = self._poll(capture)
                finally:
                    app_seconds = time.monotonic() - app_started
            finally:
                try:
                    outcome = target.close()
                finally:
                    time.sleep(IN_FLIGHT_GRACE_S)  # let in-flight requests finish so their flows are stored
                    proxy.stop()
                    if connections is not None:
                        self._report_left_out(connections)
                    live_findings = self._finish_live()
        except WriterLost as exc:
            status, reason, writer_lost = ev.SESSION_INTERRUPTED, str(exc), True
        except SETUP_ERRORS as exc:
            status, reason = ev.SESSION_INTERRUPTED, _one_line(exc, target)
        except KeyboardInterrupt:
            status, reason = ev.SESSION_INTERRUPTED, "interrupted during set-up (Ctrl-C)"
        if outcome is not None and status == ev.SESSION_COMPLETED:
            status, reason = outcome.status, outcome.reason
        if not writer_lost:
            self.writer.submit(ev.SessionEnded(self.session_id, now_us(), status, reason))
            self.writer.flush()
        counts = target.counts()
        return RunResult(
            self.session_id,
            status,
            reason,
            {
                "hook_events": counts.hook_events,
                "flows": capture.stored + counts.flows,
                "signals": counts.signals,
                "agent_batches": counts.batches,
            },
            writer_lost,
            bool(target.meta.get("lab")),
            round(app_seconds, 2),
            live_findings if not writer_lost else None,
        )

    def _finish_live(self) -> list[str] | None:
        """The live display's last pass, over everything the run stored (so that what it showed
        last can be held against the final analysis); None when it did not run to the end."""
        live, self._live = self._live, None
        if live is None:
            return None
        try:
            self.writer.flush()  # what the capture submitted, committed before the last pass
        except Exception:  # noqa: BLE001 - a lost writer is the run's to report, not the display's
            pass
        live.finish()
        return sorted(live.shown) if live.count is not None and not live.stopped else None

    def _report_left_out(self, connections: ConnectionRegistry) -> None:
        summary = connections.left_out_summary()
        if summary["flows"]:
            self.writer.submit(ev.AgentMessage(self.session_id, now_us(), ev.MSG_LEFT_OUT, summary))
            hosts = ", ".join(list(summary["hosts"])[:3])
            self.progress(
                self.spec.prefix
                + tr(
                    f"{summary['flows']} flows on the proxy came from other processes and are not part of "
                    f"the session ({hosts})",
                    f"代理上有 {summary['flows']} 个请求来自其他进程，不计入本会话（{hosts}）",
                )
            )

    def _poll(self, capture) -> tuple[str, str]:
        spec, target = self.spec, self.target
        driver = None
        if spec.drive is not None:
            from .driving import start_driver

            driver = start_driver(spec.drive, target, self.session_id, self.writer, self._said, spec.on_mark)
            if isinstance(driver, str):
                return ev.SESSION_INCOMPLETE, driver
        try:
            return self._watch(capture, driver)
        finally:
            if driver is not None:
                driver.stop.set()

    def _said(self, line: str) -> None:
        self.progress(self.spec.prefix + line)

    def _watch(self, capture, driver) -> tuple[str, str]:
        spec, target = self.spec, self.target
        deadline = time.monotonic() + spec.timeout_s
        with KeyReader(self.keys) if spec.interactive else nullcontext():
            live = LiveCounts(self.progress, spec.prefix, self._live)
            try:
                while True:
                    counts = target.counts()
                    flows = capture.stored + counts.flows
                    live.update(counts.hook_events, flows, counts.signals, capture.live_matches)
                    if not self.writer.alive():
                        raise WriterLost(
                            "the store's writer process died: nothing more could be stored "
                            "(the session is marked interrupted by the next privmon command)"
                        )
                    if self.keys.stop.is_set():
                        return ev.SESSION_COMPLETED, "stopped by the tester"
                    aborted = spec.abort() if spec.abort is not None else None
                    if aborted:
                        return ev.SESSION_INTERRUPTED, aborted
                    if driver is not None and driver.outcome is not None:
                        return driver.outcome.status, driver.outcome.reason
                    restarting = driver is not None and driver.restarting.is_set()
                    if not target.running() and not restarting:
                        if driver is not None:
                            driver.join(2 * POLL_S + 1)  # the step it was on sees the app gone
                            if driver.outcome is not None and driver.outcome.status == ev.SESSION_INCOMPLETE:
                                return driver.outcome.status, driver.outcome.reason
                        return ev.SESSION_COMPLETED, "the app exited"
                    if time.monotonic() > deadline:
                        if spec.timeout_completes:
                            return ev.SESSION_COMPLETED, f"ended at the timeout ({spec.timeout_s:.0f} s)"
                        return ev.SESSION_INTERRUPTED, (
                            f"the app was still running after {spec.timeout_s:.0f} s (timeout)"
                        )
                    time.sleep(POLL_S)
            except KeyboardInterrupt:
                return ev.SESSION_COMPLETED, "stopped by the tester (Ctrl-C)"


def _one_line(exc: BaseException, target: Target) -> str:
    text = str(exc).strip()
    if isinstance(exc, FRIDA_ERRORS) and target.name == "device":
        return f"Frida lost the app or its server: {text}"
    return text or type(exc).__name__
