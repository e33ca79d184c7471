"""The agent's messages are declared once (hooks/src/messages.ts) and read by the host as declared."""

import dataclasses
import re

from monitor.capture.messages import AGENT_MESSAGE_TYPES, WireHookEvent
from monitor.config import HOOKS_DIR

SOURCE = (HOOKS_DIR / "src" / "messages.ts").read_text(encoding="utf-8")


def _interface(name: str) -> list[str]:
    body = re.search(r"export interface %s \{(.*?)\n\}" % name, SOURCE, re.S).group(1)
    return re.findall(r"^\s+(\w+)\??:", body, re.M)


def test_the_host_reads_every_field_of_a_hook_event_and_no_other():
    assert [f.name for f in dataclasses.fields(WireHookEvent)] == _interface("HookEvent")


def test_the_host_knows_every_message_type_the_agent_sends():
    union = [
        name.strip()
        for name in re.search(r"export type AgentMessage =(.*?);", SOURCE, re.S).group(1).split("|")
        if name.strip()
    ]
    sent = {
        re.search(r'type: "([^"]+)"', SOURCE[SOURCE.index(f"interface {name}") :]).group(1) for name in union
    }
    assert sent == set(AGENT_MESSAGE_TYPES)


def test_the_agent_sends_only_through_the_declared_messages():
    for path in (HOOKS_DIR / "src").glob("*.ts"):
        if path.name != "messages.ts":
            assert re.search(r"\bsend\(", path.read_text(encoding="utf-8")) is None, path.name


def test_the_agent_is_compiled_strictly():
    assert '"strict": true' in (HOOKS_DIR / "tsconfig.json").read_text(encoding="utf-8")


def test_a_hook_event_missing_a_required_field_is_not_read():
    raw = {"seq": 1, "ts_ms": 1.0, "entry": "x", "api": "a.B.c", "sensitive": True}
    assert WireHookEvent.read(raw).sensitive is True
    del raw["api"]
    try:
        WireHookEvent.read(raw)
    except KeyError as exc:
        assert "api" in str(exc)
    else:
        raise AssertionError("read an event without its api")
