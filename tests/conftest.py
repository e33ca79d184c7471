import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.config import Settings, env
from monitor.storage.writer import EventWriter

REPO = Path(__file__).resolve().parent.parent
PRIVMON = [sys.executable, "-m", "monitor.cli"]


def pytest_collection_modifyitems(config, items):
    if env("PRIVMON_DEVICE_TESTS"):
        return
    skip = pytest.mark.skip(reason="needs a real phone or emulator: run `make test-device`")
    for item in items:
        if item.get_closest_marker("device") is not None:
            item.add_marker(skip)


def wait_until(predicate, timeout: float = 120.0) -> bool:
    """Polls `predicate` every 0.1 s until it holds (True) or `timeout` passes (False)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings.load(tmp_path / "home")


@pytest.fixture
def writer(settings):
    w = EventWriter(settings.db_path)
    yield w
    w.close()


LAB_RUN_ATTEMPTS = 3


def _stuck_at_a_safepoint(proc: subprocess.CompletedProcess) -> bool:
    """A lab run that ended on its timeout with no hook event recorded: the HotSpot deadlock under
    Frida (docs/lab.md, "A known HotSpot limit"), not something privmon did."""
    progress = [
        line for line in proc.stderr.splitlines() if " hook events · " in line or " 条调用记录 · " in line
    ]
    output = proc.stdout + proc.stderr
    # a lab run ends interrupted at its timeout; a phone run (`run --timeout`) ends completed there
    on_timeout = "the app was still running after" in output or "ended at the timeout" in output
    last = progress[-1].removeprefix("[lab] ").removeprefix("[实验室] ") if progress else ""
    return on_timeout and (last.startswith("0 hook events") or last.startswith("0 条调用记录"))


def _fork_crashed_under_frida(home: Path, proc: subprocess.CompletedProcess) -> bool:
    """A lab run where a fork of the app crashed in Frida's inherited agent before its exec
    (monitor/capture/children.py, frida/frida#2422): privmon reported the fork as never seen running
    a program, and the JVM of that fork left its crash file in the session's folder."""
    lost = re.findall(r"\(pid (\d+)\) was never seen running a program", proc.stderr)
    return any(any((home / "sessions").glob(f"*/hs_err_pid{pid}.log")) for pid in lost)


def run_cli(
    home: Path, *args: str, timeout: float = 180, input: str | None = None
) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRIVMON_HOME": str(home)}
    env.pop("PRIVMON_DEBUG", None)
    # lab apps: `lab run`, and `run` on the simulated phone (whose app process is a lab JVM)
    lab = args[:2] == ("lab", "run") or args[:1] == ("run",)
    attempts = LAB_RUN_ATTEMPTS if lab else 1
    for attempt in range(1, attempts + 1):
        proc, hung = _run_bounded([*PRIVMON, *args], env, timeout, input)
        if hung:
            where = f"privmon {' '.join(args)} hung for {timeout:.0f} s; where its threads were:"
            print(where, file=sys.stderr)
            print(proc.stderr[-20000:], file=sys.stderr)
            if lab and attempt < attempts:
                continue
            raise subprocess.TimeoutExpired(proc.args, timeout, proc.stdout, proc.stderr)
        if attempt == attempts:
            return proc
        if _stuck_at_a_safepoint(proc):
            why = "stuck at a HotSpot safepoint"
        elif _fork_crashed_under_frida(home, proc):
            why = "a fork of the app crashed in Frida's agent before its exec"
        else:
            return proc
        print(f"lab run {why} (attempt {attempt}/{attempts}); run again", file=sys.stderr)
    return proc


def _run_bounded(
    command: list[str], env: dict, timeout: float, input: str | None
) -> tuple[subprocess.CompletedProcess, bool]:
    """Runs privmon in its own process group; one still running after `timeout` is asked for its
    threads' stacks (SIGUSR1, faulthandler) and then killed with everything it started."""
    with subprocess.Popen(
        command,
        cwd=REPO,
        env=env,
        stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as child:
        try:
            stdout, stderr = child.communicate(input, timeout=timeout)
            return subprocess.CompletedProcess(command, child.returncode, stdout, stderr), False
        except subprocess.TimeoutExpired:
            os.kill(child.pid, signal.SIGUSR1)
            try:
                stdout, stderr = child.communicate(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                stdout, stderr = child.communicate()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
            return subprocess.CompletedProcess(command, -9, stdout, stderr), True


@pytest.fixture(scope="session")
def lab_demo(tmp_path_factory):
    """One real demo lab run (agent in the JVM, mitmproxy, SQLite), shared by the e2e tests."""
    home = tmp_path_factory.mktemp("lab-demo-home")
    proc = run_cli(home, "lab", "run", "--json", "--no-keys", "--consent-delay-ms", "1500")
    assert proc.returncode == 0, proc.stderr
    return {"home": home, "result": json.loads(proc.stdout), "stderr": proc.stderr}
