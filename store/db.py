"""Opening the SQLite store: WAL, foreign keys, migrations, version check.

Two doors: ``open_db`` for commands that write (creates and migrates), and
``open_readonly`` for commands that only read (``groups``, ``changes``,
``status``, ``site``, ``digest --out`` …): it never creates a file — a typo in
``--db`` is "no database at …", not an empty database answering "no country
group on record" — and it works on a database in a read-only file or folder.
"""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from sqlite_utils import Database

from parsers.errors import NoDatabaseError, SchemaTooNewError, StoreError
from store.migrations import migrations

Clock = Callable[[], str]
_CLOCK_ATTR = "frtrack_clock"


def wall_clock() -> str:
    """The system's UTC time: for a database opened without the pipeline's clock."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def set_clock(db: Database, clock: Clock) -> None:
    """Stamp what is written through ``db`` with ``clock`` (the pipeline passes its pinned one)."""
    setattr(db, _CLOCK_ATTR, clock)


def utcnow(db: Database) -> str:
    """The timestamp to record now, by the clock the database was given.

    The store never decides what time it is: the pipeline does (its date may
    be pinned), so every table of one run agrees on the day.
    """
    return getattr(db, _CLOCK_ATTR, wall_clock)()


def schema_version(db: Database) -> int:
    return len(migrations.applied(db))


def known_version() -> int:
    return len(migrations._migrations)


def open_db(path: str | os.PathLike[str] | None, *, migrate: bool = True, clock: Clock | None = None) -> Database:
    """Open (creating if needed) and migrate the store; ``None`` means in memory.

    ``clock`` stamps every timestamp written through this handle (see ``utcnow``).
    Refuses a database migrated by a newer frtrack rather than misreading it.
    """
    if path is None or str(path) == ":memory:":
        db = Database(memory=True)
    else:
        p = Path(path)
        if p.parent and not p.parent.exists():
            raise StoreError(f"{p}: folder {p.parent} does not exist")
        _check_writable(p)
        new = not p.exists()
        db = Database(str(p))
        if new:
            try:
                os.chmod(p, 0o600)   # it may hold recipient addresses
            except OSError:
                pass
        try:
            db.execute("PRAGMA journal_mode=WAL")
            # Safe in WAL mode (no corruption; at worst the last commit is lost
            # on power failure) and ~15 ms cheaper per per-document transaction.
            db.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.DatabaseError as exc:   # e.g. a config file passed as --db
            db.close()
            if "readonly" in str(exc) or "unable to open" in str(exc):
                raise StoreError(f"{p}: cannot write the database: {exc}") from None
            raise StoreError(f"{p}: not an SQLite database ({exc})") from None
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA busy_timeout=10000")
    applied = {m.name for m in migrations.applied(db)}
    unknown = applied - {m.name for m in migrations._migrations}
    if unknown:
        raise SchemaTooNewError(
            f"{path}: database schema has migrations this frtrack does not know "
            f"({', '.join(sorted(unknown))}); it was written by a newer frtrack — upgrade frtrack")
    if migrate:
        migrations.apply(db)
    set_clock(db, clock or wall_clock)
    return db


def _check_writable(p: Path) -> None:
    """A write command on a read-only file or folder: say which, before SQLite says something vaguer."""
    if p.exists() and not os.access(p, os.W_OK):
        raise StoreError(f"{p}: cannot write the database: the file is read-only "
                         "(read commands such as `frtrack changes` still work)")
    folder = p.parent if str(p.parent) else Path(".")
    if not os.access(folder, os.W_OK):
        what = "create the database" if not p.exists() else "write the database"
        raise StoreError(f"{p}: cannot {what}: folder {folder} is not writable "
                         "(SQLite needs it for the database's -wal and -shm files)")


def _ro_connect(p: Path, *, immutable: bool = False) -> sqlite3.Connection:
    uri = f"file:{quote(str(p.resolve()))}?mode=ro" + ("&immutable=1" if immutable else "")
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()   # opens the file for real
    except sqlite3.DatabaseError:
        conn.close()
        raise
    return conn


def _wal_pending(p: Path) -> bool:
    wal = p.with_name(p.name + "-wal")
    return wal.exists() and wal.stat().st_size > 0


def open_readonly(path: str | os.PathLike[str]) -> Database:
    """Open an existing store for reading only; never creates, never writes (but see below).

    A WAL database whose ``-shm`` cannot be created (read-only folder) is read
    as immutable — safe only because no ``-wal`` with unmerged commits exists,
    which is checked. A store whose schema is older than this frtrack is
    upgraded once through ``open_db`` when the file is writable (an upgrade,
    not data), otherwise refused with what to do.
    """
    p = Path(path)
    if not p.exists():
        raise NoDatabaseError(str(path))
    if p.is_dir():
        raise StoreError(f"{p}: is a folder, not a database")
    if not os.access(p, os.R_OK):
        raise StoreError(f"{p}: cannot read the database: permission denied")
    try:
        conn = _ro_connect(p)
    except sqlite3.OperationalError as exc:
        if _wal_pending(p):
            raise StoreError(f"{p}: cannot open read-only ({exc}): its -wal file holds commits not yet in "
                             "the database and this folder is not writable; run a write command "
                             "(frtrack run) where it is writable") from None
        try:
            conn = _ro_connect(p, immutable=True)
        except sqlite3.DatabaseError as exc2:
            raise StoreError(f"{p}: not an SQLite database ({exc2})") from None
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{p}: not an SQLite database ({exc})") from None
    db = Database(conn)
    names = set(db.table_names())
    if "_sqlite_migrations" not in names:
        db.close()
        if names:
            raise StoreError(f"{p}: an SQLite database, but not frtrack's (no frtrack tables)")
        raise NoDatabaseError(str(path))      # an empty file: nothing was ever stored
    applied = {m.name for m in migrations.applied(db)}
    known = {m.name for m in migrations._migrations}
    if applied - known:
        db.close()
        raise SchemaTooNewError(
            f"{path}: database schema has migrations this frtrack does not know "
            f"({', '.join(sorted(applied - known))}); it was written by a newer frtrack — upgrade frtrack")
    if known - applied:
        db.close()
        if not (os.access(p, os.W_OK) and os.access(p.parent, os.W_OK)):
            raise StoreError(f"{p}: the database schema is older than this frtrack and the file is read-only; "
                             "run `frtrack run` once where it is writable to upgrade it")
        open_db(p).close()
        return open_readonly(p)
    return db


def integrity_ok(db: Database) -> bool:
    return bool(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
