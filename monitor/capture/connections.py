"""The app's connections as its agents reported them, for the proxy to know which flows are the app's.

Every TCP connection a hooked process opens is a `net.connect` hook event carrying the socket's
local port. A redirected connection also names itself in its SOCKS5 credentials
("privmon:PID:SEQ", the event's process and sequence number), which the proxy sees whatever path
the connection took (through `adb reverse` the client port the proxy sees is adb's). A connection
that used the proxy setting (proxy-aware) is known by its port, which the proxy sees as the
client's where app and proxy share a machine (the lab). A flow that is neither is another
process's (the phone's other apps share the proxy) and is left out of the session, counted by
host. Ports are reused, so the latest connection on a port is the one that counts. Thread-safe:
the agents' messages arrive on Frida's threads, flows on the proxy's loop.
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
        self._by_opener: dict[tuple[int, int], Connection] = {}
        self._claims: dict[str, tuple[int, int]] = {}  # the proxy's client id → (pid, seq) it named
        self._native_tls: set[int] = set()
        self._lock = threading.Lock()
        self.foreign = Counter()  # host → flows no hooked process opened

    def opened(self, connection: Connection) -> None:
        with self._lock:
            self._by_port[connection.local_port] = connection
            self._by_opener[(connection.pid, connection.seq)] = connection
            self._native_tls.discard(connection.local_port)

    def claim(self, client_id: str, credentials: str) -> bool:
        """The SOCKS5 user name of a redirected connection: "privmon:PID:SEQ". False: not ours."""
        tag, _, rest = credentials.partition(":")
        pid, _, seq = rest.partition(":")
        if tag != "privmon" or not pid.isdigit() or not seq.isdigit():
            return False
        with self._lock:
            self._claims[client_id] = (int(pid), int(seq))
        return True

    def of_client(self, client_id: str, local_port: int | None) -> Connection | None:
        """The connection behind a proxy client: by the credentials it gave, else by its port."""
        with self._lock:
            claim = self._claims.get(client_id)
            if claim is not None:
                return self._by_opener.get(claim)
            return None if local_port is None else self._by_port.get(local_port)

    def claimed(self, client_id: str) -> bool:
        with self._lock:
            return client_id in self._claims

    def find(self, local_port: int | None) -> Connection | None:
        if local_port is None:
            return None
        with self._lock:
            return self._by_port.get(local_port)

    async def wait_for(
        self, client_id: str, local_port: int | None, timeout: float = LATE_S
    ) -> Connection | None:
        """of_client(), waiting a little for a record still on its way from the agent."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.of_client(client_id, local_port)
            if found is not None or time.monotonic() >= deadline:
                return found
            if local_port is None and not self.claimed(client_id):
                return None
            await asyncio.sleep(0.02)

    def native_tls(self, local_port: int) -> None:
        """The connection's TLS is done by a native library the agent reads plaintext from: the
        proxy passes it through untouched (no certificate of ours for native code to refuse)."""
        with self._lock:
            self._native_tls.add(local_port)

    def is_native_tls(self, client_id: str, local_port: int | None) -> bool:
        connection = self.of_client(client_id, local_port)
        with self._lock:
            return connection is not None and connection.local_port in self._native_tls

    def left_out(self, host: str) -> None:
        with self._lock:
            self.foreign[host] += 1

    def left_out_summary(self) -> dict:
        with self._lock:
            return {"flows": sum(self.foreign.values()), "hosts": dict(self.foreign.most_common(50))}
