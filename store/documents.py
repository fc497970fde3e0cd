"""The fetched documents' rows: FR documents, public-inspection filings and eCFR versions.

What the sources (and the demo loader, and the test seed) store about a
document before anything parses it: its metadata as the source states it and
the sha256 of its raw body (``store.blobs``). Each function is one step a
fetcher takes; a caller that needs several in one transaction wraps them in
``db.atomic()`` (nested blocks are savepoints). Parsing results (the
``parse_status`` a parse sets, ``effective_date`` read from the XML, a
version held as suspect) are the engine's to write, not these.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from store.db import utcnow
from store.enums import ParseStatus, Source


@dataclass(frozen=True)
class CfrReference:
    """One ``cfr_references`` entry as the FR API gives it (title 15, part 740)."""

    title: int | str | None
    part: int | str | None


@dataclass(frozen=True)
class FrDocumentRow:
    """An FR document's metadata as one source states it; ``None`` is "not stated" (stored NULL).

    The API states everything but ``effective_date``; a govinfo issue states
    ``effective_date`` (read from the XML) and no agencies or CFR references.
    """

    document_number: str
    doc_type: str | None = None        # Rule, Proposed Rule, Notice, Correction
    title: str | None = None
    abstract: str | None = None
    action: str | None = None
    dates: str | None = None
    publication_date: str | None = None
    effective_on: str | None = None    # as the API states it
    effective_date: str | None = None  # as read from the XML
    citation: str | None = None
    agencies: tuple[str, ...] | None = None     # slugs
    cfr_references: tuple[CfrReference, ...] | None = None
    rins: tuple[str, ...] | None = None
    docket_ids: tuple[str, ...] | None = None
    html_url: str | None = None
    pdf_url: str | None = None
    full_text_xml_url: str | None = None
    raw_text_url: str | None = None
    correction_of: str | None = None   # the document number this one corrects


# The columns an API search states, and so overwrites when it sees a document again.
API_COLUMNS = ("doc_type", "title", "abstract", "action", "dates", "publication_date", "effective_on", "citation",
               "agencies", "cfr_references", "rins", "docket_ids", "html_url", "pdf_url", "full_text_xml_url",
               "raw_text_url", "correction_of")


def _json(values: tuple[Any, ...] | None) -> str | None:
    if values is None:
        return None
    return json.dumps([{"title": v.title, "part": v.part} if isinstance(v, CfrReference) else v for v in values])


def _columns(doc: FrDocumentRow, names: Iterable[str]) -> dict[str, Any]:
    out = {}
    for name in names:
        value = getattr(doc, name)
        out[name] = _json(value) if isinstance(value, tuple) else value
    return out


def document_exists(db: Database, number: str) -> bool:
    return db.execute("SELECT 1 FROM fr_documents WHERE document_number = ?", [number]).fetchone() is not None


def upsert_api_document(db: Database, doc: FrDocumentRow, *, api_sha256: str | None, run_id: int | None) -> bool:
    """Store what the FR API says about a document (the API's columns win on a rerun); True when new.

    A new document waits for its XML (``parse_status`` pending); a known one
    keeps its XML, its parse and the ``effective_date`` read from it.
    """
    values = _columns(doc, API_COLUMNS)
    now = utcnow(db)
    with db.atomic():
        if document_exists(db, doc.document_number):
            db.table("fr_documents").update(doc.document_number, {**values, "api_sha256": api_sha256, "updated_at": now})
            return False
        db.table("fr_documents").insert({"document_number": doc.document_number, **values, "api_sha256": api_sha256,
                                   "parse_status": ParseStatus.PENDING.value,
                                   "source": Source.FEDERAL_REGISTER.value, "first_seen_run": run_id,
                                   "updated_at": now})
    return True


def add_document(db: Database, doc: FrDocumentRow, *, xml_sha256: str, source: Source, run_id: int | None) -> bool:
    """Store a document with its XML unless it is already stored (never overwriting an API row); True when new."""
    with db.atomic():
        if document_exists(db, doc.document_number):
            return False
        db.table("fr_documents").insert({"document_number": doc.document_number,
                                   **_columns(doc, (*API_COLUMNS, "effective_date")),
                                   "xml_sha256": xml_sha256, "parse_status": ParseStatus.PENDING.value,
                                   "source": source.value, "first_seen_run": run_id, "updated_at": utcnow(db)})
    return True


def link_corrections(db: Database, correction: str, corrected: Iterable[str]) -> None:
    """``correction`` corrects each of ``corrected`` (a correction may be stored before what it corrects
    says so, or the other way round: a link already known is kept)."""
    for number in corrected:
        db.execute("UPDATE fr_documents SET correction_of = ? WHERE document_number = ? AND correction_of IS NULL",
                   [correction, number])


def set_document_xml(db: Database, number: str, xml_sha256: str) -> None:
    """The document's XML is ``xml_sha256``: a new or changed body makes it pending a parse again."""
    with db.atomic():
        db.execute("UPDATE fr_documents SET xml_sha256 = ?, parse_status = ?, updated_at = ?"
                   " WHERE document_number = ? AND (xml_sha256 IS NULL OR xml_sha256 != ?)",
                   [xml_sha256, ParseStatus.PENDING.value, utcnow(db), number, xml_sha256])


def documents_missing_xml(db: Database, source: Source) -> list[tuple[str, str]]:
    """(document number, full_text_xml_url) of ``source``'s documents whose XML is not stored yet, oldest first."""
    return [(r[0], r[1]) for r in db.execute(
        "SELECT document_number, full_text_xml_url FROM fr_documents WHERE xml_sha256 IS NULL"
        " AND full_text_xml_url IS NOT NULL AND source = ? ORDER BY publication_date, document_number",
        [source.value]).fetchall()]


# --- public inspection ---------------------------------------------------------------------------

@dataclass(frozen=True)
class FilingRow:
    """A public-inspection filing as the desk lists it."""

    document_number: str
    title: str | None = None
    doc_type: str | None = None
    agencies: tuple[str, ...] = ()     # slugs
    filed_at: str | None = None
    publication_date: str | None = None   # the issue it is scheduled for
    pdf_url: str | None = None


def upsert_filing(db: Database, filing: FilingRow, *, api_sha256: str | None, run_id: int | None) -> bool:
    """Store a filing as the desk lists it now; True when new. ``published`` is set once its FR document is stored."""
    number = filing.document_number
    values = {"title": filing.title, "doc_type": filing.doc_type, "agencies": json.dumps(list(filing.agencies)),
              "filed_at": filing.filed_at, "publication_date": filing.publication_date, "pdf_url": filing.pdf_url,
              "api_sha256": api_sha256}
    with db.atomic():
        published = 1 if document_exists(db, number) else 0
        if db.execute("SELECT 1 FROM public_inspection WHERE document_number = ?", [number]).fetchone():
            db.table("public_inspection").update(number, {**values, "published": published},
                                           conversions={"published": "MAX(published, ?)"})
            return False
        db.table("public_inspection").insert({"document_number": number, **values, "published": published,
                                        "first_seen_run": run_id})
    return True


def filing_has_text(db: Database, number: str) -> bool:
    return db.execute("SELECT 1 FROM public_inspection WHERE document_number = ? AND text_sha256 IS NOT NULL",
                      [number]).fetchone() is not None


def set_filing_text(db: Database, number: str, *, url: str | None, text_sha256: str) -> None:
    """The filing's raw text (the preamble states the change before the rule is published)."""
    with db.atomic():
        db.table("public_inspection").update(number, {"raw_text_url": url, "text_sha256": text_sha256})


def mark_filing_published(db: Database, number: str) -> None:
    """The filing's FR document is stored now."""
    db.execute("UPDATE public_inspection SET published = 1 WHERE document_number = ?", [number])


def mark_stored_filings_published(db: Database) -> None:
    """Every filing whose FR document is stored now is published (however the document arrived)."""
    db.execute("UPDATE public_inspection SET published = 1 WHERE published = 0 AND document_number IN"
               " (SELECT document_number FROM fr_documents)")


@dataclass(frozen=True)
class UnpublishedFiling:
    document_number: str
    publication_date: str | None
    withdrawn_at: str | None


def unpublished_filings(db: Database) -> list[UnpublishedFiling]:
    """Filings whose FR document is not stored: the ones a desk can show withdrawn (or relisted)."""
    return [UnpublishedFiling(*r) for r in db.execute(
        "SELECT document_number, publication_date, withdrawn_at FROM public_inspection WHERE published = 0"
        " AND document_number NOT IN (SELECT document_number FROM fr_documents)").fetchall()]


def set_filing_withdrawn(db: Database, number: str, withdrawn_at: str | None) -> None:
    """The filing left the desk unpublished at ``withdrawn_at``; ``None``: it is listed again."""
    db.table("public_inspection").update(number, {"withdrawn_at": withdrawn_at})


# --- eCFR versions -------------------------------------------------------------------------------

@dataclass(frozen=True)
class EcfrVersionRow:
    """One version of a tracked unit as the eCFR's versions list states it."""

    unit: str                          # Tracked.key, e.g. '15 CFR Supplement No. 1 to Part 740'
    kind: str                          # country_groups | itar_126_1
    date: str                          # the version date (content as of)
    amendment_date: str | None = None
    issue_date: str | None = None
    identifier: str | None = None
    name: str | None = None
    substantive: bool | None = None


def ecfr_version_dates(db: Database, unit: str) -> set[str]:
    """Every stored version date of ``unit``, parsed or not."""
    return {r[0] for r in db.execute("SELECT date FROM ecfr_versions WHERE unit = ?", [unit]).fetchall()}


def add_ecfr_version(db: Database, version: EcfrVersionRow, *, xml_sha256: str, run_id: int | None) -> None:
    """Store a version with its XML, pending a parse; a (unit, date) already stored is left as it is."""
    with db.atomic():
        db.table("ecfr_versions").insert({
            "unit": version.unit, "kind": version.kind, "date": version.date,
            "amendment_date": version.amendment_date, "issue_date": version.issue_date,
            "identifier": version.identifier, "name": version.name,
            "substantive": None if version.substantive is None else int(version.substantive),
            "xml_sha256": xml_sha256, "parse_status": ParseStatus.PENDING.value, "first_seen_run": run_id,
        }, ignore=True)


# --- what a run brought --------------------------------------------------------------------------

_FIRST_SEEN = {Source.FEDERAL_REGISTER: "fr_documents", Source.PUBLIC_INSPECTION: "public_inspection",
               Source.ECFR: "ecfr_versions"}


def first_seen_count(db: Database, source: Source, run_id: int) -> int:
    """Rows ``source`` created in run ``run_id`` (counted from the rows, so right even after a failure midway)."""
    table = _FIRST_SEEN.get(source)
    if table is None:
        return 0
    return int(db.execute(f"SELECT COUNT(*) FROM {table} WHERE first_seen_run = ?", [run_id]).fetchone()[0])
