"""The two kinds of run the CLI starts, each one capture session with its target: a lab app on
this machine (`privmon lab run`), and an app on a phone (`privmon run`), where the phone is
prepared before and restored after. On the lab's simulated phone the app process is the lab app
of that package, run as a JVM on this machine (labelled [LAB])."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import events as ev
from ..app_profile import AppProfile, vocabulary_for
from ..config import Settings
from ..device.adb import Phone
from ..device.prepare import PreparedPhone
from ..device_profile import DeviceProfile, load_profile
from ..drive.driver import DriveTimes
from ..drive.screens import AdbScreen
from ..language import tr
from .driving import DriveSpec
from .lab_jvm import LabApp, LabJvm
from .live import LiveFindings
from .phone_app import PhoneApp, PhoneAppOptions
from .session import CaptureSession, RunResult, RunSpec

Progress = Callable[[str], None]


def run_lab(
    settings: Settings,
    writer,
    app: LabApp,
    app_profile: AppProfile | None = None,
    timeout_s: float = 120.0,
    interactive: bool = True,
    progress: Progress = lambda _m: None,
    live: bool = False,
    drive_times: DriveTimes | None = None,
) -> RunResult:
    """`live`: findings printed as they appear while the app runs (LiveFindings); `drive_times`:
    privmon performs the scenario on the lab app's screen (the app must be `driven`)."""
    prefix = tr("[lab] ", "[实验室] ")
    spec = RunSpec(
        app=app.package,
        scenario=app.scenario,
        app_profile=app_profile,
        device_profile=app.profile.name,
        watch=app.profile.watch_values(),
        device_build=app.profile.build,
        timeout_s=timeout_s,
        interactive=interactive,
        prefix=prefix,
        live_findings=(lambda sid: LiveFindings(settings.db_path, sid, progress, prefix)) if live else None,
        drive=(
            DriveSpec(
                app.scenario, app.package, lambda t: t.screen(), vocabulary_for(app_profile), drive_times
            )
            if drive_times is not None and app.driven
            else None
        ),
    )
    return CaptureSession(settings, writer, spec, LabJvm(app, settings.cache_dir), progress).run()


@dataclass
class PhoneRunOptions:
    package: str
    scenario: str = "agree"
    apk: Path | None = None
    clear: bool = True
    timeout_s: float = 1800.0
    interactive: bool = True
    frida_host: str | None = None
    frida_port: int | None = None  # frida-server on a non-default phone port: reached by adb forward
    unpin: bool = False
    redirect: bool = False  # the agent's connect() redirect instead of the phone's proxy setting
    extra_hooks: Path | None = None
    app_profile: AppProfile | None = None
    profile: DeviceProfile | None = None  # more values to watch (a captured device profile)
    lab_props: dict[str, str] = field(default_factory=dict)
    drive_times: DriveTimes | None = None  # privmon performs the scenario (None: a tester at the phone)
    live: bool = (
        True  # findings printed as they appear (LiveFindings); a batch, watched by nobody, goes without
    )


@dataclass
class PhoneRunResult(RunResult):
    not_restored: list[str] = field(default_factory=list)
    screenshots: int = 0


def run_on_phone(
    settings: Settings, writer, phone: Phone, opts: PhoneRunOptions, progress: Progress = lambda _m: None
) -> PhoneRunResult:
    session_id = ev.new_session_id()
    prepared = PreparedPhone(
        settings, writer, phone, opts.package, session_id, opts.apk, opts.clear, opts.frida_port, progress
    )
    with prepared:
        lab = phone.is_lab  # asked now: the phone may be gone by the end
        profile = opts.profile or (load_profile("lab") if lab else None)
        if lab:
            target = _lab_app_on_phone(settings, opts, profile, progress, phone.serial)
        else:
            target = PhoneApp(
                PhoneAppOptions(
                    opts.package,
                    phone.serial,
                    prepared.frida_host or opts.frida_host,
                    opts.extra_hooks,
                    opts.unpin,
                    opts.redirect,
                ),
                settings.cache_dir,
            )
        spec = RunSpec(
            app=opts.package,
            scenario=opts.scenario,
            app_profile=opts.app_profile,
            device_profile=profile.name if profile else None,
            watch=(profile.watch_values() if profile else []) + prepared.watch,
            device_build=prepared.build,
            extra_meta=prepared.meta,
            timeout_s=opts.timeout_s,
            timeout_completes=True,
            interactive=opts.interactive,
            extra_keys=prepared.keys,
            on_proxy_ready=lambda port, socks: prepared.route(port, socks if opts.redirect else None),
            on_signal=prepared.screenshots.on_signal,
            on_mark=prepared.screenshots.on_mark,
            abort=prepared.lost,
            live_findings=(lambda sid: LiveFindings(settings.db_path, sid, progress)) if opts.live else None,
            drive=(
                DriveSpec(
                    opts.scenario,
                    opts.package,
                    lambda _t: AdbScreen(phone, opts.package),
                    vocabulary_for(opts.app_profile),
                    opts.drive_times,
                )
                if opts.drive_times is not None
                else None
            ),
        )
        result = CaptureSession(settings, writer, spec, target, progress, session_id=session_id).run()
    return PhoneRunResult(
        **vars(result), not_restored=prepared.not_restored, screenshots=prepared.screenshots.taken
    )


def _lab_app_on_phone(
    settings: Settings, opts: PhoneRunOptions, profile: DeviceProfile, progress: Progress, serial: str
) -> LabJvm:
    from ..lab.build import build_app, build_plugin, lab_app_dir, lab_app_for_package

    name, main_class = lab_app_for_package(opts.package)
    standins, classes = build_app(settings.cache_dir, name)
    props = {
        "privmon.lab.consentDelayMs": "2000",
        **{f"privmon.lab.{k}": v for k, v in opts.lab_props.items()},
    }
    props["privmon.lab.appDir"] = str(lab_app_dir(name))
    plugin = build_plugin(settings.cache_dir, name)
    if plugin is not None:
        props["privmon.lab.pluginDir"] = str(plugin)
    progress(
        tr(
            f"[LAB] the simulated phone's app process is the lab app {name!r}, a JVM on this machine — "
            "not a real phone",
            f"[实验室] 模拟手机上的应用进程是实验室应用 {name!r}，本机上的一个 JVM——不是真实手机",
        )
    )
    app = LabApp(
        classpath=[standins, classes],
        main_class=main_class,
        package=opts.package,
        profile=profile,
        scenario=opts.scenario,
        jvm_properties=props,
        extra_hooks=opts.extra_hooks,
        unpin=opts.unpin,
        redirect=opts.redirect,
        lab_name=name,
        driven=opts.drive_times is not None,
        phone_serial=serial if opts.drive_times is not None else None,
    )
    return LabJvm(app, settings.cache_dir)
