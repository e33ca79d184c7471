"""`privmon doctor`: what stands between this phone and a monitored first launch, each check
saying ok / problem / how to fix, and (with --fix) fixing it, journalled so that
`privmon doctor --restore` takes every change back."""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from ..language import tr
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
            "frida-server",
            "skipped",
            tr("needs root", "需要 root"),
            tr(
                "root the phone or use an emulator image with root",
                "为手机取得 root，或使用带 root 的模拟器镜像",
            ),
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
    lab = tr(" — the lab's simulated phone", " —— 实验室的模拟手机") if phone.is_lab else ""
    about = f"{model}, Android {release} (SDK {phone.sdk()}), {abi}{lab}"
    return Check("adb", "ok", tr(f"authorized: {about}", f"已授权：{about}"))


def _leftovers(phone: Phone, journal: Journal, progress) -> Check:
    """What a killed run left on the phone is taken back first (the phone is back)."""
    orphans = journal.orphaned()
    if not orphans:
        return Check(
            "leftovers", "ok", tr("no changes left behind by an earlier run", "没有之前运行遗留的改动")
        )
    left = journal.restore(phone, progress, only=orphans)
    if left:
        return Check(
            "leftovers",
            "problem",
            tr(
                f"an earlier run's changes could not all be taken back: {'; '.join(left)}",
                f"之前运行的改动未能全部撤销：{'; '.join(left)}",
            ),
            "privmon doctor --restore",
        )
    return Check(
        "leftovers",
        "ok",
        tr(
            f"restored {len(orphans)} change(s) an earlier run left behind",
            f"已恢复之前运行遗留的 {len(orphans)} 项改动",
        ),
        fixed=True,
    )


def _root(phone: Phone, opts: DoctorOptions, progress) -> Check:
    if phone.root_form is not None:
        form = phone.root_form.format(cmd="…")
        return Check("root", "ok", tr(f"root through `{form}`", f"通过 `{form}` 取得 root"))
    fix = tr(
        "userdebug builds and emulators: `adb root`; phones: Magisk or KernelSU (docs/devices.md)",
        "userdebug 版本和模拟器：`adb root`；手机：Magisk 或 KernelSU（docs/devices.md）",
    )
    if opts.fix and phone.prop("ro.debuggable") == "1":
        answer = phone.device.root()
        progress(f"adb root: {answer.strip()}")
        time.sleep(1.0)
        phone.__dict__.pop("root_form", None)
        if phone.root_form is not None:
            return Check("root", "ok", tr("adbd restarted as root", "adbd 已以 root 身份重启"), fixed=True)
    return Check(
        "root",
        "problem",
        tr(
            "no root: frida-server cannot run, the CA cannot go into the system store",
            "没有 root：frida-server 无法运行，CA 证书无法放入系统证书库",
        ),
        fix,
    )


def _selinux(phone: Phone, opts: DoctorOptions, journal: Journal) -> Check:
    mode = phone.shell("getenforce").strip() or "unknown"
    if opts.permissive and opts.fix and mode == "Enforcing" and phone.root_form:
        with journal.change("SELinux set to Permissive (was Enforcing)", {"op": "selinux", "previous": mode}):
            phone.root("setenforce 0")
        return Check(
            "selinux", "ok", tr("Permissive (was Enforcing)", "Permissive（原为 Enforcing）"), fixed=True
        )
    return Check(
        "selinux",
        "info" if mode == "Enforcing" else "ok",
        mode,
        tr(
            "frida 16+ works under Enforcing; if hooks fail to load, try `--fix --permissive`",
            "frida 16 及以上可在 Enforcing 下工作；如挂钩加载失败，试试 `--fix --permissive`",
        )
        if mode == "Enforcing"
        else None,
    )


def _frida(phone: Phone, opts: DoctorOptions, journal: Journal, progress) -> Check:
    want = frida_server.host_version()
    abi = phone.prop("ro.product.cpu.abi")
    found = frida_server.state(phone, opts.frida_name)
    problem = None
    if not found.present:
        problem = tr(f"{found.path} is missing", f"{found.path} 不存在")
    elif found.version is None:
        problem = tr(
            f"{found.path} does not run ({found.detail}): wrong architecture?",
            f"{found.path} 无法运行（{found.detail}）：架构不对？",
        )
    elif found.version != want:
        problem = tr(
            f"{found.path} is {found.version}, the host's frida is {want}",
            f"{found.path} 的版本是 {found.version}，本机的 frida 是 {want}",
        )
    if problem is None and found.running:
        return Check(
            "frida-server",
            "ok",
            tr(f"{found.version} running ({found.path})", f"{found.version} 运行中（{found.path}）"),
        )
    if problem is None:
        problem = tr(f"{found.version} present but not running", f"{found.version} 已存在但未运行")
    fix = tr(
        f"--fix pushes frida-server {want} for {abi} (from --frida-server FILE, the cache, or --download) "
        "and starts it",
        f"--fix 会推送适用于 {abi} 的 frida-server {want}（来自 --frida-server FILE、缓存或 --download）"
        "并启动它",
    )
    if not opts.fix:
        return Check("frida-server", "problem", problem, fix)
    if not (found.present and found.version == want):
        data = frida_server.load_binary(opts.frida_server, opts.cache_dir, abi, want, opts.download)
        if found.running:
            phone.root(f"kill {' '.join(phone.shell(f'pidof {opts.frida_name}').split())}")
        frida_server.install(phone, data, opts.frida_name)
        progress(
            tr(f"pushed frida-server {want} to {found.path}", f"已将 frida-server {want} 推送到 {found.path}")
        )
    frida_server.start(phone, journal, opts.frida_name, opts.frida_port)
    time.sleep(0.5)
    after = frida_server.state(phone, opts.frida_name)
    if after.running and after.version == want:
        return Check(
            "frida-server",
            "ok",
            tr(f"{after.version} running ({after.path})", f"{after.version} 运行中（{after.path}）"),
            fixed=True,
        )
    return Check(
        "frida-server",
        "problem",
        tr(
            f"{problem}; after the fix: {after.detail or 'not running'}",
            f"{problem}；修复后：{after.detail or '未运行'}",
        ),
        fix,
    )


def _usap(phone: Phone, opts: DoctorOptions, journal: Journal) -> Check:
    value = phone.prop(USAP_PROP)
    if value != "true":
        return Check(
            "usap pool",
            "ok",
            tr(
                "off (apps fork from the zygote, spawn gating sees them)",
                "关闭（应用从 zygote 派生，spawn gating 能看到它们）",
            ),
        )
    fix = tr(
        f"--fix sets {USAP_PROP} to false (journalled)", f"--fix 会把 {USAP_PROP} 设为 false（记入日志）"
    )
    if opts.fix and phone.root_form:
        with journal.change(
            f"{USAP_PROP} set to false (was true)", {"op": "setprop", "key": USAP_PROP, "previous": value}
        ):
            phone.root(f"setprop {USAP_PROP} false")
        return Check("usap pool", "ok", tr("turned off", "已关闭"), fixed=True)
    return Check(
        "usap pool",
        "problem",
        tr(
            "on: apps start from pre-forked processes that spawn gating can miss",
            "开启：应用从预先派生的进程启动，spawn gating 可能漏掉它们",
        ),
        fix,
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
            "proxy CA",
            "ok",
            tr(f"{name} in the system store", f"{name} 在系统证书库中")
            + (tr(" and the APEX view", "及 APEX 视图中") if where["apex"] else ""),
        )
    detail = tr(f"{name} is not in the system store", f"{name} 不在系统证书库中") + (
        tr(
            " (only in the user store, which apps ignore since Android 7)",
            "（只在用户证书库中，Android 7 起应用不信任它）",
        )
        if where["user"]
        else ""
    )
    if sdk >= 34 and where["system"]:
        detail = tr(
            f"{name} is in {ca.SYSTEM_DIR} but not in the zygotes' view of {ca.APEX_DIR} (Android 14+)",
            f"{name} 在 {ca.SYSTEM_DIR} 中，但不在 zygote 看到的 {ca.APEX_DIR} 中（Android 14+）",
        )
    fix = tr(
        "--fix mounts a tmpfs copy of the system store with the CA added (and on Android 14+ binds it over "
        "the APEX folder)",
        "--fix 会挂载加入了该 CA 的系统证书库 tmpfs 副本（Android 14+ 上还会绑定覆盖 APEX 目录）",
    )
    if not opts.fix or phone.root_form is None:
        return Check(
            "proxy CA",
            "problem",
            detail,
            fix if phone.root_form else tr("needs root (docs/devices.md)", "需要 root（docs/devices.md）"),
        )
    ca.install_system_ca(phone, journal, pem, name, progress)
    where = ca.trust_state(phone, name)
    ok = where["system"] and where["apex"] is not False
    return Check(
        "proxy CA",
        "ok" if ok else "problem",
        tr(f"{name} installed", f"{name} 已安装")
        if ok
        else tr(f"{detail}; the fix did not take", f"{detail}；修复未生效"),
        None if ok else fix,
        fixed=ok,
    )


def _proxy_setting(phone: Phone) -> Check:
    value = current_proxy(phone)
    if value is None:
        return Check(
            "proxy setting",
            "ok",
            tr(
                "no global proxy set (privmon sets it for a run and takes it back)",
                "未设置全局代理（privmon 在运行时设置并在结束后恢复）",
            ),
        )
    return Check(
        "proxy setting",
        "warning",
        tr(
            f"a global proxy is set: {value} — left by another tool? Without it running, apps have no "
            "network",
            f"已设置全局代理：{value}——是其他工具遗留的吗？该代理不运行时，应用无法联网",
        ),
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
    paths = [tr("proxy setting (default)", "代理设置（默认）")]
    if agent_ready:
        paths.append(
            tr(
                "redirected + raw with --redirect (the agent replaces connect(); QUIC refused)",
                "--redirect 时的重定向与原始连接（代理脚本替换 connect()；拒绝 QUIC）",
            )
        )
        paths.append(
            tr(
                "tls-plaintext with --redirect, for the TLS libraries the app ships, in its processes and "
                "the programs they start (the platform's Conscrypt is intercepted at the proxy)",
                "--redirect 时读取 TLS 明文：应用自带的 TLS 库，在其进程及其启动的程序中"
                "（系统的 Conscrypt 由代理拦截）",
            )
        )
        paths.append(
            tr("native unpinning with --unpin", "--unpin 时的原生证书固定解除")
            + (
                tr(f" (platform: {', '.join(found)})", f"（系统库：{', '.join(found)}）")
                if found
                else tr(" (no platform libssl.so: the app's own)", "（无系统 libssl.so：仅应用自带的）")
            )
        )
        detail = "; ".join(paths) + tr(
            ". Not covered: statically linked TLS without symbols (Flutter)",
            "。未覆盖：无符号的静态链接 TLS（Flutter）",
        )
        return Check("capture paths", "info", detail)
    return Check(
        "capture paths",
        "info",
        tr(
            "only the proxy setting: --redirect and TLS plaintext need the agent, and frida-server is not "
            "ready",
            "仅代理设置：--redirect 和 TLS 明文需要代理脚本，而 frida-server 尚未就绪",
        ),
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
        return Check("route probe", "problem", tr(f"the proxy did not start: {exc}", f"代理未能启动：{exc}"))
    try:
        set_route(phone, journal, port)
        url = f"https://{PROBE_HOST}/privmon-probe/{token}"
        progress(
            tr(
                f"probe: the phone opens {url} through 127.0.0.1:{port}",
                f"探测：手机经 127.0.0.1:{port} 打开 {url}",
            )
        )
        phone.shell(f"am start -a android.intent.action.VIEW -d {url}")
        probe.seen.wait(PROBE_WAIT_S)
    finally:
        journal.restore(phone, mine=True)
        try:
            proxy.stop()
        except ProxyError:
            pass
    if probe.decrypted:
        return Check(
            "route probe",
            "ok",
            tr(
                "the phone's HTTPS request reached the proxy and was decrypted",
                "手机的 HTTPS 请求已到达代理并被解密",
            ),
        )
    if probe.tls_refused:
        return Check(
            "route probe",
            "problem",
            tr(
                f"the phone refused the proxy's certificate ({probe.tls_refused[0]})",
                f"手机拒绝了代理的证书（{probe.tls_refused[0]}）",
            ),
            tr("install the CA: `privmon doctor --fix`", "安装 CA 证书：`privmon doctor --fix`"),
        )
    return Check(
        "route probe",
        "problem",
        tr(
            f"nothing reached the proxy within {PROBE_WAIT_S:.0f} s",
            f"{PROBE_WAIT_S:.0f} 秒内没有请求到达代理",
        ),
        tr(
            "check that a browser is installed and the phone is unlocked; `adb reverse --list`",
            "检查手机是否装有浏览器且已解锁；`adb reverse --list`",
        ),
    )


def restore(phone: Phone, home: Path, progress=lambda _m: None) -> list[str]:
    journal = Journal(home, phone.serial)
    if not journal.entries():
        progress(tr("nothing to restore: the journal for this phone is empty", "无需恢复：此手机的日志为空"))
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
