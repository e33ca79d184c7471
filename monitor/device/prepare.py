"""A phone made ready for a monitored first launch, and put back after (`privmon run`).

Before: restore what an earlier, killed run left on this phone; install the APK when given;
record the app's metadata and the phone's identifiers (they join the session's watchlist);
clear the app's data (a fresh first launch). During: the route to the proxy (journalled), a
watch on the connection, screenshots at UI/consent signals and on [s]. After: the phone is
restored in every case (a SIGKILL leaves the journal for `privmon doctor --restore`). The
capture itself is the capture session's (monitor/run/).
"""

from __future__ import annotations

import os
import shlex
import threading
from pathlib import Path
from typing import Callable

from ..config import Settings
from ..device_profile import IDENTIFIER_CATEGORY
from ..language import tr
from .adb import Phone
from .devices import DeviceError
from .facts import app_metadata, read_build, read_identifiers
from .journal import Journal
from .route import set_route, set_socks_route
from .screenshots import Screenshots

WATCH_INTERVAL_S = 3.0
INSTALL_PATH = "/data/local/tmp/privmon-install.apk"


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
    return [
        {"value": v, "pi_category": IDENTIFIER_CATEGORY.get(k, "device_id"), "pi_type": k}
        for k, v in ids.items()
    ]


def _apk_facts(apk: Path, progress) -> dict:
    """What the APK declares (monitor/apk.py), or why it could not be read (the run goes on)."""
    from ..apk import ApkError, apk_facts

    try:
        facts = apk_facts(apk)
    except ApkError as exc:
        progress(tr(f"APK facts not read: {exc}", f"未能读取 APK 信息：{exc}"))
        return {"error": str(exc)}
    dangerous = sum(1 for p in facts.permissions if p["dangerous"])
    progress(
        tr(
            f"APK: {len(facts.permissions)} permissions requested ({dangerous} dangerous), "
            f"SDKs in its code: {', '.join(s['sdk'] for s in facts.sdks) or 'none known'}",
            f"APK：申请 {len(facts.permissions)} 项权限（{dangerous} 项危险权限），"
            f"代码中的 SDK：{', '.join(s['sdk'] for s in facts.sdks) or '无已知 SDK'}",
        )
    )
    return facts.to_meta()


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
    progress(tr(f"installed {apk.name}", f"已安装 {apk.name}"))


def restore_orphans(phone: Phone, journal: Journal, progress) -> None:
    busy = journal.busy()
    if busy:
        raise DeviceError(
            f"another privmon run (pid {', '.join(map(str, busy))}) is using {phone.serial}: "
            "one run per phone (they would fight over its proxy setting)"
        )
    orphans = journal.orphaned()
    if not orphans:
        return
    progress(
        tr(
            f"an earlier run on {phone.serial} did not finish: restoring its {len(orphans)} change(s) first",
            f"{phone.serial} 上之前的一次运行没有正常结束：先恢复它的 {len(orphans)} 项改动",
        )
    )
    left = journal.restore(phone, progress, only=orphans)
    if left:
        raise DeviceError(
            f"could not restore what an earlier run changed ({'; '.join(left)}): "
            f"`privmon doctor {phone.serial} --restore`"
        )


class PreparedPhone:
    """The phone before, during and after a run. Entering prepares it (orphans restored, APK,
    metadata, identifiers, data cleared) and starts the connection watch and the screenshots;
    leaving restores everything this run changed (what cannot be restored yet is in
    `not_restored`, and stays in the journal)."""

    def __init__(
        self,
        settings: Settings,
        writer,
        phone: Phone,
        package: str,
        session_id: str,
        apk: Path | None = None,
        clear: bool = True,
        frida_port: int | None = None,
        progress: Callable[[str], None] = lambda _m: None,
    ) -> None:
        self.settings, self.writer, self.phone, self.package = settings, writer, phone, package
        self.session_id, self.apk, self.clear, self.frida_port = session_id, apk, clear, frida_port
        self.progress = progress
        self.journal = Journal(settings.home, phone.serial, owner=f"run:{os.getpid()}")
        self.meta: dict = {}
        self.watch: list[dict] = []
        self.build: dict = {}
        self.frida_host: str | None = None
        self.not_restored: list[str] = []
        self.watchdog = ConnectionWatch(phone)
        self.screenshots = Screenshots(
            phone, settings.home / "sessions" / session_id / "screenshots", writer, session_id, progress
        )
        self._forwarded: int | None = None

    def __enter__(self) -> "PreparedPhone":
        phone, progress = self.phone, self.progress
        restore_orphans(phone, self.journal, progress)
        if self.apk is not None:
            install_apk(phone, self.apk, progress)
        meta_app = app_metadata(phone, self.package)
        props = phone.props()
        ids = read_identifiers(phone, props)
        self.build = read_build(props)
        progress(
            f"{self.package} {meta_app['version_name'] or '?'} ({meta_app['version_code']}) "
            + tr(
                f"on {phone.serial}; identifiers read: {', '.join(sorted(ids)) or 'none'}",
                f"在 {phone.serial} 上；已读取的标识符：{', '.join(sorted(ids)) or '无'}",
            )
        )
        if self.clear:
            phone.shell(f"am force-stop {shlex.quote(self.package)}")
            cleared = phone.shell(f"pm clear {shlex.quote(self.package)}")
            if "Success" not in cleared:
                raise DeviceError(f"clearing {self.package}'s data failed: {cleared.strip()[:200]}")
            progress(tr("app data cleared: this is a first launch", "已清除应用数据：这是首次启动"))
        self.meta = {
            "device": {
                "serial": phone.serial,
                "build": self.build,
                "identifiers_read": sorted(ids),
                "lab": phone.is_lab,
            },
            "app_metadata": meta_app,
            "fresh_install": bool(self.clear),
        }
        if self.apk is not None:
            self.meta["apk_facts"] = _apk_facts(self.apk, progress)
        fingerprint = (
            {"build_fingerprint": self.build["fingerprint"]} if self.build.get("fingerprint") else {}
        )
        self.watch = identifier_watch({**ids, **fingerprint})
        self.watchdog.__enter__()
        self.screenshots.__enter__()
        if self.frida_port:  # frida-server on a non-default phone port: reached by adb forward
            phone.forward(self.frida_port)
            self._forwarded = self.frida_port
            self.frida_host = f"127.0.0.1:{self.frida_port}"
        return self

    def route(self, port: int, socks_port: int | None = None) -> None:
        """With a SOCKS5 port (the agent redirects the app's connections): only that port is
        carried to this machine, the phone's proxy setting stays as it is; else the proxy setting
        points at the HTTP port."""
        if socks_port is not None:
            set_socks_route(self.phone, self.journal, socks_port)
            self.progress(
                tr(
                    f"phone routed to the proxy: adb reverse tcp:{socks_port} (the app's connections "
                    "redirected)",
                    f"手机已接入代理：adb reverse tcp:{socks_port}（应用的连接被重定向）",
                )
            )
            return
        set_route(self.phone, self.journal, port)
        self.progress(
            tr(
                f"phone routed to the proxy: http_proxy 127.0.0.1:{port} + adb reverse",
                f"手机已接入代理：http_proxy 127.0.0.1:{port} + adb reverse",
            )
        )

    def lost(self) -> str | None:
        return self.watchdog.lost()

    @property
    def keys(self) -> dict:
        return {"s": ("screenshot", lambda: self.screenshots.request("key"))}

    def __exit__(self, *exc) -> None:
        self.watchdog.__exit__(*exc)
        self.screenshots.__exit__(*exc)
        if self._forwarded:
            try:
                self.phone.forward_remove(self._forwarded)
            except Exception:  # noqa: BLE001 - a lost phone takes its forwards with it
                pass
        try:
            left = self.journal.restore(self.phone, self.progress, mine=True)
        except DeviceError as exc:
            left = [str(exc)]
        if left:
            self.progress(
                tr(
                    f"the phone is not fully restored yet ({'; '.join(left)}): when it is back, "
                    f"`privmon doctor {self.phone.serial} --restore` (or the next run) takes the rest back",
                    f"手机尚未完全恢复（{'; '.join(left)}）：手机重新连接后，"
                    f"`privmon doctor {self.phone.serial} --restore`（或下一次运行）会恢复其余部分",
                )
            )
        self.not_restored = left
