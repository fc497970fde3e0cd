"""One writer at a time: an exclusive file lock next to the database.

A cron ``frtrack run`` and the ``frtrack schedule`` daemon must never write the
same store at once. ``fcntl.flock`` on ``<db>.lock`` is held by the open file
description, so the kernel releases it when the holder exits for any reason —
including SIGKILL — and there is no stale lock file to clean up by hand. The
file's contents (pid and start time of the holder) are only for the message the
loser prints; the lock itself is the flock, never the file's existence.
"""
from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from parsers.errors import LockHeldError, StoreError
from store.runs import interrupt_runs, running_runs

INTERRUPTED_NOTE = "interrupted: the process stopped before finishing this run (killed, crashed or powered off)"


def lock_path(db_path: str | os.PathLike[str]) -> Path:
    """Where the lock for ``db_path`` lives: beside it, so it follows the DB."""
    p = Path(db_path)
    return p.with_name(p.name + ".lock")


def _holder(fd: int, wait: float = 1.0) -> str:
    """What the current holder wrote: 'pid N, since T' (best effort).

    The holder writes its note just after it takes the lock, so a loser that
    arrives in between finds the file empty: it looks again for up to ``wait``
    seconds before saying the holder is unknown.
    """
    deadline = time.monotonic() + wait
    while True:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            text = os.read(fd, 200).decode("utf-8", "replace").strip()
        except OSError:
            text = ""
        pid, _, since = text.partition(" ")
        if pid.isdigit() and since:
            return f"pid {pid}, since {since}"
        if time.monotonic() >= deadline:
            return "holder unknown"
        time.sleep(0.02)


@contextmanager
def db_lock(db_path: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold the exclusive writer lock for ``db_path`` or raise LockHeldError at once.

    Non-blocking on purpose: a cron run that finds the daemon busy should say
    so and exit 75, not queue up behind it.
    """
    path = lock_path(db_path)
    if not path.parent.exists():
        raise StoreError(f"{path}: cannot create the lock file: folder {path.parent} does not exist")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except PermissionError:
        raise StoreError(f"{path}: cannot create the lock file: permission denied "
                         f"(frtrack needs to write in {path.parent} to update the database)") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockHeldError(f"another frtrack run ({_holder(fd)}) holds {path}") from None
        started = datetime.now(UTC).isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()} {started}\n".encode())
        try:
            yield path
        finally:
            # Clear the note before releasing so a later reader never blames us.
            try:
                os.ftruncate(fd, 0)
            except OSError:
                pass
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def mark_interrupted_runs(db: Database, *, note: str = INTERRUPTED_NOTE) -> list[int]:
    """Mark runs left 'running' as 'interrupted'; return their ids.

    Only call this while holding ``db_lock``: then no live process can own a
    'running' row, so every such row belongs to a process that died.
    """
    ids = running_runs(db)
    if ids:
        interrupt_runs(db, ids, note)
    return ids
