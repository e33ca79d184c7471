"""The writer hosted in its own process (the capture paths use it): same results as the thread
writer, bad records reported, a dead child reported, a killed parent leaves a committed store."""

import json
import os
import signal
import subprocess
import sys
import time

from monitor import events as ev
from monitor.device_profile import load_profile
from monitor.storage.queries import StoreReader
from monitor.storage.writer_process import WriterProcess
from tests.conftest import REPO
from tests.storage.test_store import _hook


def _flow(sid: str, fid: str, body: bytes) -> ev.FlowRecord:
    return ev.FlowRecord(
        fid,
        sid,
        5,
        6,
        "POST",
        "https",
        "ulogs.umeng.com",
        443,
        "https://ulogs.umeng.com/x",
        "HTTP/1.1",
        [["content-type", "application/json"]],
        body,
        len(body),
        False,
        200,
        [],
        b"",
        0,
        tls=True,
    )


def test_records_land_in_order_and_bad_ones_cost_only_themselves(settings):
    with WriterProcess(settings.db_path) as writer:
        writer.submit(ev.SessionStarted("s1", "com.example", "lab", 10))
        writer.submit_many([_hook("s1", i, 100 + i) for i in range(500)])
        writer.submit(_hook("missing-session", 999, 1))
        writer.submit(ev.SessionEnded("s1", 2000, ev.SESSION_COMPLETED, "done"))
        assert writer.flush()
        assert writer.written == 502 and len(writer.errors) == 1 and "HookEvent" in writer.errors[0]
    with StoreReader(settings.db_path) as reader:
        assert [e["seq"] for e in reader.hook_events("s1")] == list(range(500))
        assert reader.session("s1")["status"] == "completed"


def test_the_child_counts_watched_values_live(settings):
    imei = load_profile("lab").identifiers["imei"]
    with WriterProcess(settings.db_path) as writer:
        writer.count_live(load_profile("lab").watch_values())
        writer.submit(ev.SessionStarted("s1", "com.example", "lab", 10))
        writer.submit(_flow("s1", "f1", json.dumps({"imei": imei}).encode()))
        writer.submit(_flow("s1", "f2", b"nothing here"))
        assert writer.flush()
        deadline = time.monotonic() + 10
        while writer.live_matches == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert writer.live_matches >= 1


def test_a_dead_writer_process_is_reported(settings):
    writer = WriterProcess(settings.db_path)
    writer.submit(ev.SessionStarted("s1", "com.example", "lab", 10))
    assert writer.flush()
    writer._child.kill()
    writer._child.wait(10)
    writer.submit(_hook("s1", 1, 1))
    assert writer.flush(timeout=10) is False
    assert writer.errors and ("gone" in writer.errors[-1] or "exited" in writer.errors[-1])
    writer.close()


def test_a_killed_parent_leaves_what_was_sent_committed(settings):
    script = f"""
import os, signal, sys
sys.path.insert(0, {str(REPO)!r})
from pathlib import Path
from monitor import events as ev
from monitor.storage.writer_process import WriterProcess
from tests.storage.test_store import _hook
w = WriterProcess(Path({str(settings.db_path)!r}))
w.submit(ev.SessionStarted("s1", "com.example", "lab", 10))
w.submit_many([_hook("s1", i, i) for i in range(200)])
assert w.flush()
print(w._child.pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=REPO
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    child = int(proc.stdout.split()[0])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the writer process outlived its parent")
    with StoreReader(settings.db_path) as reader:
        assert len(reader.hook_events("s1")) == 200


def test_captures_are_built_into_records_by_the_child_and_a_broken_one_costs_only_itself(settings):
    from mitmproxy.test import tflow

    from addons.flow_convert import capture_flow, flow_to_record

    flow = tflow.tflow(resp=True)
    flow.request.content = b'{"imei":"861234567890123"}'
    broken = capture_flow(tflow.tflow(resp=True), "s1")._replace(request={"not": "a request state"})
    with WriterProcess(settings.db_path) as writer:
        writer.submit(ev.SessionStarted("s1", "com.example", "lab", 10))
        writer.submit_many([broken, capture_flow(flow, "s1")])
        assert writer.flush()
        assert writer.written == 2 and len(writer.errors) == 1 and "could not be stored" in writer.errors[0]
    with StoreReader(settings.db_path) as reader:
        stored = reader.flows("s1")
    expected = flow_to_record(flow, "s1")
    assert len(stored) == 1 and stored[0]["id"] == flow.id
    assert stored[0]["url"] == expected.url and stored[0]["request_body"] == expected.request_body
    assert stored[0]["request_headers"] == expected.request_headers and stored[0]["status_code"] == 200
