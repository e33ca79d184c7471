"""The phone commands of the `privmon` CLI: doctor, run, profile capture (devices is in cli.py)."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Optional

import typer

from .cli_base import (
    CliError,
    _settings,
    app,
    background_s_option,
    drive_times,
    driver_option,
    err,
    lab_app,
    lab_properties,
    notice_s_option,
    out,
    run_and_report,
    use_s_option,
)
from .exitcodes import ExitCode
from .language import tr

profile_app = typer.Typer(help="Device profiles (device_profiles/*.yaml).", no_args_is_help=True)
app.add_typer(profile_app, name="profile")

STATUS_MARK = {"ok": "ok", "problem": "PROBLEM", "warning": "warning", "info": "info", "skipped": "skipped"}


@app.command()
def doctor(
    ctx: typer.Context,
    serial: Optional[str] = typer.Argument(
        None, help="The phone (default: $ANDROID_SERIAL, or the only device)."
    ),
    fix: bool = typer.Option(
        False, "--fix", help="Fix what can be fixed (every change journalled, see --restore)."
    ),
    restore: bool = typer.Option(
        False,
        "--restore",
        help="Take back every change privmon made on this phone (after a kill or a lost cable).",
    ),
    frida_server: Optional[Path] = typer.Option(
        None, "--frida-server", help="A frida-server binary (or .xz) to push."
    ),
    download: bool = typer.Option(
        False, "--download", help="Download the matching frida-server when it is not cached (needs internet)."
    ),
    frida_name: str = typer.Option(
        "frida-server",
        "--frida-server-name",
        help=(
            "The file and process name of frida-server on the phone (rename it for apps that look for "
            "'frida-server')."
        ),
    ),
    frida_port: Optional[int] = typer.Option(
        None, "--frida-port", help="Start frida-server on this port instead of 27042."
    ),
    probe: bool = typer.Option(
        True,
        "--probe/--no-probe",
        help="Finish with a probe: the phone fetches an HTTPS URL through the proxy.",
    ),
    permissive: bool = typer.Option(
        False, "--permissive", help="With --fix: set SELinux to Permissive (journalled)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the checks as JSON."),
) -> None:
    """Check a phone for a monitored run (adb, root, SELinux, frida-server, USAP pool, proxy CA,
    route) and fix it."""
    from .device.adb import select_device
    from .device.doctor import DoctorOptions, run_doctor
    from .device.doctor import restore as restore_phone

    settings = _settings(ctx)
    phone = select_device(serial)
    say = lambda m: err.print(m, markup=False)
    if restore:
        left = restore_phone(phone, settings.home, say)
        if as_json:
            print(json.dumps({"serial": phone.serial, "not_restored": left}, ensure_ascii=False, indent=2))
        if left:
            raise CliError(
                tr(
                    f"{len(left)} change(s) could not be taken back yet (kept in the journal): "
                    f"{'; '.join(left)}",
                    f"{len(left)} 项改动暂时无法撤销（仍记在日志中）：{'; '.join(left)}",
                ),
                ExitCode.SETUP,
            )
        if not as_json:
            out.print(tr(f"{phone.serial}: restored", f"{phone.serial}：已恢复"), markup=False)
        return
    opts = DoctorOptions(
        fix=fix,
        frida_server=frida_server,
        download=download,
        frida_name=frida_name,
        frida_port=frida_port,
        probe=probe,
        permissive=permissive,
        confdir=settings.mitmproxy_confdir,
        cache_dir=settings.cache_dir,
        home=settings.home,
    )
    checks = run_doctor(phone, opts, say)
    if as_json:
        print(
            json.dumps(
                {"serial": phone.serial, "checks": [c.to_json() for c in checks]},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for c in checks:
            line = f"{STATUS_MARK[c.status]:>8}  {c.name:<14} {c.detail}" + (
                tr(" (fixed)", "（已修复）") if c.fixed else ""
            )
            out.print(line, markup=False)
            if c.fix and c.status in ("problem", "warning", "info"):
                out.print(f"{'':>8}  {'':<14} → {c.fix}", markup=False)
    problems = [c.name for c in checks if c.status == "problem"]
    if problems:
        raise CliError(
            tr(f"{len(problems)} problem(s): ", f"{len(problems)} 个问题：")
            + ", ".join(problems)
            + ("" if fix else tr(" (try --fix)", "（试试 --fix）")),
            ExitCode.SETUP,
        )


@profile_app.command("capture")
def profile_capture(
    serial: Optional[str] = typer.Argument(
        None, help="The phone (default: $ANDROID_SERIAL, or the only device)."
    ),
    output: Path = typer.Option(
        ..., "-o", "--output", help="Where to write the profile (e.g. device_profiles/myphone.yaml)."
    ),
    name: Optional[str] = typer.Option(None, "--name", help="The profile's name (default: the file's stem)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing file."),
) -> None:
    """Write a phone's identifiers and facts to a device profile."""
    from .device.adb import select_device
    from .device.facts import capture_profile

    if output.exists() and not force:
        raise CliError(
            tr(f"{output} exists (add --force to replace it)", f"{output} 已存在（加 --force 覆盖）")
        )
    phone = select_device(serial)
    profile_yaml, missing = capture_profile(phone, name or output.stem)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(profile_yaml, encoding="utf-8")
    out.print(
        tr(f"wrote {output}", f"已写入 {output}")
        + (
            tr(" (not readable on this phone: ", "（此手机上无法读取：") + ", ".join(missing) + tr(")", "）")
            if missing
            else ""
        ),
        markup=False,
    )


@app.command()
def run(
    ctx: typer.Context,
    package: str = typer.Argument(..., help="The app's package name, e.g. com.example.shop."),
    device: Optional[str] = typer.Option(
        None, "--device", "-s", help="The phone's serial (default: $ANDROID_SERIAL, or the only device)."
    ),
    scenario: str = typer.Option(
        "agree",
        help="agree, refuse, background, refuse-then-agree or permissions-deny: what is done in the app "
        "(recorded; the rules judge by it).",
    ),
    driver: str = driver_option("privmon"),
    notice_s: float = notice_s_option(),
    use_s: float = use_s_option(),
    background_s: float = background_s_option(),
    apk: Optional[Path] = typer.Option(None, "--apk", help="Install (or reinstall) this APK first."),
    clear: bool = typer.Option(
        True, "--clear/--keep-data", help="Clear the app's data first (a real first launch)."
    ),
    timeout: float = typer.Option(1800.0, help="Seconds before the run ends by itself."),
    frida_host: Optional[str] = typer.Option(
        None, "--frida-host", help="HOST:PORT of a frida-server reached over the network (default: over adb)."
    ),
    frida_port: Optional[int] = typer.Option(
        None,
        "--frida-port",
        help=(
            "frida-server listens on this port on the phone (doctor --frida-port): reached through adb "
            "forward."
        ),
    ),
    profile: Optional[str] = typer.Option(
        None, "--profile", help="A device profile (device_profiles/) whose values are watched too."
    ),
    app_profile: Optional[str] = typer.Option(
        None,
        "--app-profile",
        help="App profile: a name in app_profiles/ or a YAML path (default: the one whose package matches).",
    ),
    extra_hooks: Optional[Path] = typer.Option(
        None, "--extra-hooks", help="A YAML file of more hook entries."
    ),
    unpin: bool = typer.Option(
        False,
        "--unpin",
        help="Bypass TLS pinning (OkHttp, Conscrypt, network security config, WebView; native "
        "OpenSSL/BoringSSL certificate checks in processes whose TLS is read).",
    ),
    lab_props: list[str] = typer.Option(
        [], "--lab-prop", help="The lab's simulated phone only: KEY=VALUE for the lab app."
    ),
    redirect: bool = typer.Option(
        False,
        "--redirect/--proxy-setting",
        help="Capture through the agent's connect() redirect (only the app's traffic, also what ignores "
        "the proxy; adb reverse of the SOCKS5 port, the phone's proxy setting untouched) instead of the "
        "phone's global proxy setting (default). Not yet verified on a real phone: docs/traffic.md.",
    ),
    keys: bool = typer.Option(True, "--keys/--no-keys", help="Read [c]/[r]/[s]/[q] keys from the terminal."),
    as_json: bool = typer.Option(False, "--json", help="Print the session and findings as JSON."),
) -> None:
    """Launch an app fresh on a phone under hooks and proxy; ends with its findings. The phone is
    restored after."""
    from .app_profile import resolve as resolve_app_profile
    from .device.adb import select_device
    from .device_profile import load_profile
    from .run.runs import PhoneRunOptions, run_on_phone
    from .scenarios import SCENARIOS, scenario_steps

    if scenario not in SCENARIOS:
        raise CliError(f"--scenario must be one of {', '.join(SCENARIOS)}, not {scenario!r}")
    times = drive_times(driver, notice_s, use_s, background_s)
    if frida_host and frida_port:
        raise CliError("--frida-host and --frida-port are two ways to the same server: give one")
    if frida_port is not None and not 0 < frida_port < 65536:
        raise CliError(f"--frida-port must be 1–65535, not {frida_port}")
    props = lab_properties(lab_props)
    if extra_hooks is not None:
        from .capture.catalogue import load_catalogue

        load_catalogue(extra_hooks)
    settings = _settings(ctx)
    opts = PhoneRunOptions(
        package=package,
        scenario=scenario,
        apk=apk,
        clear=clear,
        timeout_s=timeout,
        interactive=keys and not as_json,
        frida_host=frida_host,
        frida_port=frida_port,
        unpin=unpin,
        redirect=redirect,
        extra_hooks=extra_hooks,
        app_profile=resolve_app_profile(app_profile, package),
        profile=load_profile(profile) if profile else None,
        lab_props=props,
        drive_times=times,
    )
    phone = select_device(device)
    say = lambda m: err.print(m, markup=False)
    say(tr(f"scenario {scenario}: ", f"场景 {scenario}：") + scenario_steps(scenario))

    def interrupt(_signum, _frame):
        raise KeyboardInterrupt

    for sig in (signal.SIGTERM, signal.SIGHUP):  # end as Ctrl-C does: analysis, then the phone restored
        signal.signal(sig, interrupt)
    result = run_and_report(
        settings,
        lambda writer: run_on_phone(settings, writer, phone, opts, say),
        as_json,
        extra=lambda r: {
            "device": phone.serial,
            "screenshots": r.screenshots,
            "not_restored": r.not_restored,
        },
    )
    if result.not_restored:
        raise CliError(
            f"the phone is not fully restored: `privmon doctor {phone.serial} --restore`", ExitCode.SETUP
        )


@lab_app.command("phone")
def lab_phone(
    profile: str = typer.Option("lab", help="Device profile the simulated phone is built from."),
    port: int = typer.Option(0, help="Loopback port for its adbd (default: any free port)."),
    sdk: Optional[int] = typer.Option(
        None, help="Android SDK level it reports (34+ brings the APEX CA folder)."
    ),
    unrooted: bool = typer.Option(False, "--unrooted", help="A phone without su."),
) -> None:
    """Start the lab's simulated phone and connect the adb server to it (until Ctrl-C)."""
    import shutil
    import subprocess
    import time

    from .device_profile import load_profile
    from .lab.adbd import SimulatedAdbd, lab_state

    adb = shutil.which("adb")
    if adb is None:
        raise CliError("adb is not installed (Debian package adb; `make setup` installs it)", ExitCode.SETUP)
    state = lab_state(load_profile(profile))
    if sdk is not None:
        state.props["ro.build.version.sdk"] = str(sdk)
    state.rooted = not unrooted

    def stop(_signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)  # a service manager or `kill` ends it as Ctrl-C does
    with SimulatedAdbd(state, port) as adbd:
        subprocess.run([adb, "start-server"], capture_output=True, timeout=60)
        connected = subprocess.run([adb, "connect", adbd.serial], capture_output=True, text=True, timeout=30)
        if "connected" not in connected.stdout:
            raise CliError(
                f"adb could not connect to the simulated phone: {connected.stdout.strip()}", ExitCode.SETUP
            )
        out.print(
            tr(
                f"[LAB] simulated phone {adbd.serial} (profile {profile}); Ctrl-C ends it",
                f"[实验室] 模拟手机 {adbd.serial}（设备配置 {profile}）；按 Ctrl-C 结束",
            ),
            markup=False,
        )
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            subprocess.run([adb, "disconnect", adbd.serial], capture_output=True, timeout=30)
