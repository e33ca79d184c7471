"""The hook runner against real Frida sessions: whatever a script sends is stored."""

import sys
import time

import frida
import pytest

from monitor import events as ev
from monitor.capture.hook_runner import HookRunner
from monitor.storage.queries import StoreReader

NOISY_SCRIPT = """
send({type: "something:new", detail: 42});
send("a bare string");
rpc.exports = { now() { return Date.now(); } };
setTimeout(() => { throw new Error("boom in the agent"); }, 10);
"""


@pytest.fixture
def target():
    device = frida.get_local_device()
    pid = device.spawn([sys.executable, "-c", "import time; time.sleep(60)"])
    session = device.attach(pid)
    device.resume(pid)
    yield device, pid, session
    try:
        device.kill(pid)
    except (frida.ProcessNotFoundError, frida.NotSupportedError):
        pass  # gone already; NotSupportedError: exited but not reaped yet ("failed to open /proc/PID/auxv")


def test_unknown_messages_and_script_errors_are_recorded(settings, writer, target):
    device, pid, session = target
    writer.submit(ev.SessionStarted("s1", "python", "lab", 0))
    runner = HookRunner(session, pid, "s1", writer)
    runner.load(NOISY_SCRIPT)
    sample = runner.sync_clock()
    time.sleep(0.5)
    device.kill(pid)
    assert runner.detached.wait(10)
    writer.flush()
    with StoreReader(settings.db_path) as reader:
        messages = reader.agent_messages("s1")
        clock = reader.clock_samples("s1")
    types = [m["type"] for m in messages]
    assert "something:new" in types
    assert "agent:unknown" in types  # the bare string
    script_errors = [m for m in messages if m["type"] == "agent:script-error"]
    assert script_errors and "boom in the agent" in script_errors[0]["payload"]["description"]
    assert "agent:detached" in types
    assert abs(sample.offset_us) < 1_000_000 and sample.error_us >= 500  # same machine, ms clock
    assert clock[0]["offset_us"] == sample.offset_us


def test_the_clock_offset_is_not_moved_by_measurement_noise(settings, writer, target):
    """Re-measured within its error bounds, the offset stays what it was: hook events a millisecond
    apart are never reordered by a new measurement (rules compare their times)."""
    _device, pid, session = target
    writer.submit(ev.SessionStarted("s1", "python", "lab", 0))
    runner = HookRunner(session, pid, "s1", writer)
    runner.load(NOISY_SCRIPT)
    samples = [runner.sync_clock() for _ in range(6)]
    assert len({s.offset_us for s in samples}) == 1, [s.offset_us for s in samples]
    runner.offset_us += 50_000  # as if the device clock had been set back 50 ms meanwhile
    moved = runner.sync_clock()
    # a real change is taken: the new measurement, back near the first
    assert abs(moved.offset_us - samples[0].offset_us) <= moved.error_us + samples[0].error_us
