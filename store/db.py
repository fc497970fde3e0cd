"""Opening the SQLite store: WAL, foreign keys, migrations, version check."""
from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from sqlite_utils import Database

from parsers.exceptions import SchemaTooNewError, StoreError
from store.migrations import migrations


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def schema_version(db: Database) -> int:
    return len(migrations.applied(db))


def known_version() -> int:
    return len(migrations._migrations)


def open_db(path: str | os.PathLike[str] | None, *, migrate: bool = True) -> Database:
    """Open (creating if needed) and migrate the store; ``None`` means in memory.

    Refuses a database migrated by a newer frtrack rather than misreading it.
    """
    if path is None or str(path) == ":memory:":
        db = Database(memory=True)
    else:
        p = Path(path)
        if p.parent and not p.parent.exists():
            raise StoreError(f"{p}: folder {p.parent} does not exist")
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
    return db


def integrity_ok(db: Database) -> bool:
    return db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
