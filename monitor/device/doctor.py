"""`privmon doctor`: what stands between this phone and a monitored first launch, each check
saying ok / problem / how to fix, and (with --fix) fixing it, journalled so that
`privmon doctor --restore` takes every change back."""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from . import ca, frida_server
from .adb import Phone
from .devices import DeviceError
from .journal import Journal
from .route import current_proxy, set_route

USAP_PROP = "persist.device_config.runtime_native.usap_pool_enabled"
PROBE_WAIT_S = 15.0


@dataclass
class Check:
    name: str
    status: str  # ok | problem | warning | info | skipped
    detail: str
    fix: str | None = None  # what to do (or what --fix does)
    fixed: bool = False

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class DoctorOptions:
    fix: bool = False
    frida_server: Path | None = None
    download: bool = False
    frida_name: str = "frida-server"
    frida_port: int | None = None
    probe: bool = True
    permissive: bool = False
    confdir: Path | None = None
    cache_dir: Path | None = None
    home: Path | None = None
    checks: list[Check] = field(default_factory=list)


def run_doctor(
    phone: Phone, opts: DoctorOptions, progress: Callable[[str], None] = lambda _m: None
) -> list[Check]:
    journal = Journal(opts.home, phone.serial, owner="doctor")
    checks = [
        _adb(phone),
        _leftovers(phone, journal, progress),
        _root(phone, opts, progress),
        _selinux(phone, opts, journal),
    ]
    rooted = phone.root_form is not None
    frida = (
        _frida(phone, opts, journal, progress)
        if rooted
        else Check(
            "frida-server", "skipped", "needs root", "root the phone or use an emulator image with root"
        )
    )
    checks.append(frida)
    checks.append(_usap(phone, opts, journal))
    checks.append(_ca(phone, opts, journal, progress))
    checks.append(_proxy_setting(phone))
    checks.append(_capture_paths(phone, frida.status == "ok"))
    if opts.probe:
        checks.append(_probe(phone, opts, progress))
    return checks


def _adb(phone: Phone) -> Check:
    model, release = phone.prop("ro.product.model"), phone.prop("ro.build.version.release")
    abi = phone.prop("ro.product.cpu.abi")
    lab = " — the lab's simulated phone" if phone.is_lab else ""
    return Check("adb", "ok", f"authorized: {model}, Android {release} (SDK {phone.sdk()}), {abi}{lab}")


def _leftovers(phone: Phone, journal: Journal, progress) -> Check:
    """What a killed run left on the phone is taken back first (the phone is back)."""
    orphans = journal.orphaned()
    if not orphans:
        return Check("leftovers", "ok", "no changes left behind by an earlier run")
    left = journal.restore(phone, progress, only=orphans)
    if left:
        return Check(
            "leftovers",
            "problem",
            f"an earlier run's changes could not all be taken back: {'; '.join(left)}",
            "privmon doctor --restore",
        )
    return Check(
        "leftovers", "ok", f"restored {len(orphans)} change(s) an earlier run left behind", fixed=True
    )


def _root(phone: Phone, opts: DoctorOptions, progress) -> Check:
    if phone.root_form is not None:
        return Check("root", "ok", f"root through `{phone.root_form.format(cmd='…')}`")
    fix = "userdebug builds and emulators: `adb root`; phones: Magisk or KernelSU (docs/devices.md)"
    if opts.fix and phone.prop("ro.debuggable") == "1":
        answer = phone.device.root()
        progress(f"adb root: {answer.strip()}")
        time.sleep(1.0)
        phone.__dict__.pop("root_form", None)
        if phone.root_form is not None:
            return Check("root", "ok", "adbd restarted as root", fixed=True)
    return Check(
        "root", "problem", "no root: frida-server cannot run, the CA cannot go into the system store", fix
    )


def _selinux(phone: Phone, opts: DoctorOptions, journal: Journal) -> Check:
    mode = phone.shell("getenforce").strip() or "unknown"
    if opts.permissive and opts.fix and mode == "Enforcing" and phone.root_form:
        with journal.change("SELinux set to Permissive (was Enforcing)", {"op": "selinux", "previous": mode}):
            phone.root("setenforce 0")
        return Check("selinux", "ok", "Permissive (was Enforcing)", fixed=True)
    return Check(
        "selinux",
        "info" if mode == "Enforcing" else "ok",
        mode,
        "frida 16+ works under Enforcing; if hooks fail to load, try `--fix --permissive`"
        if mode == "Enforcing"
        else None,
    )


def _frida(phone: Phone, opts: DoctorOptions, journal: Journal, progress) -> Check:
    want = frida_server.host_version()
    abi = phone.prop("ro.product.cpu.abi")
    found = frida_server.state(phone, opts.frida_name)
    problem = None
    if not found.present:
        problem = f"{found.path} is missing"
    elif found.version is None:
        problem = f"{found.path} does not run ({found.detail}): wrong architecture?"
    elif found.version != want:
        problem = f"{found.path} is {found.version}, the host's frida is {want}"
    if problem is None and found.running:
        return Check("frida-server", "ok", f"{found.version} running ({found.path})")
    if problem is None:
        problem = f"{found.version} present but not running"
    fix = (
        f"--fix pushes frida-server {want} for {abi} (from --frida-server FILE, the cache, or --download) "
        "and "
        "starts it"
    )
    if not opts.fix:
        return Check("frida-server", "problem", problem, fix)
    if not (found.present and found.version == want):
        data = frida_server.load_binary(opts.frida_server, opts.cache_dir, abi, want, opts.download)
        if found.running:
            phone.root(f"kill {' '.join(phone.shell(f'pidof {opts.frida_name}').split())}")
        frida_server.install(phone, data, opts.frida_name)
        progress(f"pushed frida-server {want} to {found.path}")
    frida_server.start(phone, journal, opts.frida_name, opts.frida_port)
    time.sleep(0.5)
    after = frida_server.state(phone, opts.frida_name)
    if after.running and after.version == want:
        return Check("frida-server", "ok", f"{after.version} running ({after.path})", fixed=True)
    return Check("frida-server", "problem", f"{problem}; after the fix: {after.detail or 'not running'}", fix)


def _usap(phone: Phone, opts: DoctorOptions, journal: Journal) -> Check:
    value = phone.prop(USAP_PROP)
    if value != "true":
        return Check("usap pool", "ok", "off (apps fork from the zygote, spawn gating sees them)")
    fix = f"--fix sets {USAP_PROP} to false (journalled)"
    if opts.fix and phone.root_form:
        with journal.change(
            f"{USAP_PROP} set to false (was true)", {"op": "setprop", "key": USAP_PROP, "previous": value}
        ):
            phone.root(f"setprop {USAP_PROP} false")
        return Check("usap pool", "ok", "turned off", fixed=True)
    return Check(
        "usap pool", "problem", "on: apps start from pre-forked processes that spawn gating can miss", fix
    )


def _ca(phone: Phone, opts: DoctorOptions, journal: Journal, progress) -> Check:
    from ..capture.proxy import ensure_ca

    pem = ensure_ca(opts.confdir)
    name = ca.android_name(pem)
    where = ca.trust_state(phone, name)
    sdk = phone.sdk()
    trusted = where["system"] and (where["apex"] is not False)
    if trusted:
        return Check(
            "proxy CA", "ok", f"{name} in the system store" + (" and the APEX view" if where["apex"] else "")
        )
    detail = f"{name} is not in the system store" + (
        " (only in the user store, which apps ignore since Android 7)" if where["user"] else ""
    )
    if sdk >= 34 and where["system"]:
        detail = f"{name} is in {ca.SYSTEM_DIR} but not in the zygotes' view of {ca.APEX_DIR} (Android 14+)"
    fix = (
        "--fix mounts a tmpfs copy of the system store with the CA added (and on Android 14+ binds it over "
        "the APEX folder)"
    )
    if not opts.fix or phone.root_form is None:
        return Check(
            "proxy CA", "problem", detail, fix if phone.root_form else "needs root (docs/devices.md)"
        )
    ca.install_system_ca(phone, journal, pem, name, progress)
    where = ca.trust_state(phone, name)
    ok = where["system"] and where["apex"] is not False
    return Check(
        "proxy CA",
        "ok" if ok else "problem",
        f"{name} installed" if ok else f"{detail}; the fix did not take",
        None if ok else fix,
        fixed=ok,
    )


def _proxy_setting(phone: Phone) -> Check:
    value = current_proxy(phone)
    if value is None:
        return Check(
            "proxy setting", "ok", "no global proxy set (privmon sets it for a run and takes it back)"
        )
    return Check(
        "proxy setting",
        "warning",
        f"a global proxy is set: {value} — left by another tool? Without it running, apps have no network",
        "adb shell settings put global http_proxy :0",
    )


# Where Android keeps the platform's TLS library (Conscrypt's BoringSSL): with --unpin its
# certificate checks are replaced natively too (docs/traffic.md "Native unpinning").
TLS_LIBRARIES = (
    "/apex/com.android.conscrypt/lib64/libssl.so",
    "/system/lib64/libssl.so",
    "/apex/com.android.conscrypt/lib/libssl.so",
    "/system/lib/libssl.so",
)


def _capture_paths(phone: Phone, agent_ready: bool) -> Check:
    """Which capture paths (docs/traffic.md) this phone supports for `privmon run`."""
    found = [p for p in TLS_LIBRARIES if "No such file" not in phone.shell(f"ls {p}")]
    paths = ["proxy setting (default)"]
    if agent_ready:
        paths.append("redirected + raw with --redirect (the agent replaces connect(); QUIC refused)")
        paths.append(
            "tls-plaintext with --redirect, for the TLS libraries the app ships, in its processes and "
            "the programs they start (the platform's Conscrypt is intercepted at the proxy)"
        )
        paths.append(
            "native unpinning with --unpin"
            + (f" (platform: {', '.join(found)})" if found else " (no platform libssl.so: the app's own)")
        )
        detail = "; ".join(paths) + ". Not covered: statically linked TLS without symbols (Flutter)"
        return Check("capture paths", "info", detail)
    return Check(
        "capture paths",
        "info",
        "only the proxy setting: --redirect and TLS plaintext need the agent, and frida-server is not ready",
    )


def _probe(phone: Phone, opts: DoctorOptions, progress) -> Check:
    from addons.probe import PROBE_HOST, RouteProbe

    from ..capture.proxy import ProxyError, ProxyHost

    token = secrets.token_hex(8)
    probe = RouteProbe(token)
    proxy = ProxyHost(opts.confdir, [probe])
    journal = Journal(opts.home, phone.serial, owner="probe")
    try:
        port = proxy.start()
    except ProxyError as exc:
        return Check("route probe", "problem", f"the proxy did not start: {exc}")
    try:
        set_route(phone, journal, port)
        url = f"https://{PROBE_HOST}/privmon-probe/{token}"
        progress(f"probe: the phone opens {url} through 127.0.0.1:{port}")
        phone.shell(f"am start -a android.intent.action.VIEW -d {url}")
        probe.seen.wait(PROBE_WAIT_S)
    finally:
        journal.restore(phone, mine=True)
        try:
            proxy.stop()
        except ProxyError:
            pass
    if probe.decrypted:
        return Check("route probe", "ok", "the phone's HTTPS request reached the proxy and was decrypted")
    if probe.tls_refused:
        return Check(
            "route probe",
            "problem",
            f"the phone refused the proxy's certificate ({probe.tls_refused[0]})",
            "install the CA: `privmon doctor --fix`",
        )
    return Check(
        "route probe",
        "problem",
        f"nothing reached the proxy within {PROBE_WAIT_S:.0f} s",
        "check that a browser is installed and the phone is unlocked; `adb reverse --list`",
    )


def restore(phone: Phone, home: Path, progress=lambda _m: None) -> list[str]:
    journal = Journal(home, phone.serial)
    if not journal.entries():
        progress("nothing to restore: the journal for this phone is empty")
        return []
    busy = set(journal.busy())
    if busy:
        progress(
            f"left alone: the changes of a privmon run still going (pid "
            f"{', '.join(map(str, sorted(busy)))}); "
            "it takes them back when it ends"
        )
    return journal.restore(
        phone,
        progress,
        only=[
            e
            for e in journal.entries()
            if e.get("pid") not in busy or not e.get("owner", "").startswith("run")
        ],
    )


__all__ = ["Check", "DoctorOptions", "DeviceError", "run_doctor", "restore"]
