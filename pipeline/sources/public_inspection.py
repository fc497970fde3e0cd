"""Public inspection: documents filed a business day before publication.

``current.json`` lists today's public-inspection desk for all agencies; we
keep the watched agencies' documents so a change can be announced before it
is published, and link each to its FR document (``published = 1``) as soon
as that is stored — here, or by the FR source when it stores the document.

The desk (``current.json``) is the issue of ONE publication date, with the
stamps ``regular_filings_updated_at`` / ``special_filings_updated_at`` (see
federalregister-api-core's PublicInspectionDocumentsController#current; it
answers ``Cache-Control: max-age=86400, public``, and Rails' Rack::ETag /
ConditionalGet give a weak ETag and a 304 on ``If-None-Match``). A stored
document scheduled for the issue the desk shows, not yet published, that the
desk no longer lists was withdrawn before publication: ``withdrawn_at`` is set
(cleared if it comes back) and the engine no longer announces its changes, so
they become ``withdrawn`` and whoever was alerted gets a retraction. A
document whose issue has passed is not withdrawn: it was published.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlite_utils import Database

from pipeline.config import Settings
from pipeline.sources.http import Http
from pipeline.sources.outcome import SourceOutcome
from pipeline.sources.state import rebase
from store.db import utcnow
from store.documents import FilingRow, filing_has_text, set_filing_text, set_filing_withdrawn, unpublished_filings, upsert_filing
from store.enums import Source
from store.watermarks import set_watermarks

SOURCE = Source.PUBLIC_INSPECTION
WATERMARK = "public_inspection"


def _slugs(doc: dict[str, Any]) -> list[str]:
    return sorted({a["slug"] for a in doc.get("agencies") or [] if isinstance(a, dict) and a.get("slug")})


def filing_row(doc: dict[str, Any]) -> FilingRow:
    """The stored metadata of one desk entry."""
    return FilingRow(document_number=doc["document_number"], title=doc.get("title"), doc_type=doc.get("type"),
                     agencies=tuple(_slugs(doc)), filed_at=doc.get("filed_at"),
                     publication_date=doc.get("publication_date"), pdf_url=doc.get("pdf_url"))


def store_pi_document(db: Database, doc: dict[str, Any], *, api_sha256: str, run_id: int | None) -> bool:
    """Upsert one public-inspection document in its own transaction; True when new."""
    return upsert_filing(db, filing_row(doc), api_sha256=api_sha256, run_id=run_id)


def _download_text(http: Http, db: Database, settings: Settings, number: str, url: str) -> None:
    """Keep the raw text once: the engine reads the preamble's own statement of the change from it."""
    if filing_has_text(db, number):
        return
    resp = http.get_text(rebase(url, settings.sources.fr_api_base), source=SOURCE)
    set_filing_text(db, number, url=url, text_sha256=resp.sha256)


def desk_url(settings: Settings) -> str:
    return f"{settings.sources.fr_api_base}/public-inspection-documents/current.json"


def desk_stamps(data: Any) -> dict[str, Any]:
    """What says "the desk changed" without comparing documents: the two filing stamps and the numbers listed."""
    data = data if isinstance(data, dict) else {}
    numbers = sorted(d["document_number"] for d in data.get("results") or []
                     if isinstance(d, dict) and d.get("document_number"))
    return {"regular_filings_updated_at": data.get("regular_filings_updated_at"),
            "special_filings_updated_at": data.get("special_filings_updated_at"), "documents": numbers}


def mark_withdrawn(db: Database, listed: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Stored, unpublished documents of the desk's issue that it no longer lists: withdrawn (and back if relisted).

    Returns (newly withdrawn, relisted) document numbers. An empty desk says
    nothing about which issue it is, so it withdraws nothing.
    """
    issues = {d.get("publication_date") for d in listed if d.get("publication_date")}
    numbers = {d["document_number"] for d in listed}
    withdrawn, relisted = [], []
    with db.atomic():
        for filing in unpublished_filings(db):
            number = filing.document_number
            if number in numbers and filing.withdrawn_at:
                set_filing_withdrawn(db, number, None)
                relisted.append(number)
            elif number not in numbers and not filing.withdrawn_at and filing.publication_date in issues:
                set_filing_withdrawn(db, number, utcnow(db))
                withdrawn.append(number)
    return withdrawn, relisted


def process_desk(http: Http, db: Database, settings: Settings, data: Any, *, api_sha256: str,
                 run_id: int | None) -> tuple[int, list[str]]:
    """Store the watched agencies' documents of one desk listing; (new documents, newly withdrawn numbers)."""
    data = data if isinstance(data, dict) else {}
    watched = set(settings.watch.agencies) | set(settings.watch.itar_agencies)
    new = 0
    listed = [d for d in data.get("results") or [] if isinstance(d, dict) and d.get("document_number")]
    for doc in listed:
        if watched & set(_slugs(doc)) and store_pi_document(db, doc, api_sha256=api_sha256, run_id=run_id):
            new += 1
        if watched & set(_slugs(doc)) and doc.get("raw_text_url"):
            _download_text(http, db, settings, doc["document_number"], doc["raw_text_url"])
    withdrawn, _ = mark_withdrawn(db, listed)
    return new, withdrawn


def fetch_public_inspection(http: Http, db: Database, settings: Settings, *, run_id: int,
                            since: date | None, today: date) -> SourceOutcome:
    """One request: the current public-inspection desk, filtered to the watched agencies."""
    before = http.requests
    resp = http.get_json(desk_url(settings), source=SOURCE)
    new, _ = process_desk(http, db, settings, resp.data, api_sha256=resp.sha256, run_id=run_id)
    mark = today.isoformat()
    set_watermarks(db, {WATERMARK: mark}, run_id)
    return SourceOutcome(SOURCE, True, http.requests - before, new, mark, None)
