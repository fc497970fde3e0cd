"""The change engine: stored raw documents -> memberships, changes, divergences, review items.

Three steps, one transaction:

1. **load** (``store.loaders``): the stored FR documents, eCFR versions and
   public-inspection texts, parsed once per run through a ``ParseCache`` that
   the run owns and drops (nothing is cached between runs);
2. **derive** (``pipeline.derive``, pure): for every unit of
   ``pipeline.derive.units.REGISTRY`` its rules, screened versions, changes
   and membership intervals, then the D:5 / 126.1 divergences and every
   review item (``derive_facts``), and what must change in the store to say
   so (``pipeline.derive.sync``);
3. **write** (``store.derived``): the plans carried out by named writes.

Everything here is *derived*: each call re-reads the stored raw blobs,
recomputes the full history and syncs it into the database, so a rerun is
idempotent and ``frtrack reparse`` is identical to a fresh run by
construction. Only the change status log is history of its own: a status
move is appended with a timestamp when the derived status differs from the
stored one; a change once derived and no longer derived is withdrawn (its row
and log stay; derived again, it comes back and its log continues).

The lifecycle, baselines and attribution are described in
``pipeline.derive.changes``; suspect versions in ``pipeline.derive.screening``;
effective dates and delay notices in ``pipeline.derive.rules``; divergences
in ``pipeline.derive.divergences``.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlite_utils import Database

from parsers.errors import FrtrackError, ParseError
from parsers.lifecycle import ChangeStatus
from parsers.model import CfrPart, FRDocument
from pipeline.derive.cache import ParseCache
from pipeline.derive.changes import derive_changes
from pipeline.derive.divergences import derive_divergences, unresolved_itar_names, unresolved_names
from pipeline.derive.facts import Derived, UnitInputs, derive_facts, versions_of
from pipeline.derive.review import review_line
from pipeline.derive.rows import (
    Accepted,
    Announcement,
    Change,
    Divergence,
    HeldReview,
    Rule,
    StoredChange,
    StoredDocument,
    StoredFlag,
    Version,
)
from pipeline.derive.rules import announced_effective, derive_rules
from pipeline.derive.screening import SUSPECT_REMOVALS, screen_versions
from pipeline.derive.sync import plan_change_sync, plan_review_sync, plan_suspect_flags
from pipeline.derive.units import REGISTRY, TrackedUnit, unit_of
from store import derived as store_derived, loaders
from store.blobs import get_blob
from store.db import utcnow
from store.enums import Source

__all__ = ["SUSPECT_REMOVALS", "Accepted", "Change", "DeriveReport", "Divergence", "Rule", "Version", "derive",
           "derive_changes", "derive_divergences", "parse_pending", "review_line", "screen_versions",
           "unresolved_itar_names", "unresolved_names"]

log = logging.getLogger(__name__)


@dataclass
class DeriveReport:
    """What one derivation found; the run turns it into its summary and exit code."""

    parse_failures: list[str] = field(default_factory=list)   # newly failed documents
    review: list[str] = field(default_factory=list)           # unrecognized wording, newly seen
    changes: int = 0
    status_moves: list[str] = field(default_factory=list)
    open_divergences: int = 0


def derive(db: Database, *, today: date, run_id: int | None, everything: bool = False) -> DeriveReport:
    """Parse what is pending, then recompute and store all derived facts in one transaction."""
    report = DeriveReport()
    cache = ParseCache()   # this run's; dropped when it returns
    with db.atomic():
        parse_pending(db, report, cache, everything=everything)
        derived = derive_facts(_load(db, cache), today=today.isoformat(),
                               ecfr_read_until=loaders.last_good_fetch_day(db, Source.ECFR.value))
        _write(db, derived, run_id, report)
    report.changes = len(derived.changes)
    report.open_divergences = derived.open_divergences
    return report


# ---------------------------------------------------------------- parse

def _blob(db: Database, sha: str) -> Callable[[], bytes]:
    return lambda: get_blob(db, sha)


def _pick(docs: tuple[FRDocument, ...], number: str) -> FRDocument | None:
    """The document with this number in a stored XML file (a daily issue holds many)."""
    for d in docs:
        if d.document_number == number:
            return d
    return docs[0] if len(docs) == 1 else None


def parse_pending(db: Database, report: DeriveReport, cache: ParseCache | None = None, *,
                  everything: bool = False) -> None:
    """Parse stored raw documents not parsed yet (or all, for reparse); record failures."""
    cache = cache if cache is not None else ParseCache()
    for fr in loaders.fr_xml_to_parse(db, everything=everything):
        name = f"FR Doc. {fr.document_number}"
        try:
            doc = _pick(cache.fr_documents(fr.xml_sha256, fr.publication_date, _blob(db, fr.xml_sha256), name),
                        fr.document_number)
            if doc is None:
                raise ParseError(name, "the XML holds no document with this number")
            store_derived.mark_fr_parsed(db, fr.document_number, corrects=doc.corrects,
                                         effective_date=doc.effective_date.isoformat() if doc.effective_date else None)
        except FrtrackError as exc:
            _failed(report, store_derived.mark_fr_failed(db, fr.document_number, str(exc)), str(exc))
    for v in loaders.ecfr_xml_to_parse(db, everything=everything):
        unit = unit_of(v.kind)
        if unit is None:   # stored by a fetcher for a unit this frtrack does not track: left for one that does
            log.warning("eCFR %s version %s: no tracked unit reads kind %r; left unparsed", v.unit, v.date, v.kind)
            continue
        try:
            cache.version(unit, v.xml_sha256, _blob(db, v.xml_sha256), f"eCFR {v.unit} version {v.date}")
            store_derived.mark_version_parsed(db, v.id)
        except FrtrackError as exc:
            _failed(report, store_derived.mark_version_failed(db, v.id, str(exc)), str(exc))


def _failed(report: DeriveReport, news: bool, error: str) -> None:
    if news:
        report.parse_failures.append(error)
    log.error("parse failed: %s", error)


# ---------------------------------------------------------------- load

def _load(db: Database, cache: ParseCache) -> list[UnitInputs]:
    """Every registered unit's parsed versions, rules and announcements."""
    shas: dict[str, str] = {}
    stored: dict[str, StoredDocument] = {}
    for fr in loaders.parsed_fr_documents(db):
        doc = _pick(cache.fr_documents(fr.xml_sha256, fr.publication_date, _blob(db, fr.xml_sha256),
                                       f"FR Doc. {fr.document_number}"), fr.document_number)
        if doc is None:
            continue
        shas[fr.document_number] = fr.xml_sha256
        parts = {str(p) for p in CfrPart.from_api_list(fr.cfr_references)}
        stored[fr.document_number] = StoredDocument(
            doc, fr.publication_date, fr.effective_on, fr.correction_of, fr.citation,
            frozenset(a for a in fr.agencies if isinstance(a, str)), frozenset(parts | set(doc.cfr_parts)))
    desk = [(d, get_blob(db, d.text_sha256)) for d in loaders.desk_texts(db)]
    return [_unit_inputs(db, cache, unit, stored, shas, desk) for unit in REGISTRY]


def _unit_inputs(db: Database, cache: ParseCache, unit: TrackedUnit, stored: dict[str, StoredDocument],
                 shas: dict[str, str], desk: list[tuple[loaders.DeskText, bytes]]) -> UnitInputs:
    versions = versions_of([(v.date, cache.version(unit, v.xml_sha256, _blob(db, v.xml_sha256),
                                                   f"eCFR {v.unit} version {v.date}"))
                            for v in loaders.parsed_versions(db, unit.kind.value)])
    interpret = unit.interpret
    rules = (derive_rules(stored, lambda number, s: interpret(s.doc, _blob(db, shas[number])))
             if interpret is not None else [])
    announcements = []
    if unit.announcements is not None:
        for filing, text in desk:
            said = unit.announcements(text)
            if said.stated or said.operations:
                announcements.append(Announcement(filing.document_number,
                                                  announced_effective(text, filing.publication_date),
                                                  said.stated, said.operations))
    return UnitInputs(unit, versions, rules, announcements)


# ---------------------------------------------------------------- write

def _write(db: Database, derived: Derived, run_id: int | None, report: DeriveReport) -> None:
    _sync_changes(db, derived.changes, run_id, report)
    store_derived.sync_memberships(db, derived.memberships)
    store_derived.sync_divergences(db, derived.divergences)
    store_derived.sync_group_columns(db, derived.columns)
    store_derived.sync_table_events(db, derived.table_events)
    for facts in derived.units:
        if facts.unit.produces_changes:
            flags = [StoredFlag(f.id, f.date, f.suspect) for f in loaders.version_flags(db, facts.unit.kind.value)]
            for flag in plan_suspect_flags(flags, facts.suspects):
                store_derived.set_suspect(db, flag.version_id, flag.reason)
    held = [HeldReview(r.id, r.document_number, r.instruction_index, r.text, r.reason, r.withdrawn)
            for r in loaders.held_review_items(db)]
    review = plan_review_sync(derived.review, held)
    for w in review.writes:
        if w.held_id is None:
            store_derived.insert_review_item(db, w.item)
        else:
            store_derived.update_review_reason(db, w.held_id, w.item.reason)
    store_derived.withdraw_review_items(db, review.withdrawals)
    report.review.extend(review.lines)
    store_derived.mark_announcements_published(db)


def _sync_changes(db: Database, changes: list[Change], run_id: int | None, report: DeriveReport) -> None:
    now = utcnow(db)
    stored = [StoredChange(**row._asdict()) for row in loaders.stored_changes(db)]
    plan = plan_change_sync(stored, changes, loaders.fr_document_numbers(db), loaders.status_log_notes(db))
    for w in plan.writes:
        change_id = w.change_id
        if change_id is None:
            change_id = store_derived.insert_change(db, w.record, now)
        elif w.rewrite:
            store_derived.rewrite_change(db, change_id, w.record, now)
        for entry in w.log:
            store_derived.log_status(db, change_id, entry.status, entry.note, at=now, run_id=run_id)
    for gone in plan.withdrawals:
        store_derived.set_change_status(db, gone.change_id, ChangeStatus.WITHDRAWN, now)
        store_derived.log_status(db, gone.change_id, gone.log.status, gone.log.note, at=now, run_id=run_id)
    report.status_moves.extend(plan.moves)
