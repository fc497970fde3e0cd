"""The one Jinja2 Environment shared by the digest, the site and the feeds.

Every renderer gets the same rules so output is predictable:
- templates come from the top-level ``templates`` package (works installed or editable);
- autoescape for ``.html``/``.xml`` only (the plain-text digest must not get ``&amp;``);
- ``StrictUndefined``: a misspelt variable fails the render instead of printing nothing;
- ``trim_blocks``/``lstrip_blocks`` so block tags do not leave blank lines in text output,
  and ``keep_trailing_newline`` so files end the way the template ends.

Filters: ``isodate`` (YYYY-MM-DD), ``longdate`` ("February 3, 2026"),
``country_slug`` ("Korea, North" -> "korea-north"), ``group_slug`` ("D:5" -> "d5").
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from jinja2.bccache import Bucket, BytecodeCache

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def _as_date(value: date | datetime | str | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def isodate(value: date | datetime | str | None, missing: str = "") -> str:
    """A date, datetime or ISO string as YYYY-MM-DD; ``missing`` when absent."""
    d = _as_date(value)
    return d.isoformat() if d else missing


def longdate(value: date | datetime | str | None, missing: str = "") -> str:
    """US style, as the Federal Register prints it: "February 3, 2026"."""
    d = _as_date(value)
    return f"{_MONTHS[d.month - 1]} {d.day}, {d.year}" if d else missing


def country_slug(name: str) -> str:
    """A stable URL/file slug for an EAR country name (accents folded, punctuation dropped)."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def group_slug(code: str) -> str:
    """"D:5" -> "d5", "B" -> "b": safe in file names and HTML ids."""
    return re.sub(r"[^a-z0-9]+", "", code.lower())


FILTERS: dict[str, Any] = {
    "isodate": isodate,
    "longdate": longdate,
    "country_slug": country_slug,
    "group_slug": group_slug,
}


class _MemoryBytecodeCache(BytecodeCache):
    """Compiled templates shared by every Environment of this process.

    ``environment()`` hands out fresh Environments (callers add globals), so
    without this each digest or site render would compile every template again.
    """

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = _MemoryBytecodeCache()


def environment() -> Environment:
    """A fresh Environment over ``templates/`` with frtrack's filters (cheap; callers may add globals)."""
    env = Environment(
        loader=PackageLoader("templates", "."),
        autoescape=select_autoescape(enabled_extensions=("html", "xml"), default_for_string=False,
                                     default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_BYTECODE,
    )
    env.filters.update(FILTERS)
    return env
