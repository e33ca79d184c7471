"""Where a job can be sent: one phone, any phone of one host, or any free phone."""

from __future__ import annotations

import socket

ANY = "any"


def phone_queue(serial: str) -> str:
    return f"phone.{serial}"


def host_queue(host: str) -> str:
    return f"host.{host}"


def this_host() -> str:
    return socket.gethostname()


def queues_of(serial: str, host: str) -> list[str]:
    """What the worker of one phone serves: its own queue, its host's, and the shared one."""
    return [phone_queue(serial), host_queue(host), ANY]


def describe(queue: str) -> str:
    """A queue as a person reads it in `privmon jobs`."""
    kind, _, name = queue.partition(".")
    return {"phone": f"phone {name}", "host": f"any phone of {name}"}.get(kind, "any free phone")
