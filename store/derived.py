"""Every write of the derived tables: parse status, changes and their log, memberships, divergences,
review items, table events and columns, suspect flags, and the public-inspection "published" mark.

The derivation decides what to write (``pipeline.derive.sync`` plans it);
these named functions are the only SQL that writes it. Rows are passed as any
object with the named attributes (the read-only Protocols below), so the store needs
nothing from the layers above it. Raw tables (documents, versions, runs,
fetches, polls) are written elsewhere in the store.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Protocol

from sqlite_utils import Database

from parsers.lifecycle import ChangeAction, ChangeStatus, DivergenceKind, DivergenceSide, ReviewSubject, TableEventKind
from store.db import utcnow
from store.enums import ParseStatus


class ChangeRecord(Protocol):
    """A changes row to write (pipeline.derive.sync.ChangeRecord)."""

    @property
    def key(self) -> str: ...
    @property
    def country(self) -> str: ...
    @property
    def group(self) -> str: ...
    @property
    def action(self) -> ChangeAction: ...
    @property
    def effective_date(self) -> str | None: ...
    @property
    def status(self) -> ChangeStatus: ...
    @property
    def fr_document(self) -> str | None: ...
    @property
    def ecfr_version(self) -> str | None: ...
    @property
    def corrected_by(self) -> tuple[str, ...]: ...


class MembershipRecord(Protocol):
    """A membership interval (pipeline.derive.rows.Membership)."""

    @property
    def country(self) -> str: ...
    @property
    def group(self) -> str: ...
    @property
    def valid_from(self) -> str: ...
    @property
    def valid_to(self) -> str | None: ...
    @property
    def opened_by(self) -> str: ...
    @property
    def closed_by(self) -> str | None: ...


class DivergenceRecord(Protocol):
    """A D:5 / 126.1 divergence (pipeline.derive.rows.Divergence)."""

    @property
    def country(self) -> str: ...
    @property
    def side(self) -> DivergenceSide: ...
    @property
    def kind(self) -> DivergenceKind: ...
    @property
    def moved_first(self) -> str: ...
    @property
    def since(self) -> str: ...
    @property
    def until(self) -> str | None: ...
    @property
    def opened_by(self) -> str | None: ...
    @property
    def closed_by(self) -> str | None: ...


class ColumnRecord(Protocol):
    """A printed column of the latest version (pipeline.derive.rows.ColumnRow)."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def table(self) -> str: ...
    @property
    def as_of(self) -> str: ...


class TableEventRecord(Protocol):
    """A table event of one version (pipeline.derive.rows.TableEventRow)."""

    @property
    def unit(self) -> str: ...
    @property
    def ecfr_version(self) -> str: ...
    @property
    def kind(self) -> TableEventKind: ...
    @property
    def subject(self) -> str: ...
    @property
    def before(self) -> str | None: ...
    @property
    def after(self) -> str | None: ...


class ReviewRecord(Protocol):
    """A review item (pipeline.derive.rows.ReviewItem)."""

    @property
    def document(self) -> str: ...
    @property
    def instruction(self) -> int | None: ...
    @property
    def text(self) -> str: ...
    @property
    def reason(self) -> str: ...


    @property
    def subject(self) -> ReviewSubject: ...


# ---------------------------------------------------------------- parse status

def mark_fr_parsed(db: Database, document_number: str, *, effective_date: str | None, corrects: str | None) -> None:
    """The document parsed: its effective date as the XML states it, and what it corrects (the API's wins)."""
    db.execute("UPDATE fr_documents SET parse_status = ?, parse_error = NULL, effective_date = ?,"
               " correction_of = COALESCE(correction_of, ?) WHERE document_number = ?",
               [ParseStatus.OK.value, effective_date, corrects, document_number])


def mark_version_parsed(db: Database, version_id: int) -> None:
    db.execute("UPDATE ecfr_versions SET parse_status = ?, parse_error = NULL WHERE id = ?",
               [ParseStatus.OK.value, version_id])


def mark_fr_failed(db: Database, document_number: str, error: str) -> bool:
    """Record a parse failure; True when it is news (the document did not already fail this way)."""
    return _fail(db, "fr_documents", "document_number", document_number, error)


def mark_version_failed(db: Database, version_id: int, error: str) -> bool:
    """Record a parse failure; True when it is news (the version did not already fail this way)."""
    return _fail(db, "ecfr_versions", "id", version_id, error)


def _fail(db: Database, table: str, key: str, value: object, error: str) -> bool:
    old = db.execute(f"SELECT parse_status, parse_error FROM {table} WHERE {key} = ?", [value]).fetchone()
    db.execute(f"UPDATE {table} SET parse_status = ?, parse_error = ? WHERE {key} = ?",
               [ParseStatus.FAILED.value, error, value])
    return old is None or old[0] != ParseStatus.FAILED.value or old[1] != error


# ---------------------------------------------------------------- changes

def _change_values(r: ChangeRecord) -> list[object]:
    return [r.country, r.group, r.action.value, r.effective_date, r.status.value, r.fr_document, r.ecfr_version,
            json.dumps(list(r.corrected_by)) if r.corrected_by else None]


_CHANGE_COLUMNS = ("country", "grp", "action", "effective_date", "status", "fr_document", "ecfr_version",
                   "corrected_by")


def insert_change(db: Database, record: ChangeRecord, now: str) -> int:
    """A new change row; its id."""
    cur = db.execute(f"INSERT INTO changes (key, {', '.join(_CHANGE_COLUMNS)}, created_at, updated_at)"
                     f" VALUES (?, {', '.join('?' * len(_CHANGE_COLUMNS))}, ?, ?)",
                     [record.key, *_change_values(record), now, now])
    assert cur.lastrowid is not None
    return cur.lastrowid


def rewrite_change(db: Database, change_id: int, record: ChangeRecord, now: str) -> None:
    db.execute(f"UPDATE changes SET {', '.join(c + ' = ?' for c in _CHANGE_COLUMNS)}, updated_at = ? WHERE id = ?",
               [*_change_values(record), now, change_id])


def set_change_status(db: Database, change_id: int, status: ChangeStatus, now: str) -> None:
    db.execute("UPDATE changes SET status = ?, updated_at = ? WHERE id = ?", [status.value, now, change_id])


def log_status(db: Database, change_id: int, status: ChangeStatus, note: str | None, *, at: str,
               run_id: int | None) -> None:
    """Append one row to a change's status log."""
    db.execute("INSERT INTO change_status_log (change_id, status, at, run_id, note) VALUES (?,?,?,?,?)",
               [change_id, status.value, at, run_id, note])


# ---------------------------------------------------------------- recomputed tables

def _replace(db: Database, table: str, cols: tuple[str, ...], rows: Sequence[Sequence[object]]) -> None:
    db.execute(f"DELETE FROM {table}")
    if rows:
        db.conn.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)
    # rowid tables without AUTOINCREMENT restart their ids once emptied, so a
    # reparse yields the same rows, ids included, as a fresh run.


def replace_memberships(db: Database, rows: Iterable[MembershipRecord]) -> None:
    _replace(db, "memberships", ("country", "grp", "valid_from", "valid_to", "opened_by", "closed_by"),
             [(m.country, m.group, m.valid_from, m.valid_to, m.opened_by, m.closed_by) for m in rows])


def replace_divergences(db: Database, rows: Iterable[DivergenceRecord]) -> None:
    _replace(db, "divergences", ("country", "side", "kind", "moved_first", "opened_on", "closed_on", "opened_by",
                                 "closed_by"),
             [(d.country, d.side.value, d.kind.value, d.moved_first, d.since, d.until, d.opened_by, d.closed_by)
              for d in rows])


def replace_group_columns(db: Database, rows: Iterable[ColumnRecord]) -> None:
    _replace(db, "group_columns", ("code", "name", "tbl", "as_of"), [(c.code, c.name, c.table, c.as_of) for c in rows])


def replace_table_events(db: Database, rows: Iterable[TableEventRecord]) -> None:
    _replace(db, "table_events", ("unit", "ecfr_version", "kind", "subject", "before", "after"),
             [(e.unit, e.ecfr_version, e.kind.value, e.subject, e.before, e.after) for e in rows])


def set_suspect(db: Database, version_id: int, reason: str | None) -> None:
    """Hold an eCFR version as suspect (``reason``) or trust it again (None)."""
    db.execute("UPDATE ecfr_versions SET suspect = ? WHERE id = ?", [reason, version_id])


# ---------------------------------------------------------------- review items

def insert_review_item(db: Database, item: ReviewRecord) -> None:
    db.execute("INSERT INTO review_items (document_number, instruction_index, text, reason, created_at, subject)"
               " VALUES (?,?,?,?,?,?)",
               [item.document, item.instruction, item.text, item.reason, utcnow(db), item.subject.value])


def update_review_reason(db: Database, item_id: int, reason: str) -> None:
    db.execute("UPDATE review_items SET reason = ? WHERE id = ?", [reason, item_id])


def delete_review_items(db: Database, item_ids: Iterable[int]) -> None:
    for item_id in item_ids:
        db.execute("DELETE FROM review_items WHERE id = ?", [item_id])


# ---------------------------------------------------------------- public inspection

def mark_announcements_published(db: Database) -> None:
    """A filing whose FR document is stored is published."""
    db.execute("UPDATE public_inspection SET published = 1 WHERE published = 0 AND document_number IN"
               " (SELECT document_number FROM fr_documents)")
