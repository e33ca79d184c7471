"""The app's child processes, followed under the agent (Frida child gating on a local device).

A fork (a copy of the parent about to exec) is only followed, so that its exec is gated too; a new
program gets the agent's native hooks before it runs, through `instrument(session, pid)`, which
returns its HookRunner. Each child is resumed whatever happens; one privmon cannot follow is
recorded (`agent:attach-failed`), never fatal. Frida reports children on its own thread, where
attaching would wait on itself: each is handled on a thread of its own.
"""

from __future__ import annotations

import threading
from typing import Callable

from .. import events as ev
from ..timeutil import now_us
from .hook_runner import HookRunner
from .local import LocalFrida


class Children:
    def __init__(
        self,
        frida: LocalFrida,
        session_id: str,
        writer,
        instrument: Callable[[object, int], HookRunner],
    ) -> None:
        self.frida = frida
        self.session_id = session_id
        self.writer = writer
        self.instrument = instrument
        self._runners: list[HookRunner] = []
        self._pids: list[int] = []
        self._lock = threading.Lock()
        frida.on_child(self._on_child)

    @property
    def runners(self) -> list[HookRunner]:
        with self._lock:
            return list(self._runners)

    def _on_child(self, child) -> None:
        threading.Thread(
            target=self._adopt, args=(child,), name=f"privmon-child-{child.pid}", daemon=True
        ).start()

    def _adopt(self, child) -> None:
        try:
            session = self.frida.attach(child.pid)
            session.enable_child_gating()
            with self._lock:
                self._pids.append(child.pid)
            if child.origin != "fork":
                runner = self.instrument(session, child.pid)
                with self._lock:
                    self._runners.append(runner)
                self._record(ev.MSG_CHILD_PROCESS, child, {"parent_pid": child.parent_pid})
        except Exception as exc:  # noqa: BLE001 - a child privmon cannot follow is recorded, never fatal
            self._record(ev.MSG_ATTACH_FAILED, child, {"error": str(exc)[:500]})
        finally:
            try:
                self.frida.resume(child.pid)
            except Exception:  # noqa: BLE001 - it may be gone already
                pass

    def _record(self, kind: str, child, extra: dict) -> None:
        payload = {"pid": child.pid, "origin": child.origin, "path": child.path, **extra}
        self.writer.submit(ev.AgentMessage(self.session_id, now_us(), kind, payload))

    def close(self) -> None:
        """Ends every child still there (none outlives the run) and detaches from it."""
        with self._lock:
            runners, pids = list(self._runners), list(self._pids)
        for pid in pids:
            self.frida.kill(pid)
        for runner in runners:
            runner.close(flush=False)
