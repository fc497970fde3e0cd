"""Where each source got to (``watermarks``) and the HTTP validator cache (``http_validators``).

A watermark is a source's own bookmark (``federal_register:bis`` -> the last
day a complete search covered; ``ecfr:<unit>`` -> JSON of the title signals),
moved only when the source finished. A validator is the ETag / Last-Modified of
a URL's last 200 with the body it stands for, so a 304 can return that body.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from store.db import utcnow


def get_watermark(db: Database, key: str) -> str | None:
    row = db.execute("SELECT value FROM watermarks WHERE source = ?", [key]).fetchone()
    return row[0] if row else None


def get_json_watermark(db: Database, key: str) -> dict[str, Any] | None:
    """A watermark holding a JSON object; anything else (absent, not JSON, not an object) is None."""
    value = get_watermark(db, key)
    if value is None:
        return None
    try:
        data = json.loads(value)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def set_watermarks(db: Database, values: Mapping[str, str], run_id: int | None) -> None:
    """Write several watermarks in one transaction (a source moves all of its marks or none)."""
    now = utcnow(db)
    rows = [{"source": key, "value": value, "run_id": run_id, "updated_at": now} for key, value in values.items()]
    with db.atomic():
        db.table("watermarks").upsert_all(rows, pk="source")


@dataclass(frozen=True)
class HttpValidator:
    """What a conditional request sends back, and the stored body a 304 answer means."""

    url: str
    etag: str | None
    last_modified: str | None
    body_sha256: str


def get_http_validator(db: Database, url: str) -> HttpValidator | None:
    row = db.execute("SELECT url, etag, last_modified, body_sha256 FROM http_validators WHERE url = ?",
                     [url]).fetchone()
    return HttpValidator(*row) if row else None


def put_http_validator(db: Database, validator: HttpValidator, run_id: int | None) -> None:
    """Remember (or replace) the validators of ``validator.url``; its body must already be a blob."""
    with db.atomic():
        db.table("http_validators").upsert({"url": validator.url, "etag": validator.etag,
                                      "last_modified": validator.last_modified,
                                      "body_sha256": validator.body_sha256, "run_id": run_id,
                                      "updated_at": utcnow(db)}, pk="url")
