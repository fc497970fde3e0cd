"""The writer lock: exclusive, non-blocking, released by the kernel when the holder dies."""
from __future__ import annotations

import fcntl
import os
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from parsers.errors import LockHeldError, StoreError
from pipeline.lock import INTERRUPTED_NOTE, db_lock, lock_path, mark_interrupted_runs
from store.db import open_db

REPO = Path(__file__).resolve().parents[1]

HOLDER = """
import sys, time
from pipeline.lock import db_lock
with db_lock(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.readline()      # hold until the test closes stdin or kills us
"""


def _holder(db_path: Path) -> subprocess.Popen:
    """A separate process holding the lock (flock is per open file, so use a real process)."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(db_path)], cwd=REPO,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_lock_file_sits_beside_the_db(tmp_path):
    assert lock_path(tmp_path / "data" / "frtrack.db") == tmp_path / "data" / "frtrack.db.lock"


def test_second_acquire_fails_at_once_naming_holder_and_path(tmp_path):
    db = tmp_path / "f.db"
    with db_lock(db) as path:
        assert path.read_text().split()[0] == str(os.getpid())
        with pytest.raises(LockHeldError) as info:
            with db_lock(db):
                pass
    msg = str(info.value)
    assert f"pid {os.getpid()}, since " in msg
    assert msg.startswith("another frtrack run (") and msg.endswith(f"holds {path}")
    assert info.value.exit_code == 75


def test_lock_is_released_on_exit_and_on_error(tmp_path):
    db = tmp_path / "f.db"
    with db_lock(db):
        pass
    with pytest.raises(RuntimeError):
        with db_lock(db):
            raise RuntimeError("boom")
    with db_lock(db) as path:       # acquirable again both times
        assert path.exists()
    assert lock_path(db).read_text() == ""   # the holder note is cleared on release


def test_lock_file_is_owner_only(tmp_path):
    with db_lock(tmp_path / "f.db") as path:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_other_process_holding_the_lock_is_named(tmp_path):
    db = tmp_path / "f.db"
    with _holder(db) as proc:   # the with closes the pipes
        try:
            with pytest.raises(LockHeldError, match=rf"\(pid {proc.pid}, since "):
                with db_lock(db):
                    pass
        finally:
            proc.stdin.close()
            assert proc.wait(timeout=30) == 0
    with db_lock(db):
        pass


def test_lock_of_a_killed_holder_is_free(tmp_path):
    """SIGKILL gives the holder no chance to clean up; the kernel still drops the flock."""
    db = tmp_path / "f.db"
    with _holder(db) as proc:   # the with closes the pipes
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    assert lock_path(db).read_text().startswith(f"{proc.pid} ")   # stale note left behind...
    with db_lock(db) as path:                                       # ...but the lock is free
        assert path.read_text().startswith(f"{os.getpid()} ")


def test_missing_folder_is_a_store_error_not_lock_held(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        with db_lock(tmp_path / "nowhere" / "f.db"):
            pass


def _runs(db):
    return [tuple(r) for r in db.execute("SELECT id, status, finished_at IS NOT NULL, error FROM runs ORDER BY id")]


def test_mark_interrupted_runs_marks_only_running(tmp_path):
    db = open_db(tmp_path / "f.db")
    rows = [(1, "ok", "2026-01-01T00:01:00+00:00", None),
            (2, "running", None, None),
            (3, "failed", "2026-01-02T00:01:00+00:00", "ecfr: HTTP 503"),
            (4, "running", None, "partial note")]
    for rid, st, fin, err in rows:
        db.execute("INSERT INTO runs (id, started_at, finished_at, status, today, error) VALUES (?,?,?,?,?,?)",
                   [rid, "2026-01-01T00:00:00+00:00", fin, st, "2026-01-01", err])
    with db_lock(tmp_path / "f.db"):
        assert mark_interrupted_runs(db) == [2, 4]
    assert _runs(db) == [(1, "ok", 1, None), (2, "interrupted", 1, INTERRUPTED_NOTE),
                         (3, "failed", 1, "ecfr: HTTP 503"), (4, "interrupted", 1, f"partial note; {INTERRUPTED_NOTE}")]
    assert mark_interrupted_runs(db) == []      # idempotent
    db.close()


def test_a_loser_arriving_before_the_holder_wrote_its_note_still_names_it(tmp_path):
    """The holder writes its note just after taking the lock; a loser in between waits briefly for it."""

    db = tmp_path / "f.db"
    fd = os.open(lock_path(db), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)   # locked, note not written yet
        writer = threading.Timer(0.15, lambda: os.write(fd, b"4242 2026-02-03T13:47:00+00:00\n"))
        writer.start()
        with pytest.raises(LockHeldError, match=r"pid 4242, since 2026-02-03T13:47:00"):
            with db_lock(db):
                pass
        writer.join()
    finally:
        os.close(fd)
