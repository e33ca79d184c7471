"""The app's child processes, followed under the agent (Frida child gating, in the lab and on a
phone alike).

A fork (a copy of the parent about to exec) is only followed, so that its exec is gated too; a new
program gets the agent's native hooks before it runs, through `instrument(session, pid)`, which
returns its HookRunner (`instrument_program` is what the lab and a phone run both give it). Each
child is resumed whatever happens; one privmon cannot follow is recorded (`agent:attach-failed`),
never fatal. Frida reports children on its own thread, where attaching would wait on itself: each
is handled on a thread of its own.

A fork the app's agent saw (its process.fork event) that was never followed into a program is
recorded at the end (`process:child-lost`) and said: Frida's agent, inherited by the fork of a
process whose script uses the Java bridge, sometimes crashes it before its exec, before Frida even
reports it (frida/frida#2422; about one fork in ten on a loaded machine in the lab), so the program
it would have run, and what that program would have sent, are missing from the session.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

from .. import events as ev
from ..language import tr
from ..timeutil import now_us
from .hook_runner import HookRunner
from .local import kill_if_there


@dataclass
class ProgramHooks:
    """What a program the app starts gets before it runs (docs/traffic.md): the connect()
    redirect and TLS plaintext (with native unpinning under --unpin) when the run redirects
    (`net`), and the side-channel reads when the run watches them (`side`)."""

    bundle: str
    net: dict | None
    body_cap: int
    unpin: bool = False
    side: dict | None = None


def instrument_program(
    session, pid: int, parent: HookRunner, hooks: ProgramHooks, started_by: Callable[[int], list[str] | None]
) -> HookRunner:
    """A new program started by `parent`'s process: its HookRunner, writing to the same session,
    store, connection registry and TLS streams, on the same device clock."""
    runner = HookRunner(
        session, pid, parent.session_id, parent.writer, parent.connections, parent.tls_streams
    )
    runner.offset_us, runner.offset_error_us = parent.offset_us, parent.offset_error_us
    runner.load(hooks.bundle)
    if hooks.net is not None:
        runner.redirect(hooks.net)
        runner.read_tls(hooks.body_cap, hooks.unpin)
    if hooks.side is not None:
        # its native reads are blamed on the code that started it (the app's process forked it)
        runner.started_by = started_by(pid)
        runner.side_channels({**hooks.side, "started_by": runner.started_by})
    return runner


def started_by(pid: int, app_runners: list[HookRunner], child_runners: list[HookRunner]) -> list[str] | None:
    """The Java stack of the code that started process `pid`: its fork event's, or, when a
    program the app started forked it (a native stack), what that program was started by."""
    for parent in [*app_runners, *child_runners]:
        # the app's processes may still be sending the fork event; programs' events came first
        stack = parent.fork_stack(pid, wait_s=0.5 if parent in app_runners else 0.0)
        if stack is not None:
            has_java = any("(" in frame for frame in stack)
            return stack if has_java else (parent.started_by or stack)
    return None


class Children:
    def __init__(
        self,
        device,
        session_id: str,
        writer,
        instrument: Callable[[object, int], HookRunner],
        say: Callable[[str], None] = lambda _line: None,
    ) -> None:
        self.device = device  # a frida Device: this machine's (the lab) or a phone's
        self.session_id = session_id
        self.writer = writer
        self.instrument = instrument
        self.say = say
        self._followed: set[int] = set()  # children seen running a program (or that could not be)
        self._runners: list[HookRunner] = []
        self._pids: list[int] = []
        self._lock = threading.Lock()
        device.on("child-added", self._on_child)

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
            session = self.device.attach(child.pid)
            session.enable_child_gating()
            with self._lock:
                self._pids.append(child.pid)
            if child.origin != "fork":
                runner = self.instrument(session, child.pid)
                with self._lock:
                    self._runners.append(runner)
                    self._followed.add(child.pid)
                self._record(ev.MSG_CHILD_PROCESS, child, {"parent_pid": child.parent_pid})
        except Exception as exc:  # noqa: BLE001 - a child privmon cannot follow is recorded, never fatal
            self._record(ev.MSG_ATTACH_FAILED, child, {"error": str(exc)[:500]})
            with self._lock:
                self._followed.add(child.pid)
        finally:
            try:
                self.device.resume(child.pid)
            except Exception:  # noqa: BLE001 - it may be gone already
                pass

    def _report_lost(self, forks: dict[int, int]) -> None:
        with self._lock:
            lost = {pid: parent for pid, parent in forks.items() if pid not in self._followed}
        for pid, parent in sorted(lost.items()):
            payload = {"pid": pid, "parent_pid": parent, "origin": "fork", "path": None}
            self.writer.submit(ev.AgentMessage(self.session_id, now_us(), ev.MSG_CHILD_LOST, payload))
            self.say(
                tr(
                    f"a process the app forked (pid {pid}) was never seen running a program: its exec "
                    "failed, or Frida's fork handling crashed it before its exec and what that program "
                    "would have done is missing",
                    f"应用 fork 出的进程（pid {pid}）未被看到执行任何程序：其 exec 失败，或 Frida 对 fork "
                    "的处理使其在 exec 之前崩溃，该程序本应做的事未被记录",
                )
            )

    def _record(self, kind: str, child, extra: dict) -> None:
        payload = {"pid": child.pid, "origin": child.origin, "path": child.path, **extra}
        self.writer.submit(ev.AgentMessage(self.session_id, now_us(), kind, payload))

    def close(self, app_runners: list[HookRunner]) -> None:
        """Reports the forks the agent saw (process.fork events in the app's processes and in
        their programs) never followed into a program, ends every child still there (none outlives
        the run) and detaches from it."""
        try:
            self.device.off("child-added", self._on_child)
        except Exception:  # noqa: BLE001 - the device may be gone
            pass
        self._report_lost(
            {child: r.pid for r in [*app_runners, *self.runners] for child in list(r.fork_stacks)}
        )
        with self._lock:
            runners, pids = list(self._runners), list(self._pids)
        for pid in pids:
            kill_if_there(self.device, pid)
        for runner in runners:
            runner.close(flush=False)
