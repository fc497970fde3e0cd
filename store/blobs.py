"""Content-addressed raw storage: every fetched body is kept, compressed, by sha256.

Raw bytes are stored before anything parses them, so a better parser can
re-derive everything later (``frtrack reparse``).
"""
from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Mapping

from sqlite_utils import Database

from store.db import utcnow

_MIN_COMPRESS = 256


def put_blob(db: Database, data: bytes) -> str:
    """Store ``data`` once; return its sha256. Idempotent."""
    sha = hashlib.sha256(data).hexdigest()
    if db.execute("SELECT 1 FROM blobs WHERE sha256 = ?", [sha]).fetchone():
        return sha
    if len(data) >= _MIN_COMPRESS:
        content, compression = zlib.compress(data, 6), "zlib"
    else:
        content, compression = data, "none"
    db.execute(
        "INSERT OR IGNORE INTO blobs (sha256, size, compression, content, created_at) VALUES (?,?,?,?,?)",
        [sha, len(data), compression, content, utcnow(db)],
    )
    return sha


def get_blob(db: Database, sha: str) -> bytes:
    row = db.execute("SELECT compression, content FROM blobs WHERE sha256 = ?", [sha]).fetchone()
    if row is None:
        raise KeyError(sha)
    compression, content = row
    return zlib.decompress(content) if compression == "zlib" else bytes(content)


def record_response(db: Database, *, source: str, url: str, status: int,
                    headers: Mapping[str, str], body: bytes, run_id: int | None,
                    method: str = "GET") -> str:
    """Store a raw HTTP response body and its metadata; return the body's sha256."""
    sha = put_blob(db, body)
    db.execute(
        "INSERT INTO responses (run_id, source, method, url, status, headers, sha256, fetched_at)"
        " VALUES (?,?,?,?,?,?,?,?)",
        [run_id, source, method, url, status, json.dumps(dict(headers), sort_keys=True), sha, utcnow(db)],
    )
    return sha
