"""Federal business days: when the Federal Register publishes and public inspection opens.

The FR publishes Monday to Friday except federal holidays and days the
government is closed by executive order (e.g. 2025-12-24 and 2025-12-26);
the `holidays` package keeps both lists (its US "public" and "government"
categories), so frtrack does not maintain a calendar of its own.
"""
from __future__ import annotations

import functools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

EASTERN = ZoneInfo("America/New_York")


@functools.lru_cache(maxsize=64)
def _closures(year: int) -> holidays.HolidayBase:
    return holidays.US(years=year, categories=("public", "government"))


def closure(day: date) -> str | None:
    """The name of the federal holiday or closure on ``day``, or None."""
    return _closures(day.year).get(day)


def is_business_day(day: date) -> bool:
    """A weekday on which the federal government is open."""
    return day.weekday() < 5 and closure(day) is None


def previous_business_day(day: date) -> date:
    """The last federal business day strictly before ``day``."""
    day -= timedelta(days=1)
    while not is_business_day(day):
        day -= timedelta(days=1)
    return day


def next_business_day(day: date) -> date:
    """The first federal business day strictly after ``day`` (the next FR issue after a filing)."""
    day += timedelta(days=1)
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def in_window(moment: datetime, start: time, end: time, tz: ZoneInfo = EASTERN) -> bool:
    """Is ``moment`` (aware) within [start, end] local time on a federal business day?"""
    local = moment.astimezone(tz)
    return is_business_day(local.date()) and start <= local.time().replace(tzinfo=None) <= end
