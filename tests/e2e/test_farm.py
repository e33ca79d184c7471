"""The farm on one machine: a real Redis broker on loopback, three `privmon worker` processes each
serving its own simulated phone, runs queued with `privmon submit`, followed with `privmon jobs`."""

import json
import os
import shutil
import signal
import subprocess
import time
from contextlib import ExitStack, contextmanager

import pytest

from monitor.device_profile import load_profile
from monitor.lab.adbd import lab_state
from tests.conftest import PRIVMON, REPO, free_port, run_cli, wait_until
from tests.simphone import simulated_phone

BEFORE = "10.0.0.2:3128"  # the tester's own proxy setting, which must come back exactly


@pytest.fixture(scope="module")
def broker():
    server = shutil.which("redis-server")
    assert server, "redis-server is missing: run `make setup`"
    port = free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        import redis

        assert wait_until(lambda: _pings(redis, port), timeout=30), "redis-server did not start"
        yield url
    finally:
        proc.terminate()
        proc.wait(30)


def _pings(redis, port) -> bool:
    try:
        return redis.Redis(host="127.0.0.1", port=port, socket_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        return False


def _state():
    state = lab_state(load_profile("lab"))
    state.settings["global/http_proxy"] = BEFORE
    return state


@contextmanager
def _worker(home, broker, serial):
    log = home.parent / f"worker-{serial.replace(':', '_')}-{time.monotonic_ns()}.log"
    with open(log, "w") as stderr:
        proc = subprocess.Popen(
            [*PRIVMON, "worker", "--device", serial, "--broker", broker],
            cwd=REPO,
            env={**os.environ, "PRIVMON_HOME": str(home)},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
    try:
        serving = f"worker privmon-{serial}@"
        assert wait_until(lambda: serving in log.read_text() or proc.poll() is not None, 60)
        assert proc.poll() is None, log.read_text()
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(120)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(30)


def _jobs(home) -> list[dict]:
    proc = run_cli(home, "jobs", "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _submit(home, broker, *args, kind=("run", "com.labapp.shop")) -> list[str]:
    proc = run_cli(home, "submit", *kind, "--broker", broker, "--json", *args)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["jobs"]


def test_nine_runs_on_three_workers_complete_once_each_with_the_findings_of_a_local_run(tmp_path, broker):
    home = tmp_path / "home"
    states = [_state() for _ in range(3)]
    with ExitStack() as stack:
        phones = [stack.enter_context(simulated_phone(state)) for state in states]
        local = run_cli(
            tmp_path / "local", "run", "com.labapp.shop", "--device", phones[0].serial, "--no-keys", "--json"
        )
        assert local.returncode == 0, local.stderr
        expected = sorted(f["rule_id"] for f in json.loads(local.stdout)["findings"])
        assert expected
        for phone in phones:
            stack.enter_context(_worker(home, broker, phone.serial))
        ids = _submit(home, broker, "--count", "9")
        assert len(ids) == 9
        done = run_cli(home, "jobs", "--wait", "--wait-timeout", "1500", timeout=1600)
        assert done.returncode == 0, done.stderr
        jobs = {j["id"]: j for j in _jobs(home)}
    assert set(jobs) == set(ids)
    assert {j["state"] for j in jobs.values()} == {"completed"}, [
        (j["state"], j["error"]) for j in jobs.values()
    ]
    sessions = {j["session_id"] for j in jobs.values()}
    assert len(sessions) == 9 and None not in sessions
    stored = {s["id"]: s for s in json.loads(run_cli(home, "sessions", "--json").stdout)}
    assert all(stored[s]["status"] == "completed" for s in sessions)
    for job in jobs.values():
        assert job["result"]["findings"] == expected, job["id"]
    # no phone ran two jobs at once, and the work was spread over the phones
    by_phone: dict[str, list] = {}
    for job in jobs.values():
        by_phone.setdefault(job["serial"], []).append((job["started_at"], job["ended_at"]))
    assert len(by_phone) >= 2, by_phone
    for spans in by_phone.values():
        spans.sort()
        assert all(end <= next_start for (_, end), (next_start, _) in zip(spans, spans[1:])), spans
    for state in states:
        assert state.settings["global/http_proxy"] == BEFORE and state.reverses == {}


def test_a_worker_killed_mid_run_leaves_its_job_interrupted_and_its_phone_restored(tmp_path, broker):
    home = tmp_path / "home"
    state = _state()
    with simulated_phone(state) as phone:
        with _worker(home, broker, phone.serial) as worker:
            # a run held before its consent tap (the lab app's tester waits a minute)
            held = ["--driver", "tester", "--lab-prop", "consentDelayMs=60000"]
            [job_id] = _submit(home, broker, "--phone", phone.serial, *held)
            assert wait_until(lambda: _jobs(home)[0]["state"] == "running", timeout=120)
            assert wait_until(lambda: state.settings.get("global/http_proxy", "").startswith("127.0.0.1:"))
            worker.kill()  # the worker's one process (Celery's solo pool), not the run it started
            worker.wait(30)
        # the run, told by the kernel that its worker died, ends as on Ctrl-C and restores the phone
        assert wait_until(lambda: state.settings["global/http_proxy"] == BEFORE and not state.reverses, 120)
        with _worker(home, broker, phone.serial):  # the next worker on the phone says what happened
            job = next(j for j in _jobs(home) if j["id"] == job_id)
            assert job["state"] == "interrupted" and "killed" in job["error"]
            [after] = _submit(home, broker, "--phone", phone.serial)
            assert run_cli(home, "jobs", "--wait", "--wait-timeout", "600", timeout=700).returncode == 0
            job = next(j for j in _jobs(home) if j["id"] == after)
            assert job["state"] == "completed", job["error"]
            # the other kinds of job: an export and an analysis of that run, a batch on the phone
            session = job["session_id"]
            [exported] = _submit(home, broker, kind=("export", session))
            [analysed] = _submit(home, broker, kind=("analyze", session))
            [batch] = _submit(home, broker, "--scenario", "agree", kind=("batch", "com.labapp.shop"))
            assert run_cli(home, "jobs", "--wait", "--wait-timeout", "600", timeout=700).returncode == 0
            jobs = {j["id"]: j for j in _jobs(home)}
        assert all(jobs[i]["state"] == "completed" for i in (exported, analysed, batch)), jobs
        bundle = jobs[exported]["result"]["bundle"]
        assert run_cli(home, "verify", bundle).returncode == 0
        assert jobs[analysed]["session_id"] == session
        [batch_run] = jobs[batch]["result"]["runs"]
        assert batch_run["status"] == "completed" and batch_run["session"]


def test_submit_and_jobs_refuse_what_cannot_work_in_one_line(tmp_path):
    port = free_port()  # nobody listens there
    refused = run_cli(tmp_path, "submit", "run", "com.labapp.shop", "--broker", f"redis://127.0.0.1:{port}/0")
    assert refused.returncode == 6 and "did not take the job" in refused.stderr
    assert "Traceback" not in refused.stderr
    [job] = _jobs(tmp_path)
    assert job["state"] == "failed"  # stored, never left queued
    unreachable = run_cli(tmp_path, "worker", "--device", "emu-1", "--broker", f"redis://127.0.0.1:{port}/0")
    assert unreachable.returncode == 6 and "cannot be reached" in unreachable.stderr
    assert "Traceback" not in unreachable.stderr
    # several phones: a worker process each, and the first failure is the command's
    two = run_cli(tmp_path, "worker", "-s", "emu-1", "-s", "emu-2", "--broker", f"redis://127.0.0.1:{port}/0")
    assert two.returncode == 6 and two.stderr.count("cannot be reached") == 2
    assert run_cli(tmp_path, "submit", "run", "x", "--broker", "amqp://x").returncode == 2
    assert run_cli(tmp_path, "submit", "export", "no-such-session").returncode == 3
    assert run_cli(tmp_path, "jobs", "--state", "nonsense").returncode == 2
    both = run_cli(tmp_path, "submit", "run", "x", "--phone", "a", "--host", "b")
    assert both.returncode == 2 and "not both" in both.stderr


def test_the_dashboard_shows_the_jobs_as_stored_and_escapes_what_a_run_printed(settings, writer):
    from fastapi.testclient import TestClient

    from dashboard.app import create_app
    from monitor import events as ev

    writer.submit(
        ev.JobSubmitted("j1", "run", "phone.emu-1", {"package": "com.x"}, 1_800_000_000_000_000, "ci")
    )
    hostile = "new finding [high] sent to <script>alert(1)</script>.example"
    writer.submit(ev.JobUpdate("j1", {"state": "running", "serial": "emu-1", "progress": hostile}))
    writer.submit(ev.JobUpdate("j1", {"state": "completed"}, expect=("queued",)))  # too late: not applied
    writer.flush()
    client = TestClient(create_app(settings.db_path, "t0ken"), base_url="http://127.0.0.1")
    auth = {"Authorization": "Bearer t0ken"}
    assert client.get("/jobs").status_code == 401
    [job] = client.get("/api/jobs", headers=auth).json()
    assert (job["id"], job["state"], job["serial"]) == ("j1", "running", "emu-1")
    page = client.get("/jobs", headers=auth).text
    assert "emu-1" in page and "<script>alert" not in page and "&lt;script&gt;" in page
