"""The lab app as a capture target: a JVM spawned through Frida, under the real agent.

Order (docs/lab.md): spawn the JVM through Frida with piped stdio, attach, resume, wait for the
app's ready line, load the agent and install the hooks, measure the clock, then send the go line.
The JVM watches privmon's process and ends itself when it is gone (no orphan after a kill -9),
and writes its crash dumps into the session's folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import events as ev
from ..capture.agent import build_agent
from ..capture.catalogue import load_catalogue
from ..capture.children import Children, ProgramHooks, instrument_program, started_by
from ..capture.hook_runner import HookRunner, redirect_options
from ..capture.local import LocalFrida
from ..capture.side_channels import load_side_channels, side_options
from ..capture.tls_streams import DEFAULT_CAP as DEFAULT_BODY_CAP
from ..capture.tls_streams import TlsStreams
from ..device_profile import DeviceProfile, write_properties
from ..lab.build import LAB_BIN, build_native, find_tool, load_lab_dns
from ..lab.collector import Collector
from ..lab.device_files import MAPPED_PREFIXES, write_device_files
from ..language import tr
from ..timeutil import now_us
from .target import Outcome, RunAborted, TargetContext, TargetCounts

READY_LINE = b"PRIVMON-LAB READY"
UI_PREFIX = b"PRIVMON-LAB UI "
EXIT_PREFIX = b"PRIVMON-LAB EXIT "
EXIT_GRACE_S = 3.0  # after the exit line, how long the JVM gets to end by itself
LAUNCHER_CLASS = "privmon.lab.Launcher"
MAX_OUTPUT_RECORDS = 2000


@dataclass
class LabApp:
    """What to run: the lab app's classes, its main class and how the simulated device looks."""

    classpath: list[Path]
    main_class: str
    package: str
    profile: DeviceProfile
    scenario: str = "agree"
    jvm_properties: dict[str, str] = field(default_factory=dict)
    extra_hooks: Path | None = None
    catalogue: list[dict] | None = None  # instead of hooks/catalogue.yaml (benchmarks)
    stack_mode: str = "fast"  # fast | naive | none (benchmarks)
    unpin: bool = False
    redirect: bool = True  # connect() redirected to the proxy (docs/traffic.md); off: the proxy setting only
    neighbour: str | None = None  # main class of another app's process beside it on the proxy, unhooked
    lab_name: str | None = None  # the lab app under lab/apps/ (its native libraries), None for --classpath
    side_channels: bool = True  # native read hooks (files, properties, command output); off: benchmarks
    ready_timeout_s: float = 60.0
    driven: bool = False  # privmon taps the app's screen (monitor/drive); False: the app plays its own tester
    phone_serial: str | None = None  # on the simulated phone: its screen is this app's (lab/screen_link.py)


class AppOutput:
    """The lab app's stdout/stderr: watched for the ready and exit lines, stored line by line (bounded)."""

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
        self.ui_port: int | None = None  # the app's screen socket (privmon.lab.Screen)
        self.ui_ready = threading.Event()
        self.on_ui: Callable[[int], None] | None = None  # the simulated phone learns the port

    def on_output(self, pid: int, fd: int, data: bytes) -> None:
        if not data:
            return
        buf = self._partial.get(fd, b"") + data
        *lines, self._partial[fd] = buf.split(b"\n")
        for raw in lines:
            line = raw.strip()
            if line == READY_LINE:
                self.ready.set()
            elif line.startswith(UI_PREFIX) and line[len(UI_PREFIX) :].isdigit():
                self.ui_port = int(line[len(UI_PREFIX) :])
                if self.on_ui is not None:
                    self.on_ui(self.ui_port)
                self.ui_ready.set()
            elif line.startswith(EXIT_PREFIX):
                code, _, detail = line[len(EXIT_PREFIX) :].decode("utf-8", "replace").partition(" ")
                self.exit_code = int(code) if code.isdigit() else 1
                self.exit_detail = detail or None
                self.exit_seen_at = time.monotonic()
            text = raw.decode("utf-8", errors="replace")[:4000]
            if fd == 2:
                self.stderr_tail = (self.stderr_tail + [text])[-20:]
            if self.stored < MAX_OUTPUT_RECORDS:
                self.stored += 1
                kind = ev.MSG_APP_STDOUT if fd == 1 else ev.MSG_APP_STDERR
                self.writer.submit(ev.AgentMessage(self.session_id, now_us(), kind, text))

    def tail(self) -> str:
        """The app's most telling stderr line (its full output is stored with the session)."""
        lines = [line.strip() for line in self.stderr_tail if line.strip()]
        if not lines:
            return ""
        starts = ("Exception", "Error", "Caused by")
        telling = next((line for line in lines if line.startswith(starts)), lines[-1])
        return f" (stderr: {telling[:300]})"


class LabJvm:
    """A capture target (run/target.py) for the lab app; `name` is "lab"."""

    name = "lab"

    def __init__(self, app: LabApp, cache_dir: Path) -> None:
        self.app = app
        self.cache_dir = cache_dir
        self.meta = {"lab": True, "main_class": app.main_class}
        self.redirects = app.redirect
        self._dns = load_lab_dns()
        self._collector = Collector(cert_dir=cache_dir / "lab-server")
        self._collector.__enter__()
        from addons.lab_router import LabRouter

        self.proxy_addons = [LabRouter(self._collector, self._dns)]
        self._frida = LocalFrida()
        self._runner: HookRunner | None = None
        self._output: AppOutput | None = None
        self._pid: int | None = None
        self._died = False
        self._neighbour: subprocess.Popen | None = None
        self._children: Children | None = None  # the app's child processes, each under the agent
        self._program_hooks: ProgramHooks | None = None  # what each program the app starts gets
        self._tls: TlsStreams | None = None
        self._side: dict | None = None  # the side-channel hooks' options, for the app's children too
        self._earlier: list[HookRunner] = []  # the app's earlier processes (a launch after a force-stop)
        self._launch_lock = threading.RLock()
        self._control = None  # LabControl: the screen across launches, when privmon drives
        self._context: TargetContext | None = None
        self._stopped = False  # the app's process was ended by stop_app (force-stop), not by itself

    def start(self, context: TargetContext) -> str:
        java = find_tool("java")
        bundle = build_agent(self.cache_dir)
        app = self.app
        context.progress(
            tr("[lab] simulated internet on ", "[实验室] 模拟互联网在 ")
            + f"{self._collector.host}:{self._collector.port}"
        )
        device_props = context.session_dir / "device.properties"
        write_properties(app.profile.lab_properties(), device_props)
        hosts = context.session_dir / "lab-hosts"
        hosts.write_text(self._dns.hosts_file(), encoding="utf-8")
        # the lab device's identifier files, properties and shell commands (never the host's)
        device_root = context.session_dir / "lab-device"
        env = {k: str(v) for k, v in write_device_files(app.profile, device_root).items()}
        env["PATH"] = f"{LAB_BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}"
        native = build_native(self.cache_dir, app.lab_name)
        # the lab device's bionic (system properties) is in the process from its start, as libc is
        # on a phone; loading it with System.load from the launcher made HotSpot deadlock at a
        # safepoint under Frida in most runs of an app that sleeps at its start (the bypass app)
        env["LD_PRELOAD"] = str(native / "libprivmon-bionic.so")
        self._side = side_options(
            load_side_channels(app.extra_hooks), {"root": str(device_root), "prefixes": MAPPED_PREFIXES}
        )
        props = {
            "jdk.net.hosts.file": str(hosts),  # lab names resolve to loopback only, never through DNS
            # fork+exec, not posix_spawn through jspawnhelper, whose exec Frida's child gating misses
            "jdk.lang.Process.launchMechanism": "FORK",
            "privmon.lab.python": sys.executable,
            "privmon.lab.serverCert": str(self._collector.server_cert),
            "privmon.proxy": f"127.0.0.1:{context.proxy_port}",
            "privmon.ca": str(context.proxy_ca),
            "privmon.device": str(device_props),
            "privmon.lab.scenario": app.scenario,
            "privmon.lab.driver": "privmon" if app.driven else "tester",
            "privmon.ownerPid": str(os.getpid()),
            "privmon.lab.nativeDir": str(native),  # the app's own JNI libraries (System.load)
            # the app's own data (SharedPreferences), kept across its launches in the session
            "privmon.lab.dataDir": str(context.session_dir / "lab-app-data"),
            **app.jvm_properties,
        }
        argv = [
            java,
            "-Xshare:off",
            f"-XX:ErrorFile={context.session_dir / 'hs_err_pid%p.log'}",
            "-cp",
            ":".join(str(p) for p in app.classpath),
        ]
        jvm_props = [f"-D{k}={v}" for k, v in props.items()]
        argv += jvm_props + [LAUNCHER_CLASS, app.main_class]
        net = redirect_options(context.socks_port, context.proxy_port, self._dns.by_address())
        self._program_hooks = ProgramHooks(
            bundle, net, DEFAULT_BODY_CAP, app.unpin, self._side if app.side_channels else None
        )
        if self.redirects and context.connections is not None:
            self._tls = TlsStreams(
                context.session_id,
                context.writer,
                context.connections.find,
                lambda c: self._dns.location(c.host or c.ip) or c.ip,
            )
        if self.redirects:
            self._children = Children(
                self._frida.device,
                context.session_id,
                context.writer,
                self._instrument_child,
                lambda line: context.progress(tr("[lab] ", "[实验室] ") + line),
            )
        self._context, self._argv, self._env, self._bundle, self._net = context, argv, env, bundle, net
        if app.driven:
            from .lab_control import LabControl

            self._control = LabControl(self._screen_port, self.stop_app, self.launch_app)
            if app.phone_serial:
                from ..lab.screen_link import publish

                publish(app.phone_serial, self._control.port, app.package)
        return self._launch(first=True)

    def _launch(self, first: bool) -> str:
        """One process of the app: spawned under Frida, hooked, then told to go."""
        context, app, bundle, net = self._context, self.app, self._bundle, self._net
        output = self._output = AppOutput(context.session_id, context.writer)
        self._pid, frida_session = self._frida.spawn_attached(self._argv, output.on_output, self._env)
        runner = self._runner = HookRunner(
            frida_session, self._pid, context.session_id, context.writer, context.connections, self._tls
        )
        runner.on_signal = context.on_signal
        self._frida.resume(self._pid)
        context.progress(
            tr(
                f"[lab] lab app started (pid {self._pid}); waiting for its ready line",
                f"[实验室] 实验室应用已启动（pid {self._pid}）；等待其就绪行",
            )
        )
        deadline = time.monotonic() + app.ready_timeout_s
        while not output.ready.wait(0.05):
            if runner.detached.is_set():
                raise RunAborted("the lab app exited before its ready line" + output.tail())
            if time.monotonic() > deadline:
                raise RunAborted(
                    f"the lab app printed no ready line within {app.ready_timeout_s:.0f} s" + output.tail()
                )
        runner.load(bundle)
        # native read hooks before the Java ones: patching libc's open/read/close while
        # frida-java-bridge is replacing methods made HotSpot deadlock at a safepoint
        side = runner.side_channels(self._side) if app.side_channels else []
        catalogue = app.catalogue if app.catalogue is not None else load_catalogue(app.extra_hooks)
        results = runner.install(catalogue, app.package, app.stack_mode)
        if self.redirects:
            installed = runner.redirect(net)
            if first:
                context.progress(
                    tr("[lab] connections redirected to the proxy: ", "[实验室] 连接已重定向到代理：")
                    + ", ".join(f"{r['id']} {_on_off(r)}" for r in installed)
                )
        if first:
            context.progress(
                tr("[lab] side-channel reads watched: ", "[实验室] 已监视旁路读取：")
                + ", ".join(
                    f"{r['id'].removeprefix('side.')} {_on_off(r)}"
                    for r in side
                    if r["id"].startswith("side.")
                )
                if side
                else tr("[lab] side-channel reads not watched", "[实验室] 未监视旁路读取")
            )
        installed = sum(1 for r in results if r["state"] == "installed")
        if app.unpin:
            unpinned = runner.unpin()
            active = [r["id"] for r in unpinned if r["state"] == "installed"]
            context.progress(
                tr(
                    f"[lab] TLS unpinning: {len(active)}/{len(unpinned)} targets hooked "
                    f"({', '.join(active) or 'none present'})",
                    f"[实验室] 解除 TLS 证书固定：已挂钩 {len(active)}/{len(unpinned)} 个目标"
                    f"（{', '.join(active) or '均不存在'}）",
                )
            )
        if self.redirects:
            # The app's children get the agent before they run. Enabled once the Java hooks are in:
            # with gating on while frida-java-bridge replaces methods, HotSpot can deadlock at a
            # class definition's deoptimization handshake (frida/frida#1996); the app has run none
            # of its own code yet, so no child is missed.
            frida_session.enable_child_gating()
        clock = runner.sync_clock()
        runner.start_clock_thread()
        context.progress(
            tr(
                f"[lab] agent loaded: {installed}/{len(results)} hooks installed; "
                f"clock offset {clock.offset_us} µs ± {clock.error_us} µs",
                f"[实验室] 代理脚本已加载：已安装 {installed}/{len(results)} 个挂钩；"
                f"时钟偏差 {clock.offset_us} µs ± {clock.error_us} µs",
            )
        )
        if first and app.neighbour:
            self._start_neighbour(self._argv[: self._argv.index(LAUNCHER_CLASS)], context)
        self._frida.input(self._pid, b"go\n")
        return tr(f"[lab] app running (pid {self._pid})", f"[实验室] 应用运行中（pid {self._pid}）")

    # -- the app's screen across launches (run/lab_control.py) --------------------------------
    def _screen_port(self) -> int | None:
        output = self._output
        if not self.running() or output is None or not output.ui_ready.wait(5.0):
            return None
        return output.ui_port

    def stop_app(self) -> None:
        """`am force-stop`: the app's process is killed (its data stays); the run goes on."""
        with self._launch_lock:
            runner = self._runner
            if runner is None or runner.detached.is_set():
                return
            runner.flush()  # what the agent holds: a phone's force-stop would lose its last batch
            self._stopped = True
            self._frida.kill(self._pid)
            runner.detached.wait(10.0)
            self._context.progress(
                tr(f"[lab] app stopped (pid {self._pid})", f"[实验室] 应用已停止（pid {self._pid}）")
            )

    def launch_app(self) -> bool:
        """The launcher's tap when the app's process is gone: a new one starts under the agent (the
        same session, the app's data kept). False when the app runs: the tap is its screen's."""
        with self._launch_lock:
            if self.running():
                return False
            if self._runner is not None:
                self._runner.close(flush=False)
                self._earlier.append(self._runner)
            self._stopped = False
            try:
                self._context.progress(self._launch(first=False))
            except Exception as exc:  # noqa: BLE001 - the driver sees the app not running and says so
                self._context.progress(
                    tr(f"[lab] the app did not start again: {exc}", f"[实验室] 应用未能再次启动：{exc}")
                )
                return True
            self._output.ui_ready.wait(15.0)
            return True

    def _start_neighbour(self, java_argv: list[str], context: TargetContext) -> None:
        """Another app's process on the same phone and proxy, not under the agent (docs/lab.md)."""
        self._neighbour = subprocess.Popen(
            [*java_argv, self.app.neighbour],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        context.progress(
            tr(
                f"[lab] another app's process beside it on the proxy (pid {self._neighbour.pid})",
                f"[实验室] 同一代理上还有另一个应用的进程（pid {self._neighbour.pid}）",
            )
        )

    def _instrument_child(self, session, pid: int) -> HookRunner:
        """A new program the app started: the agent's native hooks (connect() redirect, TLS
        plaintext, side-channel reads) before it runs."""
        children = self._children.runners if self._children else []
        return instrument_program(
            session,
            pid,
            self._runner,
            self._program_hooks,
            lambda child: started_by(child, [*self._earlier, self._runner], children),
        )

    def screen(self, wait_s: float = 15.0):
        """The app's screen, for privmon to read and tap (monitor/drive/screens.py), across its
        launches (run/lab_control.py); the app opens it once it runs (after the go line), so this
        waits for its port line."""
        from ..drive.screens import LabScreen

        if self._control is None or self._output is None or not self._output.ui_ready.wait(wait_s):
            return None
        return LabScreen(self._control.port)

    def running(self) -> bool:
        if self._runner is None or self._runner.detached.is_set():
            return False
        # Past its exit line, a JVM stuck in System.exit under instrumentation is ended by close().
        seen = self._output.exit_seen_at
        return seen is None or time.monotonic() - seen <= EXIT_GRACE_S

    def counts(self) -> TargetCounts:
        if self._runner is None:
            return TargetCounts()
        current = [] if self._runner in self._earlier else [self._runner]  # mid-launch: counted once
        runners = [*self._earlier, *current, *(self._children.runners if self._children else [])]
        return TargetCounts(
            sum(r.counts.hook_events for r in runners),
            sum(r.counts.signals for r in runners),
            sum(r.counts.batches for r in runners),
            self._tls.flows if self._tls is not None else 0,
        )

    def close(self) -> Outcome | None:
        if self._control is not None:
            self._control.close()  # no launch after this one; one under way ends first (the lock)
        with self._launch_lock:
            return self._close()

    def _close(self) -> Outcome | None:
        output, runner = self._output, self._runner
        exited = output is not None and output.exit_seen_at is not None
        # before our own detach below; a process privmon stopped (force-stop) did not die
        self._died = runner is not None and runner.detached.is_set() and not self._stopped
        try:
            # The app is ended before the agent is detached, never after: detaching unhooks every
            # method, and HotSpot crashed (SIGSEGV in oopDesc::metadata_field) when a thread was
            # inside a hooked method at that moment (a run ended mid-app, e.g. by a lost phone).
            if runner is not None and not exited:
                runner.flush()  # the agent's last batch, while the app still runs
            self._frida.kill(self._pid)  # whatever state it is in: no lab app outlives its run
            if self._children is not None:
                self._children.close([*self._earlier, *([runner] if runner is not None else [])])
            if runner is not None:
                runner.close(flush=False)
            if self._tls is not None:
                self._tls.close()
        finally:
            if self.app.phone_serial:
                from ..lab.screen_link import withdraw

                withdraw(self.app.phone_serial)
            if self._neighbour is not None:
                self._neighbour.kill()
                self._neighbour.wait()
            self._frida.close()
            self._collector.__exit__(None, None, None)
        return self._outcome()

    def _outcome(self) -> Outcome | None:
        """The launcher's exit line decides: on a JVM an uncaught exception on another thread
        (recorded as app:crash) does not end the app as it would on Android."""
        output, runner = self._output, self._runner
        if output is None or runner is None:
            return None
        if output.exit_code not in (None, 0):
            detail = output.exit_detail or (runner.counts.crashes[0] if runner.counts.crashes else "")
            reason = f"the lab app crashed (exit {output.exit_code}): {detail}".rstrip(": ")
            return Outcome(ev.SESSION_INTERRUPTED, reason)
        if output.exit_code is None and self._died:
            return Outcome(
                ev.SESSION_INTERRUPTED,
                "the lab app died without its exit line (a crash of the JVM?)" + output.tail(),
            )
        return None


def _on_off(result: dict) -> str:
    return tr("on", "开") if result["state"] == "installed" else tr("off", "关")
