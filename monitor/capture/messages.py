"""The agent's messages as the host reads them: the wire format declared in hooks/src/messages.ts,
read here field by field (tests/capture/test_messages.py checks the two agree)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import events as ev

# The message types the agent sends (hooks/src/messages.ts AgentMessage).
AGENT_MESSAGE_TYPES = (
    ev.MSG_HOOK_EVENTS,
    ev.MSG_AGENT_ERROR,
    ev.MSG_LATE_INSTALL,
    ev.MSG_UNPIN_BYPASSED,
    ev.MSG_TLS_NATIVE,
    ev.MSG_TLS_DATA,
    ev.MSG_TLS_END,
    ev.MSG_TLS_LIBRARY,
)


@dataclass(frozen=True)
class WireHookEvent:
    """hooks/src/messages.ts HookEvent."""

    seq: int
    ts_ms: float
    entry: str
    api: str
    pi_category: str | None
    pi_type: str | None
    sensitive: bool
    signal: str | None
    args: list
    ret: Any
    stack: list
    thread: str | None
    self: Any = None

    @classmethod
    def read(cls, raw: dict) -> "WireHookEvent":
        """One event of a batch (called per hooked call: plain lookups); a missing optional field is
        None (or empty), a missing required one raises KeyError."""
        get = raw.get
        return cls(
            raw["seq"],
            raw["ts_ms"],
            raw["entry"],
            raw["api"],
            get("pi_category"),
            get("pi_type"),
            bool(get("sensitive", False)),
            get("signal"),
            get("args") or [],
            get("ret"),
            get("stack") or [],
            get("thread"),
            get("self"),
        )
