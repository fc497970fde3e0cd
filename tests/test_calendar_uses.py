"""The one federal calendar (pipeline.business_days) where the digest and govinfo need it."""
from __future__ import annotations

from datetime import date

from pipeline.config import Settings
from pipeline.publish.digest import PLACEHOLDER, Window, build_digest, render_digest
from pipeline.sources.govinfo import fetch_govinfo
from pipeline.sources.http import Http


def test_digest_names_the_last_business_day_before_a_holiday_weekend(fresh_db):
    tuesday = date(2026, 2, 17)          # Monday 2026-02-16 is Washington's Birthday
    data = build_digest(fresh_db, Settings(), Window.for_run(tuesday), tuesday)
    assert data.last_issue == date(2026, 2, 13)
    r = render_digest(data, PLACEHOLDER)
    assert "Federal Register issues through 2026-02-13 (the last federal business day)" in r.text
    assert "Federal Register issues through 2026-02-13 (the last federal business day)" in r.html


def test_govinfo_asks_for_no_issue_on_a_weekend_or_a_federal_holiday(api_world, fresh_db):
    settings = api_world.settings()
    http = Http(settings.sources, fresh_db, sleep=lambda s: None)
    outcome = fetch_govinfo(http, fresh_db, settings, run_id=None, since=date(2026, 2, 13), today=date(2026, 2, 17))
    asked = [r.path for r in api_world.hits("/bulkdata/FR/")]
    assert asked == ["/bulkdata/FR/2026/02/FR-2026-02-13.xml", "/bulkdata/FR/2026/02/FR-2026-02-17.xml"]
    assert outcome.requests == 2
