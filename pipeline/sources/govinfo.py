"""govinfo bulk data: whole daily FR issues, the fallback when federalregister.gov blocks us.

Each weekday of the window is asked for ``/bulkdata/FR/YYYY/MM/FR-YYYY-MM-DD.xml``
(root ``<FEDREG>``); a 404 means no issue that day (holiday). The raw issue
is stored (``responses.source = 'govinfo'``); the history engine splits it
with ``parsers.fr_xml.parse_fr_xml``. The window starts after the last day
fetched (watermark ``govinfo``), at most ``MAX_DAYS`` back, so a first
fallback run does not ask for years of issues.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlite_utils import Database

from parsers.exceptions import HTTPStatusError
from pipeline.config import Settings
from pipeline.fetch import SourceOutcome
from pipeline.sources.http import Http
from pipeline.sources.state import get_watermark, set_watermarks
from store.enums import Source

SOURCE = Source.GOVINFO
WATERMARK = "govinfo"
MAX_DAYS = 31


def issue_url(base: str, day: date) -> str:
    return f"{base}/bulkdata/FR/{day:%Y}/{day:%m}/FR-{day.isoformat()}.xml"


def fetch_govinfo(http: Http, db: Database, settings: Settings, *, run_id: int,
                  since: date | None, today: date) -> SourceOutcome:
    before = http.requests
    mark = get_watermark(db, WATERMARK)
    start = since or (date.fromisoformat(mark) + timedelta(days=1) if mark else today - timedelta(days=7))
    start = max(start, today - timedelta(days=MAX_DAYS))
    issues = 0
    day = start
    while day <= today:
        if day.weekday() < 5:
            try:
                http.get_xml(issue_url(settings.sources.govinfo_base, day), source=SOURCE)
                issues += 1
            except HTTPStatusError as exc:
                if exc.status != 404:
                    raise
        day += timedelta(days=1)
    set_watermarks(db, {WATERMARK: today.isoformat()}, run_id)
    return SourceOutcome(SOURCE, True, http.requests - before, issues, today.isoformat(), None)
