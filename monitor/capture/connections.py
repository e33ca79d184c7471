"""The app's connections as its agents reported them, for the proxy to know which flows are the app's.

Every TCP connection a hooked process opens is a `net.connect` hook event carrying the socket's
local port: the port the proxy sees as the client's. A flow whose client port no hooked process
reported is another process's (the phone's other apps share the proxy) and is left out of the
session, counted by host. Ports are reused, so the latest connection on a port is the one that
counts. Thread-safe: the agents' messages arrive on Frida's threads, flows on the proxy's loop.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from dataclasses import dataclass

LATE_S = 1.0  # how long a flow waits for its connection's record (agent messages are asynchronous)

CAPTURE_PATHS = ("proxy-aware", "redirected", "tls-plaintext", "raw")


@dataclass(frozen=True)
class Connection:
    pid: int
    seq: int  # the net.connect hook event's sequence number in that process
    local_port: int
    capture_path: str  # proxy-aware (the app used the proxy) or redirected (connect() was)
    host: str | None
    ip: str
    port: int


class ConnectionRegistry:
    def __init__(self) -> None:
        self._by_port: dict[int, Connection] = {}
        self._native_tls: set[int] = set()
        self._lock = threading.Lock()
        self.foreign = Counter()  # host → flows no hooked process opened

    def opened(self, connection: Connection) -> None:
        with self._lock:
            self._by_port[connection.local_port] = connection
            self._native_tls.discard(connection.local_port)

    def find(self, local_port: int | None) -> Connection | None:
        if local_port is None:
            return None
        with self._lock:
            return self._by_port.get(local_port)

    async def wait_for(self, local_port: int | None, timeout: float = LATE_S) -> Connection | None:
        deadline = time.monotonic() + timeout
        while True:
            found = self.find(local_port)
            if found is not None or local_port is None or time.monotonic() >= deadline:
                return found
            await asyncio.sleep(0.02)

    def native_tls(self, local_port: int) -> None:
        """The connection's TLS is done by a native library the agent reads plaintext from: the
        proxy passes it through untouched (no certificate of ours for native code to refuse)."""
        with self._lock:
            self._native_tls.add(local_port)

    def is_native_tls(self, local_port: int | None) -> bool:
        with self._lock:
            return local_port in self._native_tls

    def left_out(self, host: str) -> None:
        with self._lock:
            self.foreign[host] += 1

    def left_out_summary(self) -> dict:
        with self._lock:
            return {"flows": sum(self.foreign.values()), "hosts": dict(self.foreign.most_common(50))}
