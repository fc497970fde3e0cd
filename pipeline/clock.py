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


def now() -> datetime:
    """The current moment, aware, in UTC.

    ``FRTRACK_NOW=2026-02-03T08:47:00-05:00`` pins it (the poll window and the
    alert timeline tests); without an offset it is read as UTC. Otherwise the
    wall clock, moved onto ``FRTRACK_TODAY``'s date when only that is pinned.
    """
    pinned = os.environ.get("FRTRACK_NOW")
    if pinned:
        moment = datetime.fromisoformat(pinned)
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    wall = datetime.now(timezone.utc)
    day = os.environ.get("FRTRACK_TODAY")
    return datetime.combine(date.fromisoformat(day), wall.timetz()) if day else wall
