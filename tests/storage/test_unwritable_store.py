"""A store privmon cannot write (a read-only file or disk) or read: every command says so in one
line naming the store, with its own exit code (7), and never reports a write that did not happen."""

import os
import sqlite3
import subprocess
from contextlib import contextmanager

import pytest

from monitor import events as ev
from monitor.config import Settings
from monitor.exitcodes import ExitCode
from monitor.storage.writer import EventWriter
from tests.conftest import run_cli

SESSION = "20261202-120000-0001"


@contextmanager
def read_only(paths):
    """Makes the store's files and folder unwritable, root included (chattr +i), then restores them."""
    if os.geteuid() == 0:
        done = subprocess.run(["chattr", "+i", *map(str, paths)], capture_output=True)
        if done.returncode != 0:
            pytest.fail(f"cannot make the store read-only here (chattr: {done.stderr.decode().strip()})")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", *map(str, paths)], capture_output=True)
    else:
        modes = {p: p.stat().st_mode for p in paths}
        for p in paths:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)


@pytest.fixture
def home(tmp_path):
    settings = Settings(home=tmp_path / "home")
    with EventWriter(settings.db_path) as writer:
        writer.submit(ev.SessionStarted(SESSION, "com.example.app", "import", 1_700_000_000_000_000))
        writer.submit(ev.SessionEnded(SESSION, 1_700_000_100_000_000, ev.SESSION_COMPLETED))
        writer.commit()
    # one file, no WAL beside it: what a copied or archived store looks like
    with sqlite3.connect(settings.db_path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return settings


def test_a_decision_on_a_read_only_store_is_an_error_naming_the_store(home):
    store = home.db_path
    files = [p for p in store.parent.iterdir() if p.name.startswith(store.name)] + [store.parent]
    with read_only(files):
        proc = run_cli(home.home, "mark", SESSION, "consent", "--note", "tester saw the tap")
    assert proc.returncode == ExitCode.STORE, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("privmon: error:")]
    assert len(lines) == 1 and str(store) in lines[0]
    assert "Traceback" not in proc.stderr and "marked" not in proc.stderr
    # and nothing was stored behind the message's back
    listed = run_cli(home.home, "sessions", "--json")
    assert listed.returncode == 0


def test_the_writer_reports_records_it_could_not_store(home):
    store = home.db_path
    files = [p for p in store.parent.iterdir() if p.name.startswith(store.name)] + [store.parent]
    with read_only(files):
        from monitor.storage.engine import StoreError

        with pytest.raises(StoreError, match=str(store)):
            with EventWriter(store) as writer:
                writer.submit(ev.ConsentEvent(SESSION, 1_700_000_050_000_000, "consent", "manual"))
                writer.commit()
