"""`privmon run <package>`: a monitored first launch on a phone.

Order: restore what an earlier, killed run left on this phone; install the APK when given;
record the app's metadata and the phone's identifiers (they join the session's watchlist);
clear the app's data (a fresh first launch); start the proxy and point the phone at it
(journalled); spawn the app under Frida with spawn and child gating; screenshots at consent
events and on [s]; live counts; the run ends when the app exits, on [q] or Ctrl-C, at the
timeout, or when the phone goes away; the phone is restored in every case (a SIGKILL leaves
the journal for `privmon doctor --restore`).

The lab's simulated phone answers every adb step; its app process is the lab app of that
package, run as a JVM on this machine (labelled [LAB]).
"""

from __future__ import annotations

import os
import shlex
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import events as ev
from ..app_profile import AppProfile
from ..config import Settings
from ..device_profile import IDENTIFIER_CATEGORY, DeviceProfile
from ..timeutil import now_us
from .adb import DeviceLost, Phone
from .devices import DeviceError
from .facts import app_metadata, read_build, read_identifiers
from .journal import Journal
from .route import set_route
from .screenshots import Screenshots

WATCH_INTERVAL_S = 3.0
INSTALL_PATH = "/data/local/tmp/privmon-install.apk"


@dataclass
class DeviceRunOptions:
    package: str
    scenario: str = "agree"
    apk: Path | None = None
    clear: bool = True
    timeout_s: float = 1800.0
    interactive: bool = True
    frida_host: str | None = None
    frida_port: int | None = None  # frida-server on a non-default phone port: reached by adb forward
    unpin: bool = False
    extra_hooks: Path | None = None
    app_profile: AppProfile | None = None
    profile: DeviceProfile | None = None  # more values to watch (a captured device profile)
    lab_props: dict[str, str] = field(default_factory=dict)


@dataclass
class DeviceRunResult:
    session_id: str
    status: str
    reason: str | None
    not_restored: list[str]
    screenshots: int = 0
    lab: bool = False


class ConnectionWatch:
    """Polls the phone; `lost()` gives the reason once it stops answering."""

    def __init__(self, phone: Phone) -> None:
        self.phone = phone
        self.reason: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="privmon-device-watch", daemon=True)

    def __enter__(self) -> "ConnectionWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(WATCH_INTERVAL_S):
            if not self.phone.alive():
                self.reason = f"the connection to {self.phone.serial} was lost (USB cable? `adb devices`)"
                return

    def lost(self) -> str | None:
        return self.reason


def identifier_watch(ids: dict[str, str]) -> list[dict]:
    return [{"value": v, "pi_category": IDENTIFIER_CATEGORY.get(k, "device_id"), "pi_type": k} for k, v in ids.items()]


def install_apk(phone: Phone, apk: Path, progress) -> None:
    try:
        data = apk.read_bytes()
    except OSError as exc:
        raise DeviceError(f"--apk {apk}: {exc.strerror or exc}") from exc
    if not data.startswith(b"PK"):
        raise DeviceError(f"--apk {apk}: not an APK (no zip header)")
    phone.push(data, INSTALL_PATH)
    try:
        answer = phone.shell(f"pm install -r {INSTALL_PATH}", timeout=300)
    finally:
        phone.shell(f"rm -f {INSTALL_PATH}")
    if "Success" not in answer:
        raise DeviceError(f"installing {apk.name} failed: {answer.strip()[:300]}")
    progress(f"installed {apk.name}")


def restore_orphans(phone: Phone, journal: Journal, progress) -> None:
    busy = journal.busy()
    if busy:
        raise DeviceError(f"another privmon run (pid {', '.join(map(str, busy))}) is using {phone.serial}: "
                          "one run per phone (they would fight over its proxy setting)")
    orphans = journal.orphaned()
    if not orphans:
        return
    progress(f"an earlier run on {phone.serial} did not finish: restoring its {len(orphans)} change(s) first")
    left = journal.restore(phone, progress, only=orphans)
    if left:
        raise DeviceError(f"could not restore what an earlier run changed ({'; '.join(left)}): "
                          f"`privmon doctor {phone.serial} --restore`")


def run_on_device(settings: Settings, writer, phone: Phone, opts: DeviceRunOptions,
                  progress: Callable[[str], None] = lambda _m: None) -> DeviceRunResult:
    journal = Journal(settings.home, phone.serial, owner=f"run:{os.getpid()}")
    restore_orphans(phone, journal, progress)
    lab = phone.is_lab
    if opts.apk is not None:
        install_apk(phone, opts.apk, progress)
    meta_app = app_metadata(phone, opts.package)
    ids = read_identifiers(phone)
    build = read_build(phone)
    progress(f"{opts.package} {meta_app['version_name'] or '?'} ({meta_app['version_code']}) on {phone.serial}; "
             f"identifiers read: {', '.join(sorted(ids)) or 'none'}")
    if opts.clear:
        phone.shell(f"am force-stop {shlex.quote(opts.package)}")
        cleared = phone.shell(f"pm clear {shlex.quote(opts.package)}")
        if "Success" not in cleared:
            raise DeviceError(f"clearing {opts.package}'s data failed: {cleared.strip()[:200]}")
        progress("app data cleared: this is a first launch")
    session_id = ev.new_session_id()
    extra_meta = {"device": {"serial": phone.serial, "build": build, "identifiers_read": sorted(ids), "lab": lab},
                  "app_metadata": meta_app, "fresh_install": bool(opts.clear)}
    watch = identifier_watch({**ids, **({"build_fingerprint": build["fingerprint"]} if build.get("fingerprint") else {})})
    session_dir = settings.home / "sessions" / session_id
    result: DeviceRunResult | None = None
    try:
        with ConnectionWatch(phone) as watchdog, \
                Screenshots(phone, session_dir / "screenshots", writer, session_id, progress) as shots:
            route = lambda port: (set_route(phone, journal, port),  # noqa: E731
                                  progress(f"phone routed to the proxy: http_proxy 127.0.0.1:{port} + adb reverse"))
            if lab:
                status, reason = _run_lab_app(settings, writer, opts, session_id, extra_meta, watch, route, shots,
                                              watchdog, progress)
            else:
                status, reason = _run_frida_app(settings, writer, phone, opts, session_id, extra_meta, watch, route,
                                                shots, watchdog, progress)
            screenshots = shots.taken
        result = DeviceRunResult(session_id, status, reason, [], screenshots, lab)
    finally:
        try:
            left = journal.restore(phone, progress, mine=True)
        except DeviceError as exc:
            left = [str(exc)]
        if left:
            progress(f"the phone is not fully restored yet ({'; '.join(left)}): when it is back, "
                     f"`privmon doctor {phone.serial} --restore` (or the next run) takes the rest back")
        if result is not None:
            result.not_restored = left
    return result


def _run_lab_app(settings, writer, opts: DeviceRunOptions, session_id, extra_meta, watch, route, shots, watchdog,
                 progress) -> tuple[str, str | None]:
    from ..device_profile import load_profile
    from ..lab.build import build_app, build_plugin, lab_app_for_package
    from ..lab.runner import LabRunOptions, run_lab

    name, main_class = lab_app_for_package(opts.package)
    standins, classes = build_app(settings.cache_dir, name)
    props = {"privmon.lab.consentDelayMs": "2000", **{f"privmon.lab.{k}": v for k, v in opts.lab_props.items()}}
    plugin = build_plugin(settings.cache_dir, name)
    if plugin is not None:
        props["privmon.lab.pluginDir"] = str(plugin)
    progress("[LAB] the simulated phone's app process is the lab app "
             f"{name!r}, a JVM on this machine — not a real phone")
    result = run_lab(settings, writer, LabRunOptions(
        classpath=[standins, classes], main_class=main_class, app_package=opts.package,
        profile=opts.profile or load_profile("lab"), scenario=opts.scenario, timeout_s=opts.timeout_s,
        interactive=opts.interactive, jvm_properties=props, extra_hooks=opts.extra_hooks, unpin=opts.unpin,
        app_profile=opts.app_profile, session_id=session_id, target="lab", extra_meta=extra_meta,
        extra_watch=watch, on_proxy_ready=route, on_consent=shots.on_consent,
        extra_keys={"s": ("screenshot", lambda: shots.request("key"))}, abort=watchdog.lost, live_findings=True,
    ), progress=progress)
    return result.status, result.reason


def _run_frida_app(settings, writer, phone: Phone, opts: DeviceRunOptions, session_id, extra_meta, watch, route,
                   shots, watchdog, progress) -> tuple[str, str | None]:
    from addons.privmon_capture import PrivmonCapture

    from .. import __version__
    from ..app_profile import vocabulary_for
    from ..capture.agent import build_agent
    from ..capture.android import FRIDA_ERRORS, AndroidApp, AndroidTarget, frida_device, host_frida_version
    from ..capture.catalogue import load_catalogue
    from ..capture.hook_runner import AttachError
    from ..capture.keys import KeyReader, TesterKeys
    from ..capture.progress import LiveCounts, LiveFindings
    from ..capture.proxy import ProxyError, ProxyHost, mitmproxy_version

    app_profile = opts.app_profile or AppProfile(opts.package)
    profile_watch = opts.profile.watch_values() if opts.profile else []
    writer.submit(ev.SessionStarted(id=session_id, app=opts.package, target="device", started_at=now_us(), meta={
        **extra_meta, "lab": False, "scenario": opts.scenario, "app_profile": app_profile.to_meta(),
        "device_profile": opts.profile.name if opts.profile else None, "watch": profile_watch + watch,
        "device_build": extra_meta["device"]["build"],
        "versions": {"privmon": __version__, "frida": host_frida_version(), "mitmproxy": mitmproxy_version()}}))
    status, reason = ev.SESSION_INTERRUPTED, "the run did not finish"
    capture = PrivmonCapture(writer=writer, session_id=session_id)
    capture.set_watch_values(profile_watch + watch)
    proxy = ProxyHost(settings.mitmproxy_confdir, [capture])
    app: AndroidApp | None = None
    forwarded: int | None = None

    keys = TesterKeys(session_id, writer, progress, shots.on_consent,
                      {"s": ("screenshot", lambda: shots.request("key"))})

    try:
        port = proxy.start()
        try:
            route(port)
            frida_host = opts.frida_host
            if opts.frida_port:
                phone.forward(opts.frida_port)
                forwarded = opts.frida_port
                frida_host = f"127.0.0.1:{opts.frida_port}"
            device = frida_device(phone.serial, frida_host)
            target = AndroidTarget(opts.package, build_agent(settings.cache_dir), load_catalogue(opts.extra_hooks),
                                   vocabulary_for(app_profile), opts.unpin, shots.on_consent)
            app = AndroidApp(device, target, session_id, writer, progress)
            pid = app.start()
            progress(f"{opts.package} started (pid {pid})" + (keys.help if opts.interactive else ""))
            deadline = time.monotonic() + opts.timeout_s
            with KeyReader(keys) if opts.interactive else nullcontext(), \
                    LiveFindings(settings.db_path, session_id) as found:
                live = LiveCounts(progress, findings=found)
                try:
                    while True:
                        time.sleep(0.2)
                        hooks, consents = app.counts()
                        live.update(hooks, capture.stored, consents, capture.live_matches)
                        if keys.stop.is_set():
                            status, reason = ev.SESSION_COMPLETED, "stopped by the tester"
                            break
                        if watchdog.lost():
                            status, reason = ev.SESSION_INTERRUPTED, watchdog.lost()
                            break
                        if not app.running():
                            status, reason = ev.SESSION_COMPLETED, "the app exited"
                            break
                        if time.monotonic() > deadline:
                            status, reason = ev.SESSION_COMPLETED, f"ended at the timeout ({opts.timeout_s:.0f} s)"
                            break
                except KeyboardInterrupt:
                    status, reason = ev.SESSION_COMPLETED, "stopped by the tester (Ctrl-C)"
        finally:
            if app is not None:
                app.close()
            if forwarded:
                phone.forward_remove(forwarded)
            time.sleep(0.2)
            proxy.stop()
    except (AttachError, ProxyError, DeviceLost) as exc:
        status, reason = ev.SESSION_INTERRUPTED, str(exc)
    except FRIDA_ERRORS as exc:
        status, reason = ev.SESSION_INTERRUPTED, f"Frida lost the app or its server: {exc}"
    except KeyboardInterrupt:
        status, reason = ev.SESSION_INTERRUPTED, "interrupted during set-up (Ctrl-C)"
    finally:
        writer.submit(ev.SessionEnded(session_id, now_us(), status, reason))
        writer.flush()
    return status, reason
