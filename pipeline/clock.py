"""The one place frtrack asks what day and time it is.

``FRTRACK_TODAY=YYYY-MM-DD`` pins the date: the demo replays a 2021-2026
timeline run by run, and tests freeze dates, without touching the system clock.
A ``Clock`` carries that date into every timestamp a run records (runs,
fetches, status moves, review items, sent digests, the mail's Date header),
so a replayed history reads as it happened, not as the day it was replayed.
"""
from __future__ import annotations

import os
from datetime import UTC, date, datetime


def today() -> date:
    pinned = os.environ.get("FRTRACK_TODAY")
    if pinned:
        return date.fromisoformat(pinned)
    return datetime.now(UTC).date()


class Clock:
    """UTC time of day on the pipeline's date.

    The wall clock shifted by whole days onto ``day`` (default: ``today()``):
    times still advance within a run, so durations and ordering stay true,
    while every date printed is the pinned one. On an unpinned day the shift is zero.
    """

    def __init__(self, day: date | None = None) -> None:
        self.day = day or today()
        wall = datetime.now(UTC)
        self._shift = datetime.combine(self.day, wall.timetz()) - wall

    def now(self) -> datetime:
        return datetime.now(UTC) + self._shift

    def stamp(self) -> str:
        """ISO 8601, seconds, UTC: the form the store keeps."""
        return self.now().isoformat(timespec="seconds")

    __call__ = stamp


def now() -> datetime:
    """The current moment, aware, in UTC.

    ``FRTRACK_NOW=2026-02-03T08:47:00-05:00`` pins it (the poll window and the
    alert timeline tests); without an offset it is read as UTC. Otherwise the
    wall clock, moved onto ``FRTRACK_TODAY``'s date when only that is pinned.
    """
    pinned = os.environ.get("FRTRACK_NOW")
    if pinned:
        moment = datetime.fromisoformat(pinned)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    wall = datetime.now(UTC)
    day = os.environ.get("FRTRACK_TODAY")
    return datetime.combine(date.fromisoformat(day), wall.timetz()) if day else wall
