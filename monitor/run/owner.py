"""Which process owns a running session, and what happens to sessions whose owner is gone.

A run records its owner (host, pid, the process's start time) in the session's metadata. A
session still `running` whose owner no longer exists (killed with -9, the machine rebooted) is
marked `interrupted` by the next command that opens the store, so none is ever shown as running
for ever."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from .. import events as ev
from ..timeutil import now_us


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (/proc): tells a reused pid apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def owner_record(pid: int | None = None) -> dict:
    pid = pid or os.getpid()
    return {"host": socket.gethostname(), "pid": pid, "start": _start_time(pid)}


def owner_alive(owner: dict | None) -> bool:
    """False only when the owner is known to be gone: same host, and no such process (or another
    process under a reused pid). Sessions from another host, or without an owner, count as alive."""
    if not isinstance(owner, dict) or owner.get("host") != socket.gethostname():
        return True
    pid = owner.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process: it exists
    started = owner.get("start")
    return started is None or _start_time(pid) in (None, started)


def orphaned_sessions(db_path: Path) -> list[dict]:
    from ..storage.queries import StoreReader

    if not db_path.exists():
        return []
    with StoreReader(db_path) as reader:
        running = reader.sessions_with_status(ev.SESSION_RUNNING)
    return [s for s in running if not owner_alive((s.get("meta") or {}).get("owner"))]


def reap_orphans(db_path: Path) -> list[str]:
    """Marks running sessions whose owner is gone as interrupted; returns their ids."""
    orphans = orphaned_sessions(db_path)
    if not orphans:
        return []
    from ..storage.writer import EventWriter

    with EventWriter(db_path) as writer:
        for s in orphans:
            owner = s["meta"]["owner"]
            writer.submit(
                ev.SessionEnded(
                    s["id"],
                    now_us(),
                    ev.SESSION_INTERRUPTED,
                    f"privmon (pid {owner['pid']}) ended without closing the session "
                    "(killed?); what was captured is kept",
                )
            )
        writer.flush()
    return [s["id"] for s in orphans]
