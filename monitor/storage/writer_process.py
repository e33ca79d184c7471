"""The one writer, hosted in a process of its own for the capture paths (`privmon run`, `privmon lab
run`, the standalone mitmdump addon).

In-process, the writer thread's SQLite work took the proxy's interpreter lock and CPU from
mitmproxy's event loop (bench/bench_proxy.py: ratio 0.78 with the thread, 0.93 with no writer
at all). Here the capturing process only appends records to a list; a sender thread pickles
them in batches every SEND_INTERVAL_S to a child interpreter (`python -m
monitor.storage.writer_process DB`), which runs the same EventWriter. Same interface as
EventWriter: submit, submit_many, flush, close, errors, written.

Frames on both pipes: 4-byte big-endian length, then a pickle of (kind, payload). Parent → child:
("records", [...]), ("flush", n), ("watch", values), ("stop", None). Child → parent: ("flushed",
(n, written, errors)), ("live", count). With `count_live(values)` the child also keeps the live
count of watched values in captured requests (progress only), so that scan is off the proxy's
interpreter too. A child that dies is reported in `errors` and flush() returns False; the child ends by
itself when the parent goes away (EOF on its stdin), committing what it had.
"""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

SEND_INTERVAL_S = 0.05
MAX_PENDING = 100_000  # records waiting to be sent; past this, submit waits (bounded memory)
WRITER_NICENESS = 10
_LEN = struct.Struct(">I")


def _send(stream, kind: str, payload: Any) -> None:
    data = pickle.dumps((kind, payload), protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LEN.pack(len(data)) + data)
    stream.flush()


def _receive(stream) -> tuple[str, Any] | None:
    head = stream.read(_LEN.size)
    if len(head) < _LEN.size:
        return None
    size = _LEN.unpack(head)[0]
    data = stream.read(size)
    if len(data) < size:
        return None
    return pickle.loads(data)


class WriterProcess:
    # Records may also be captures (objects with to_record(), e.g. addons/flow_convert.FlowCapture):
    # the child builds the record, so the capturing thread only takes the raw state.
    takes_captures = True

    def __init__(self, db_path: Path) -> None:
        from ..config import PACKAGE_ROOT

        self.db_path = db_path
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(PACKAGE_ROOT), os.environ.get("PYTHONPATH", "")) if p
            ),
        }
        self._child = subprocess.Popen(
            [sys.executable, "-m", "monitor.storage.writer_process", str(db_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        try:  # the capture comes first; the writer catches up when the CPU is free (the pipe buffers)
            os.setpriority(os.PRIO_PROCESS, self._child.pid, WRITER_NICENESS)
        except (AttributeError, OSError):
            pass
        self.errors: list[str] = []
        self.written = 0
        self.live_matches = 0
        self._pending: list[Any] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._flushes = 0
        self._flushed: dict[int, threading.Event] = {}
        self._sender = threading.Thread(target=self._send_loop, name="privmon-writer-sender", daemon=True)
        self._reader = threading.Thread(target=self._read_loop, name="privmon-writer-replies", daemon=True)
        self._sender.start()
        self._reader.start()

    # -- producer side (any thread) ----------------------------------------------------------
    def submit(self, record: Any) -> None:
        self.submit_many([record])

    def submit_many(self, records: list[Any]) -> None:
        if self._closed:
            raise RuntimeError("the writer is closed")
        while len(self._pending) > MAX_PENDING and self._alive():
            self._wake.set()  # the child is behind for long: wait for it rather than grow without end
            time.sleep(0.01)
        with self._lock:
            self._pending.extend(records)

    def count_live(self, watch_values: list[dict]) -> None:
        """Count these values in every FlowRecord submitted from now on (`live_matches`)."""
        with self._lock:
            self._pending.append(_Watch(watch_values))
        self._wake.set()

    def flush(self, timeout: float | None = 30.0) -> bool:
        """Wait until everything submitted so far is committed by the child."""
        if not self._alive():
            self._reader.join(5)  # its last words (the exit code) go into `errors`
            return False
        with self._lock:
            self._flushes += 1
            number = self._flushes
            done = self._flushed[number] = threading.Event()
            self._pending.append(_Flush(number))
        self._wake.set()
        return done.wait(timeout) and self._alive()

    def commit(self, timeout: float | None = 30.0) -> None:
        """flush(), then StoreError when anything could not be stored (as EventWriter.commit)."""
        from .engine import StoreError

        if not self.flush(timeout):
            raise StoreError(
                f"{self.db_path}: the writer did not commit ({'; '.join(self.errors) or 'no answer'})"
            )
        if self.errors:
            raise StoreError(f"{self.db_path}: could not write to the store ({self.errors[0]})")

    def _alive(self) -> bool:
        return self._child.poll() is None and self._sender.is_alive()

    def alive(self) -> bool:
        """False once the child is gone: nothing submitted after that is stored."""
        return self._closed or self._alive()

    def close(self) -> None:
        if self._closed:
            return
        if self._alive():
            self.flush(timeout=120)
        self._closed = True
        self._wake.set()
        self._sender.join(30)
        try:
            self._child.wait(60)
        except subprocess.TimeoutExpired:
            self._child.kill()
            self.errors.append("the writer process did not end within 60 s and was killed")
        self._reader.join(10)

    def __enter__(self) -> "WriterProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- sender and reply threads ---------------------------------------------------------------
    def _send_loop(self) -> None:
        stream = self._child.stdin
        try:
            while True:
                self._wake.wait(SEND_INTERVAL_S)
                self._wake.clear()
                with self._lock:
                    batch, self._pending = self._pending, []
                records: list[Any] = []
                for item in batch:
                    if isinstance(item, (_Flush, _Watch)):
                        if records:
                            _send(stream, "records", records)
                            records = []
                        if isinstance(item, _Flush):
                            _send(stream, "flush", item.number)
                        else:
                            _send(stream, "watch", item.values)
                    else:
                        records.append(item)
                if records:
                    _send(stream, "records", records)
                if self._closed and not self._pending:
                    _send(stream, "stop", None)
                    stream.close()
                    return
        except (BrokenPipeError, OSError, ValueError) as exc:
            self._died(f"the writer process is gone ({exc}); records after that point were not stored")

    def _read_loop(self) -> None:
        while (message := _receive(self._child.stdout)) is not None:
            kind, payload = message
            if kind == "live":
                self.live_matches = payload
            elif kind == "flushed":
                number, self.written, errors = payload
                self.errors[:] = errors
                event = self._flushed.pop(number, None)
                if event is not None:
                    event.set()
        code = self._child.wait()
        if code not in (0, None) and not self._closed:
            self._died(f"the writer process exited with code {code}")
        for event in list(self._flushed.values()):
            event.set()  # flush() sees the dead child and returns False

    def _died(self, reason: str) -> None:
        if reason not in self.errors:
            self.errors.append(reason)
        for event in list(self._flushed.values()):
            event.set()


class _Flush:
    def __init__(self, number: int) -> None:
        self.number = number


class _Watch:
    def __init__(self, values: list[dict]) -> None:
        self.values = values


def _built(items: list, errors: list[str]) -> list:
    """Records, with captures built into theirs; one that cannot be built is reported, not fatal."""
    out = []
    for item in items:
        if not hasattr(item, "to_record"):
            out.append(item)
            continue
        try:
            out.append(item.to_record())
        except Exception as exc:  # noqa: BLE001 - captured content is hostile: never lose the rest
            errors.append(
                f"flow {getattr(item, 'flow_id', '?')} could not be stored: {type(exc).__name__}: {exc}"
            )
    return out


def _child_main(db_path: str) -> int:
    from .. import events as ev
    from ..codec.quick_count import quick_counter
    from .writer import EventWriter

    source, replies = sys.stdin.buffer, sys.stdout.buffer
    matcher, live = None, 0
    with EventWriter(Path(db_path)) as writer:
        while (message := _receive(source)) is not None:
            kind, payload = message
            if kind == "records":
                payload = _built(payload, writer.errors)
                writer.submit_many(payload)
                if matcher is not None:
                    found = sum(matcher.count(vars(r)) for r in payload if isinstance(r, ev.FlowRecord))
                    if found:
                        live += found
                        _send(replies, "live", live)
            elif kind == "watch":
                matcher = quick_counter(payload)
            elif kind == "flush":
                writer.flush(timeout=None)
                _send(replies, "flushed", (payload, writer.written, list(writer.errors)))
            elif kind == "stop":
                break
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1]))
