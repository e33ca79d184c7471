"""The teardown journal: every change privmon makes on a phone is written here, to disk, before
it is made, with what undoes it. A normal exit, Ctrl-C or a crash replays it at once; after a
SIGKILL or a lost cable, `privmon doctor --restore` (or the next run on that phone) does.

One JSON file per phone under <data dir>/journal/, rewritten atomically (temp file, fsync,
rename) so a kill at any moment leaves either the old or the new list, never half of one.
Undo steps are data, interpreted by `undo()`; nothing in the file is run as a command line.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import tempfile
from contextlib import contextmanager
from pathlib import Path

from ..language import tr
from ..timeutil import now_us
from .adb import DeviceLost, Phone
from .devices import DeviceError

UNDO_OPS = ("setting", "setprop", "reverse", "umount", "selinux", "kill", "remove_file")


class Journal:
    def __init__(self, home: Path, serial: str, owner: str = "doctor") -> None:
        """`owner` names who makes the changes ("doctor", "probe", "run:<session>"): a run
        restores its own entries when it ends; `doctor --restore` restores them all."""
        self.serial = serial
        self.owner = owner
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", serial)
        self.path = home / "journal" / f"{safe}.json"

    def entries(self) -> list[dict]:
        if not self.path.exists():
            return []
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise DeviceError(
                f"the journal {self.path} is unreadable ({exc}); restore the phone by hand "
                "(docs/devices.md lists what privmon changes)"
            ) from exc
        return data.get("entries", []) if isinstance(data, dict) else []

    def _write(self, entries: list[dict]) -> None:
        if not entries:
            self.path.unlink(missing_ok=True)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".journal-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"serial": self.serial, "entries": entries}, fh, ensure_ascii=False, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    def record(self, what: str, undo: dict) -> dict:
        """Call before making the change `what`; `undo` says how to take it back."""
        if undo.get("op") not in UNDO_OPS:
            raise ValueError(f"unknown undo op {undo.get('op')!r}")
        entries = self.entries()
        entry = {
            "id": max((e["id"] for e in entries), default=0) + 1,
            "at_us": now_us(),
            "what": what,
            "owner": self.owner,
            "pid": os.getpid(),
            "undo": undo,
        }
        self._write(entries + [entry])
        return entry

    def busy(self) -> list[int]:
        """Host pids of other runs still alive that have changes on this phone."""
        return sorted(
            {
                e["pid"]
                for e in self.entries()
                if e.get("owner", "").startswith("run")
                and e.get("pid") != os.getpid()
                and _alive(e.get("pid"))
            }
        )

    def orphaned(self) -> list[dict]:
        """Entries of runs whose privmon process is gone (killed, crashed, machine rebooted)."""
        return [
            e for e in self.entries() if e.get("owner", "").startswith("run") and not _alive(e.get("pid"))
        ]

    @contextmanager
    def change(self, what: str, undo: dict):
        """`with journal.change(...): make the change` — journalled first, kept if the change fails
        half-way (undoing something that did not happen is harmless)."""
        self.record(what, undo)
        yield

    def restore(
        self, phone: Phone, progress=lambda _m: None, only: list[dict] | None = None, mine: bool = False
    ) -> list[str]:
        """Undo entries newest first: all of them, `only` those given, or (mine) this owner's.
        Entries that fail stay in the journal; returns their descriptions (empty when the phone
        is back as it was)."""
        failed: list[dict] = []
        everything = self.entries()
        if only is not None:
            ids = {e["id"] for e in only}
            entries = [e for e in everything if e["id"] in ids]
        elif mine:
            entries = [e for e in everything if e.get("owner") == self.owner]
        else:
            entries = everything
        for i, entry in enumerate(reversed(entries)):
            try:
                undo(phone, entry["undo"])
                progress(tr(f"restored: {entry['what']}", f"已恢复：{entry['what']}"))
            except DeviceLost as exc:  # the rest waits until the phone is back
                failed += list(reversed(entries))[i:]
                progress(
                    tr(
                        f"phone lost while restoring ({exc}); the journal keeps the rest",
                        f"恢复过程中手机断开（{exc}）；其余改动仍记在日志中",
                    )
                )
                break
            except DeviceError as exc:
                failed.append(entry)
                progress(
                    tr(f"could not restore: {entry['what']} ({exc})", f"无法恢复：{entry['what']}（{exc}）")
                )
        done = {e["id"] for e in entries} - {e["id"] for e in failed}
        self._write([e for e in self.entries() if e["id"] not in done])
        return [e["what"] for e in failed]


def _alive(pid) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def undo(phone: Phone, step: dict) -> None:
    op = step["op"]
    q = shlex.quote
    if op == "setting":
        ns, key, previous = step["namespace"], step["key"], step.get("previous")
        if previous is None:
            if key == "http_proxy":  # ":0" makes Android drop the proxy at once; delete alone may not
                phone.shell(f"settings put {q(ns)} {q(key)} :0")
            phone.shell(f"settings delete {q(ns)} {q(key)}")
        else:
            phone.shell(f"settings put {q(ns)} {q(key)} {q(previous)}")
        now = phone.shell(f"settings get {q(ns)} {q(key)}").strip()
        if now != (previous if previous is not None else "null"):
            raise DeviceError(f"{ns} {key} is still {now!r}")
    elif op == "setprop":
        phone.root(f"setprop {q(step['key'])} {q(step.get('previous') or '')}")
    elif op == "reverse":
        phone.reverse_remove(step["remote"])
    elif op == "umount":
        ns = step.get("ns_pid")
        command = f"umount {q(step['target'])}"
        if ns is not None:
            command = f"nsenter --mount=/proc/{int(ns)}/ns/mnt -- {command}"
        out = phone.root(command)
        if out.strip() and "not mounted" not in out and "No such file" not in out:
            raise DeviceError(out.strip()[:200])
    elif op == "selinux":
        phone.root(f"setenforce {1 if step['previous'] == 'Enforcing' else 0}")
    elif op == "kill":
        pids = phone.shell(f"pidof {q(step['name'])}").split()
        if pids:
            phone.root("kill " + " ".join(p for p in pids if p.isdigit()))
    elif op == "remove_file":
        phone.root(f"rm -f {q(step['path'])}")
    else:
        raise DeviceError(f"unknown undo step {op!r} in the journal")
