"""The one place frtrack asks what day it is.

``FRTRACK_TODAY=YYYY-MM-DD`` pins the date: the demo replays a 2021-2026
timeline run by run, and tests freeze dates, without touching the system clock.
"""
from __future__ import annotations

import os
from datetime import date, datetime, timezone


def today() -> date:
    pinned = os.environ.get("FRTRACK_TODAY")
    if pinned:
        return date.fromisoformat(pinned)
    return datetime.now(timezone.utc).date()


def parse_date(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)
