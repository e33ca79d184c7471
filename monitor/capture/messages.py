"""The agent's messages as the host reads them: the wire format declared in hooks/src/messages.ts,
read here field by field (tests/capture/test_messages.py checks the two agree)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from .. import events as ev

# The message types the agent sends (hooks/src/messages.ts AgentMessage).
AGENT_MESSAGE_TYPES = (ev.MSG_HOOK_EVENTS, ev.MSG_AGENT_ERROR, ev.MSG_LATE_INSTALL, ev.MSG_UNPIN_BYPASSED)


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
        """One event of a batch; a missing optional field is None, a missing required one raises KeyError."""
        values = {}
        for f in fields(cls):
            if f.name in raw:
                values[f.name] = raw[f.name]
            elif f.name in ("self", "pi_category", "pi_type", "signal", "thread", "ret"):
                values[f.name] = None
            elif f.name in ("args", "stack"):
                values[f.name] = []
            elif f.name == "sensitive":
                values[f.name] = False
            else:
                raise KeyError(f.name)
        return cls(**values)
