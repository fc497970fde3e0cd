"""The federal business-day calendar behind the poll window and the digest's "last business day"."""
from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from pipeline.business_days import closure, in_window, is_business_day, next_business_day, previous_business_day


@pytest.mark.parametrize("day, open_", [
    (date(2026, 2, 3), True),     # Tuesday: public inspection of the Cambodia rule
    (date(2026, 2, 7), False),    # Saturday
    (date(2026, 2, 16), False),   # Washington's Birthday
    (date(2026, 7, 3), False),    # Independence Day observed (July 4 is a Saturday)
    (date(2025, 12, 24), False),  # closed by executive order
    (date(2025, 12, 26), False),  # closed by executive order
    (date(2026, 11, 27), True),   # the Friday after Thanksgiving is a business day
])
def test_business_days(day, open_):
    assert is_business_day(day) is open_


def test_closure_names_the_holiday():
    assert closure(date(2026, 2, 16)) == "Washington's Birthday"
    assert closure(date(2026, 2, 17)) is None


def test_next_and_previous_skip_weekends_and_holidays():
    assert next_business_day(date(2026, 2, 13)) == date(2026, 2, 17)      # Fri -> Tue after the holiday
    assert previous_business_day(date(2026, 2, 17)) == date(2026, 2, 13)
    assert previous_business_day(date(2026, 1, 2)) == date(2025, 12, 31)   # over New Year's Day


def test_poll_window_is_eastern_business_hours():
    start, end = time(8, 30), time(18, 0)
    # 08:47 Eastern on 2026-02-03 is 13:47 UTC (EST, UTC-5)
    assert in_window(datetime(2026, 2, 3, 13, 47, tzinfo=UTC), start, end)
    assert not in_window(datetime(2026, 2, 3, 13, 20, tzinfo=UTC), start, end)   # 08:20
    assert not in_window(datetime(2026, 2, 3, 23, 30, tzinfo=UTC), start, end)   # 18:30
    assert not in_window(datetime(2026, 2, 16, 15, 0, tzinfo=UTC), start, end)   # holiday
    # summer time: 08:45 EDT is 12:45 UTC
    assert in_window(datetime(2026, 6, 2, 12, 45, tzinfo=UTC), start, end)
