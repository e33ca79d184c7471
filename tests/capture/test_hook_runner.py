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


TICKING_SCRIPT = """
rpc.exports = {
  now() { return Date.now(); },
  emit(seqs, tsMs) {
    send({type: "hook:events", events: seqs.map((seq) => ({
      seq, ts_ms: tsMs, entry: "e", api: "a.B.c", pi_category: null, pi_type: null, sensitive: false,
      signal: null, args: [], ret: null, stack: [], thread: "main"}))});
  },
};
"""


def test_host_times_keep_the_process_call_order(settings, writer, target):
    """Calls in one millisecond tick, and a clock offset re-measured smaller between two calls, still
    give host times in the order the process made the calls (rules compare them: a permission
    request must come before the read it allows)."""
    _device, pid, session = target
    writer.submit(ev.SessionStarted("s1", "python", "lab", 0))
    runner = HookRunner(session, pid, "s1", writer)
    runner.load(TICKING_SCRIPT)
    runner.offset_us = 0
    runner._script.exports_sync.emit([1, 2, 3], 1_000_000.0)  # three calls in one tick
    time.sleep(0.3)
    runner.offset_us = 5_000  # re-measured: the device clock now reads 5 ms ahead
    runner._script.exports_sync.emit([4], 1_000_002.0)  # 2 ms later on the device
    time.sleep(0.3)
    writer.flush()
    with StoreReader(settings.db_path) as reader:
        events = reader.hook_events("s1")
    by_seq = [e["ts"] for e in sorted(events, key=lambda e: e["seq"])]
    assert len(by_seq) == 4 and all(a < b for a, b in zip(by_seq, by_seq[1:])), by_seq
    assert by_seq[0] == 1_000_000_000  # device time minus the offset where nothing needs fixing
