"""What a capture session asks of the thing it captures: start, running, counts, close.

A target is handed a `TargetContext` when the proxy is up; it starts the app under the agent,
reports whether it still runs and how many hook events it sent, and on `close` ends what it
started and may give the run's final word (a crash the session could not see)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

from .. import events as ev
from ..capture.connections import ConnectionRegistry


@dataclass
class TargetContext:
    session_id: str
    session_dir: Path
    writer: object
    proxy_port: int
    proxy_ca: Path
    progress: Callable[[str], None]
    on_signal: Callable[[ev.HookEvent], None] | None = None  # a raw UI/consent signal (screenshots)
    connections: ConnectionRegistry | None = None  # for targets that redirect: report connections here
    socks_port: int | None = None  # the proxy's SOCKS5 listener, where redirected connections go


@dataclass
class TargetCounts:
    hook_events: int = 0
    signals: int = 0  # clicks, dialogs, SDK privacy calls: what the analysis judges consent from
    batches: int = 0  # agent messages that carried hook events
    flows: int = 0  # flows the target stored itself (TLS plaintext read in the app), beside the proxy's


@dataclass
class Outcome:
    """A target's final word on the run, when it knows better than the poll loop."""

    status: str
    reason: str


class RunAborted(RuntimeError):
    """The run cannot go on (set-up failed, the app or its phone went away): ends it interrupted."""


class Target(Protocol):
    name: str  # "lab" or "device": the session's target column
    meta: dict  # what the target adds to the session's metadata
    proxy_addons: list  # e.g. the lab's router to its simulated internet
    redirects: (
        bool  # its agent redirects connect() and reports every connection: flows of others are left out
    )

    def start(self, context: TargetContext) -> str: ...  # a line for the tester: what runs, its pid

    def running(self) -> bool: ...

    def counts(self) -> TargetCounts: ...

    def close(self) -> Outcome | None: ...
