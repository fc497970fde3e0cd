"""Federal Register documents: one complete, incremental search for every watch.

One search covers both watches (BIS on 15 CFR 730-774, State/ITAR on 22 CFR
120-130): ``conditions[agencies][]`` lists every watched agency, and because
the API's ``conditions[cfr][title]`` takes a single title, the CFR filter is
applied here, on each document's ``cfr_references`` (a document without any
is kept: corrections often carry none). With several watches that costs a
few unrelated State documents and saves one request per run.

Completeness: ``results`` is absent when nothing matched; ``next_page_url`` is
followed until absent. The API silently serves page 1 again once
page x per_page passes 10,000 and caps ``count``: a window whose count reaches
the cap, or whose later page repeats page 1, is split in date halves until
each slice is complete, and every slice must deliver exactly ``count``
distinct documents, else IncompleteResultsError.

Watermarks ``federal_register:bis`` / ``federal_register:itar`` hold the
last day a successful search covered; the next run searches from that day
again (documents of that day may have appeared since; upserts are idempotent).
"""
from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlite_utils import Database

from parsers.errors import BlockedError, FetchError, IncompleteResultsError
from parsers.model import CfrPart
from pipeline.config import CfrRange, Settings
from pipeline.derive.units import in_cfr_ranges
from pipeline.sources.http import Http
from pipeline.sources.outcome import SourceOutcome
from pipeline.sources.state import rebase
from store.documents import (
    CfrReference,
    FrDocumentRow,
    documents_missing_xml,
    link_corrections,
    mark_filing_published,
    set_document_xml,
    upsert_api_document,
)
from store.enums import Source
from store.watermarks import get_watermark, set_watermarks

log = logging.getLogger(__name__)

SOURCE = Source.FEDERAL_REGISTER
RESULT_CAP = 10_000
FIELDS = ("document_number", "citation", "type", "title", "abstract", "action", "dates",
          "publication_date", "effective_on", "agencies", "cfr_references", "regulation_id_numbers",
          "docket_ids", "html_url", "pdf_url", "full_text_xml_url", "raw_text_url", "correction_of",
          "corrections", "significant", "page_length", "start_page")
WATCH_KEYS = ("federal_register:bis", "federal_register:itar")


def watches(settings: Settings) -> list[tuple[str, tuple[str, ...], tuple[CfrRange, ...]]]:
    """(name, agencies, cfr ranges) of every configured watch."""
    w = settings.watch
    out = [("bis", w.agencies, w.cfr)]
    if w.itar_agencies:
        out.append(("itar", w.itar_agencies, w.itar_cfr))
    return out


def search_params(settings: Settings, gte: date, lte: date) -> list[tuple[str, str]]:
    """The query of one search window (without ``page``: the first page is implied)."""
    ws = watches(settings)
    agencies = sorted({a for _, ags, _ in ws for a in ags})
    params: list[tuple[str, str]] = [("conditions[agencies][]", a) for a in agencies]
    params += [("conditions[type][]", t) for t in settings.watch.document_types]
    ranges = [r for _, _, rs in ws for r in rs]
    if cfr_in_query(settings):     # the API takes one title; with several ranges we filter locally
        params += [("conditions[cfr][title]", str(ranges[0].title)), ("conditions[cfr][part]", ranges[0].parts)]
    params += [("conditions[publication_date][gte]", gte.isoformat()),
               ("conditions[publication_date][lte]", lte.isoformat())]
    params += [("fields[]", f) for f in FIELDS]
    params += [("order", "oldest"), ("per_page", str(settings.sources.per_page))]
    return params


def _slugs(doc: dict[str, Any]) -> set[str]:
    return {a["slug"] for a in doc.get("agencies") or [] if isinstance(a, dict) and a.get("slug")}


def cfr_in_query(settings: Settings) -> bool:
    """With a single CFR range the API filters by it; with several we do (see module docstring)."""
    return len([r for _, _, rs in watches(settings) for r in rs]) == 1


def matches_watch(doc: dict[str, Any], settings: Settings) -> list[str]:
    """Names of the watches this document belongs to."""
    check_cfr = not cfr_in_query(settings)
    slugs = _slugs(doc)
    refs = CfrPart.from_api_list(doc.get("cfr_references"))
    hits = []
    for name, agencies, ranges in watches(settings):
        if not slugs & set(agencies):
            continue
        if not refs or not check_cfr or in_cfr_ranges(refs, ((r.title, *r.first_last) for r in ranges)):
            hits.append(name)
    return hits


class _Search:
    """One complete search over a date window, splitting where the cap bites."""

    def __init__(self, http: Http, settings: Settings):
        self.http, self.settings = http, settings
        self.base = settings.sources.fr_api_base
        self.url = f"{self.base}/documents.json"
        self.pages: dict[str, str] = {}   # document_number -> api_sha256 of the page it came in

    def run(self, gte: date, lte: date) -> list[dict[str, Any]]:
        # a search URL carries today's date: never asked twice, so no validators worth keeping
        first = self.http.get_json(self.url, search_params(self.settings, gte, lte), source=SOURCE,
                                   conditional=False)
        data = first.data if isinstance(first.data, dict) else {}
        count = int(data.get("count") or 0)
        results = list(data.get("results") or [])
        if count >= RESULT_CAP:
            log.info("search %s..%s reports %d documents (cap %d): splitting", gte, lte, count, RESULT_CAP)
            return self._split(gte, lte, first.url, f"count {count} reaches the {RESULT_CAP}-result cap")
        docs = {}
        for doc in results:
            docs[doc["document_number"]] = doc
            self.pages.setdefault(doc["document_number"], first.sha256)
        first_number = results[0]["document_number"] if results else None
        next_url = data.get("next_page_url")
        seen_pages = {first.url}
        while next_url:
            page_url = rebase(next_url, self.base)
            if page_url in seen_pages:
                raise IncompleteResultsError(page_url, "next_page_url points at a page already read")
            seen_pages.add(page_url)
            page = self.http.get_json(page_url, source=SOURCE, conditional=False)
            pdata = page.data if isinstance(page.data, dict) else {}
            presults = list(pdata.get("results") or [])
            if presults and presults[0].get("document_number") == first_number:
                return self._split(gte, lte, page_url, "a later page repeats page 1 (the 10,000-result cap)")
            for doc in presults:
                docs.setdefault(doc["document_number"], doc)
                self.pages.setdefault(doc["document_number"], page.sha256)
            next_url = pdata.get("next_page_url")
        if len(docs) != count:
            raise IncompleteResultsError(first.url, f"received {len(docs)} distinct documents but count says "
                                         f"{count} for {gte}..{lte}")
        return list(docs.values())

    def _split(self, gte: date, lte: date, url: str, why: str) -> list[dict[str, Any]]:
        if gte >= lte:
            raise IncompleteResultsError(url, f"{why}, and the window {gte} is a single day that cannot be split")
        mid = gte + timedelta(days=(lte - gte).days // 2)
        return self.run(gte, mid) + self.run(mid + timedelta(days=1), lte)


def _number_from(ref: Any) -> str | None:
    """The API gives correction_of either as a document number or as its json/html URL."""
    if not ref:
        return None
    text = str(ref)
    if "/" in text:
        path = urlsplit(text).path.rstrip("/")
        parts = [p for p in path.split("/") if p]
        # .../documents/2020-04178.json or .../documents/2020/03/02/2020-04178/slug
        for p in reversed(parts):
            p = p.removesuffix(".json")
            if any(c.isdigit() for c in p) and "-" in p and not p.isdigit():
                return p
        return None
    return text


def correction_target(doc: dict[str, Any]) -> str | None:
    explicit = _number_from(doc.get("correction_of"))
    if explicit:
        return explicit
    number = doc.get("document_number", "")
    if number[:1] == "C" and "-" in number and number.split("-", 1)[0][1:].isdigit():
        return number.split("-", 1)[1]     # C1-2020-04178 corrects 2020-04178
    return None


def document_row(doc: dict[str, Any]) -> FrDocumentRow:
    """The stored metadata of one API search result."""
    refs = tuple(CfrReference(r.get("title"), r.get("part")) for r in doc.get("cfr_references") or []
                 if isinstance(r, dict))
    return FrDocumentRow(
        document_number=doc["document_number"], doc_type=doc.get("type"), title=doc.get("title"),
        abstract=doc.get("abstract"), action=doc.get("action"), dates=doc.get("dates"),
        publication_date=doc.get("publication_date"), effective_on=doc.get("effective_on"),
        citation=doc.get("citation"), agencies=tuple(sorted(_slugs(doc))), cfr_references=refs,
        rins=tuple(doc.get("regulation_id_numbers") or ()), docket_ids=tuple(doc.get("docket_ids") or ()),
        html_url=doc.get("html_url"), pdf_url=doc.get("pdf_url"), full_text_xml_url=doc.get("full_text_xml_url"),
        raw_text_url=doc.get("raw_text_url"), correction_of=correction_target(doc))


def store_document(db: Database, doc: dict[str, Any], *, api_sha256: str, run_id: int) -> bool:
    """Upsert one document in its own transaction; True when it is new."""
    number = doc["document_number"]
    with db.atomic():
        new = upsert_api_document(db, document_row(doc), api_sha256=api_sha256, run_id=run_id)
        # the corrected document may list this correction; and a correction may arrive first
        targets = [t for t in (_number_from(ref) for ref in doc.get("corrections") or []) if t]
        link_corrections(db, number, targets)
        mark_filing_published(db, number)
    return new


def _download_xml(http: Http, db: Database, settings: Settings, number: str, url: str) -> None:
    resp = http.get_xml(rebase(url, settings.sources.fr_api_base), source=SOURCE)
    set_document_xml(db, number, resp.sha256)


def start_date(db: Database, settings: Settings, since: date | None) -> date:
    if since is not None:
        return since
    marks = [get_watermark(db, k) for k, _ in zip(WATCH_KEYS, watches(settings), strict=False)]   # only the configured watches
    if all(marks):
        return min(date.fromisoformat(m) for m in marks if m)
    return date.fromisoformat(settings.watch.since)


def fetch_federal_register(http: Http, db: Database, settings: Settings, *, run_id: int,
                           since: date | None, today: date) -> SourceOutcome:
    """Search, store new/changed documents, download new XML; watermarks move only on full success."""
    before = http.requests
    gte = start_date(db, settings, since)
    search = _Search(http, settings)
    docs = search.run(gte, today)
    new = 0
    failures: list[FetchError] = []
    for doc in sorted(docs, key=lambda d: (d.get("publication_date") or "", d["document_number"])):
        if not matches_watch(doc, settings):
            continue
        number = doc["document_number"]
        if store_document(db, doc, api_sha256=search.pages[number], run_id=run_id):
            new += 1
    # every stored document without its XML (new, or a failed earlier download) gets it now
    missing = documents_missing_xml(db, SOURCE)
    for number, url in missing:
        try:
            _download_xml(http, db, settings, number, url)
        except BlockedError:
            raise
        except FetchError as exc:
            log.info("XML of %s: %s", number, exc)   # the URL: with -v; the run reports the problem
            failures.append(exc)
    if failures:
        first = failures[0]
        raise FetchError(first.url, f"{type(first).__name__}: {first.problem} ({len(failures)} of "
                         f"{len(missing)} XML downloads failed; their documents are stored and the "
                         "downloads are retried next run)", source=SOURCE.value)
    mark = today.isoformat()
    set_watermarks(db, {k: mark for k, _ in zip(WATCH_KEYS, watches(settings), strict=False)}, run_id)
    return SourceOutcome(SOURCE, True, http.requests - before, new, mark, None)
