"""Frida's local device, for a target started on this machine (the lab JVM).

On hosts with Yama ptrace_scope=1 only children may be traced: the process is spawned through
Frida with piped stdio, attached at once, and resumed by the caller (docs/lab.md)."""

from __future__ import annotations

from typing import Callable

import frida

from .hook_runner import AttachError

GONE = (frida.ProcessNotFoundError, frida.InvalidOperationError)


def kill_if_there(device, pid: int) -> None:
    """Ends process `pid` on a frida Device (this machine's or a phone's); one already gone is no
    error, nor one that exited but is not reaped yet (Frida: "failed to open /proc/PID/auxv")."""
    try:
        device.kill(pid)
    except (*GONE, frida.NotSupportedError, frida.TransportError):
        pass


class LocalFrida:
    def __init__(self) -> None:
        self.device = frida.get_local_device()
        self._on_output: Callable | None = None

    def spawn_attached(
        self, argv: list[str], on_output: Callable[[int, int, bytes], None], env: dict[str, str] | None = None
    ):
        """Spawns `argv` suspended with its output handed to `on_output` (and `env` added to its
        environment); returns (pid, session)."""
        self._on_output = on_output
        self.device.on("output", on_output)
        pid = self.device.spawn(argv, stdio="pipe", env=env) if env else self.device.spawn(argv, stdio="pipe")
        try:
            return pid, self.device.attach(pid)
        except frida.PermissionDeniedError as exc:
            self.kill(pid)
            raise AttachError(
                f"Frida may not attach to pid {pid}: {exc} (ptrace restricted? see docs/lab.md)"
            ) from exc
        except (frida.ProcessNotFoundError, frida.TransportError, frida.NotSupportedError) as exc:
            # NotSupportedError: what Frida says when the process vanished while it attached
            # ("failed to open /proc/PID/auxv")
            self.kill(pid)
            raise AttachError(f"Frida could not attach to pid {pid}: {exc}") from exc

    def attach(self, pid: int):
        return self.device.attach(pid)

    def resume(self, pid: int) -> None:
        self.device.resume(pid)

    def input(self, pid: int, data: bytes) -> None:
        self.device.input(pid, data)

    def kill(self, pid: int | None) -> None:
        if pid is not None:
            kill_if_there(self.device, pid)

    def close(self) -> None:
        if self._on_output is not None:
            try:
                self.device.off("output", self._on_output)
            except Exception:  # noqa: BLE001 - the device may be gone
                pass
        self._on_output = None


def frida_version() -> str:
    return frida.__version__
