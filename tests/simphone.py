"""The lab's simulated phone for tests: connected to the real adb server for the test's length."""

from __future__ import annotations

import shutil
import struct
import subprocess
from contextlib import contextmanager

import frida

from monitor.device_profile import load_profile
from monitor.lab.adbd import SimulatedAdbd, lab_state
from monitor.lab.phone import ELF_MACHINES, SIM_BINARY_MARK


def adb() -> str:
    path = shutil.which("adb")
    assert path, "adb is missing: run `make setup`"
    return path


@contextmanager
def simulated_phone(state=None, port: int = 0, expect: str = "connected"):
    state = state or lab_state(load_profile("lab"))
    with SimulatedAdbd(state, port) as adbd:
        subprocess.run([adb(), "start-server"], check=True, capture_output=True, timeout=60)
        connected = subprocess.run(
            [adb(), "connect", adbd.serial], capture_output=True, text=True, timeout=30
        )
        assert expect in connected.stdout + connected.stderr, connected
        try:
            yield adbd
        finally:
            subprocess.run([adb(), "disconnect", adbd.serial], capture_output=True, timeout=30)


def fake_frida_server(abi: str = "arm64-v8a", version: str | None = None) -> bytes:
    """An ELF header for `abi` and the version line the simulated phone executes."""
    header = b"\x7fELF\x02\x01\x01" + b"\0" * 11 + struct.pack("<H", ELF_MACHINES[abi]) + b"\0" * 44
    return header + SIM_BINARY_MARK + (version or frida.__version__).encode() + b"\n"
