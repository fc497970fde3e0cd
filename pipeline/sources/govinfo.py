"""govinfo bulk data: whole daily FR issues, the fallback when federalregister.gov blocks us.

Each federal business day of the window is asked for ``/bulkdata/FR/YYYY/MM/FR-YYYY-MM-DD.xml``
(root ``<FEDREG>``); a 404 means no issue that day (holiday). The raw issue
is stored (``responses.source = 'govinfo'``), then split with
``parsers.fr_xml.parse_fr_xml``: every document touching a watched CFR range
gets an ``fr_documents`` row (``source = 'govinfo'``) whose ``xml_sha256`` is
the whole issue; the engine picks its document out by number. The window starts after the last day
fetched (watermark ``govinfo``), at most ``MAX_DAYS`` back, so a first
fallback run does not ask for years of issues.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

from sqlite_utils import Database

from parsers.errors import HTTPStatusError
from parsers.fr_xml import parse_fr_xml
from pipeline.business_days import is_business_day
from pipeline.config import Settings
from pipeline.sources.http import Http
from pipeline.sources.outcome import SourceOutcome
from store.documents import FrDocumentRow, add_document
from store.enums import Source
from store.watermarks import get_watermark, set_watermarks

SOURCE = Source.GOVINFO
WATERMARK = "govinfo"
MAX_DAYS = 31


def issue_url(base: str, day: date) -> str:
    return f"{base}/bulkdata/FR/{day:%Y}/{day:%m}/FR-{day.isoformat()}.xml"


def _watched(cfr_parts: tuple[str, ...], settings: Settings) -> bool:
    ranges = tuple(settings.watch.cfr) + tuple(settings.watch.itar_cfr)
    for ref in cfr_parts:
        m = re.match(r"(\d+)\s+CFR\s+(\d+)", ref)
        if m and any(r.title == int(m.group(1)) and r.first_last[0] <= int(m.group(2)) <= r.first_last[1]
                     for r in ranges):
            return True
    return False


def store_issue(db: Database, settings: Settings, body: bytes, sha: str, day: date, run_id: int) -> int:
    """Add the watched documents of a daily issue to fr_documents (never overwriting API rows)."""
    stored = 0
    for doc in parse_fr_xml(body, f"govinfo FR issue {day.isoformat()}"):
        if not doc.document_number or not _watched(doc.cfr_parts, settings):
            continue
        row = FrDocumentRow(
            document_number=doc.document_number, doc_type=doc.doc_type.title(), title=doc.subject,
            action=doc.action, dates=doc.dates_text, publication_date=(doc.publication_date or day).isoformat(),
            effective_date=doc.effective_date.isoformat() if doc.effective_date else None, citation=doc.citation,
            rins=tuple(doc.rins), correction_of=doc.corrects,
            html_url=f"https://www.federalregister.gov/d/{doc.document_number}")
        stored += add_document(db, row, xml_sha256=sha, source=SOURCE, run_id=run_id)
    return stored


def fetch_govinfo(http: Http, db: Database, settings: Settings, *, run_id: int,
                  since: date | None, today: date) -> SourceOutcome:
    before = http.requests
    mark = get_watermark(db, WATERMARK)
    start = since or (date.fromisoformat(mark) + timedelta(days=1) if mark else today - timedelta(days=7))
    start = max(start, today - timedelta(days=MAX_DAYS))
    issues = 0
    day = start
    while day <= today:
        if is_business_day(day):   # no issue on weekends and federal holidays: no request
            try:
                resp = http.get_xml(issue_url(settings.sources.govinfo_base, day), source=SOURCE)
                issues += 1
                store_issue(db, settings, resp.body, resp.sha256, day, run_id)
            except HTTPStatusError as exc:
                if exc.status != 404:
                    raise
        day += timedelta(days=1)
    set_watermarks(db, {WATERMARK: today.isoformat()}, run_id)
    return SourceOutcome(SOURCE, True, http.requests - before, issues, today.isoformat(), None)
