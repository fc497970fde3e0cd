"""Small shared helpers for the sources: watermarks and URL rebasing."""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlite_utils import Database

from store.db import utcnow


def get_watermark(db: Database, key: str) -> str | None:
    row = db.execute("SELECT value FROM watermarks WHERE source = ?", [key]).fetchone()
    return row[0] if row else None


def get_json_watermark(db: Database, key: str) -> dict[str, Any] | None:
    value = get_watermark(db, key)
    if value is None:
        return None
    try:
        data = json.loads(value)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def set_watermarks(db: Database, values: dict[str, str], run_id: int | None) -> None:
    """Write several watermarks in one transaction (a source moves all of its marks or none)."""
    with db.atomic():
        for key, value in values.items():
            db.execute("INSERT INTO watermarks (source, value, run_id, updated_at) VALUES (?,?,?,?)"
                       " ON CONFLICT(source) DO UPDATE SET value=excluded.value, run_id=excluded.run_id,"
                       " updated_at=excluded.updated_at", [key, value, run_id, utcnow(db)])


def rebase(url: str, base: str) -> str:
    """Point an absolute URL the API gave us at the configured host (real API or replay server)."""
    u, b = urlsplit(url), urlsplit(base)
    return urlunsplit((b.scheme, b.netloc, u.path, u.query, u.fragment))


def origin(base: str) -> str:
    b = urlsplit(base)
    return f"{b.scheme}://{b.netloc}"
