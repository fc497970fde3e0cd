"""Every write of the derived tables: parse status, changes and their log, memberships, divergences,
review items, table events and columns, suspect flags, and the public-inspection "published" mark.

The derivation decides what to write (``pipeline.derive.sync`` plans it);
these named functions are the only SQL that writes it. Rows are passed as any
object with the named attributes (the read-only Protocols below), so the store needs
nothing from the layers above it. Raw tables (documents, versions, runs,
fetches, polls) are written elsewhere in the store.

Nothing derived is deleted, and ids are stable: each recomputed table is
synced on its natural key (a membership's list, country, group, entity and
start; a divergence's country, side and start; a table event's unit, version,
kind and subject; a column's code). A row derived again keeps its id and is
updated in place; a row no longer derived is marked withdrawn and kept; one
derived again later comes back under its old id. An 'fr:'/'ecfr:' reference
is stored as a foreign key: the FR document's number, or the id of the list's
eCFR version of that date.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Protocol

from sqlite_utils import Database

from parsers.errors import StoreError
from parsers.lifecycle import (
    ChangeAction,
    ChangeStatus,
    DivergenceKind,
    DivergenceSide,
    ReviewSubject,
    SourceKind,
    SourceRef,
    TableEventKind,
)
from parsers.model import ListKind
from store.db import utcnow
from store.enums import ParseStatus


class ChangeRecord(Protocol):
    """A changes row to write (pipeline.derive.sync.ChangeRecord)."""

    @property
    def key(self) -> str: ...
    @property
    def country(self) -> str: ...
    @property
    def group(self) -> str | None: ...   # None for a list without groups
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
    @property
    def list(self) -> ListKind: ...
    @property
    def entity(self) -> str | None: ...
    @property
    def entity_key(self) -> str | None: ...
    @property
    def detail(self) -> str | None: ...   # JSON text


class MembershipRecord(Protocol):
    """A membership interval (pipeline.derive.rows.Membership)."""

    @property
    def country(self) -> str: ...
    @property
    def group(self) -> str | None: ...
    @property
    def valid_from(self) -> str: ...
    @property
    def valid_to(self) -> str | None: ...
    @property
    def opened_by(self) -> str: ...
    @property
    def closed_by(self) -> str | None: ...
    @property
    def list(self) -> ListKind: ...
    @property
    def entity(self) -> str | None: ...
    @property
    def entity_key(self) -> str | None: ...
    @property
    def detail(self) -> str | None: ...


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
    @property
    def opened_in(self) -> ListKind | None: ...   # whose eCFR version an 'ecfr:' reference names
    @property
    def closed_in(self) -> ListKind | None: ...


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

_CHANGE_COLUMNS = ("list", "country", "group_code", "entity", "entity_key", "action", "detail", "effective_date",
                   "status", "fr_document", "ecfr_version", "corrected_by")
_VERSION_OF = "(SELECT id FROM ecfr_versions WHERE kind = ? AND date = ? ORDER BY id LIMIT 1)"


def _change_values(r: ChangeRecord) -> list[object]:
    return [r.list.value, r.country, r.group, r.entity, r.entity_key, r.action.value, r.detail, r.effective_date,
            r.status.value, r.fr_document, r.ecfr_version, json.dumps(list(r.corrected_by)) if r.corrected_by else None,
            r.list.value, r.ecfr_version]


def insert_change(db: Database, record: ChangeRecord, now: str) -> int:
    """A new change row; its id. ``ecfr_version_id`` is the list's version of the ``ecfr_version`` date."""
    cur = db.execute(f"INSERT INTO changes (change_key, {', '.join(_CHANGE_COLUMNS)}, ecfr_version_id, created_at,"
                     f" updated_at) VALUES (?, {', '.join('?' * len(_CHANGE_COLUMNS))}, {_VERSION_OF}, ?, ?)",
                     [record.key, *_change_values(record), now, now])
    assert cur.lastrowid is not None
    return cur.lastrowid


def rewrite_change(db: Database, change_id: int, record: ChangeRecord, now: str) -> None:
    db.execute(f"UPDATE changes SET {', '.join(c + ' = ?' for c in _CHANGE_COLUMNS)},"
               f" ecfr_version_id = {_VERSION_OF}, updated_at = ? WHERE id = ?",
               [*_change_values(record), now, change_id])


def set_change_status(db: Database, change_id: int, status: ChangeStatus, now: str) -> None:
    db.execute("UPDATE changes SET status = ?, updated_at = ? WHERE id = ?", [status.value, now, change_id])


def log_status(db: Database, change_id: int, status: ChangeStatus, note: str | None, *, at: str,
               run_id: int | None) -> None:
    """Append one row to a change's status log."""
    db.execute("INSERT INTO change_status_log (change_id, status, at, run_id, note) VALUES (?,?,?,?,?)",
               [change_id, status.value, at, run_id, note])


# ---------------------------------------------------------------- recomputed tables

class _Versions:
    """(list, date) -> ecfr_versions.id, read once per sync."""

    def __init__(self, db: Database):
        self._ids: dict[tuple[str, str], int] = {}
        for vid, kind, day in db.execute("SELECT id, kind, date FROM ecfr_versions ORDER BY id DESC").fetchall():
            self._ids[(kind, day)] = vid   # the lowest id wins, as in the migration

    def ref(self, ref: str | None, unit: ListKind | None) -> tuple[str | None, int | None]:
        """'fr:DOC' -> (DOC, None); 'ecfr:DATE' -> (None, the id of ``unit``'s version of DATE)."""
        if ref is None:
            return None, None
        parsed = SourceRef.parse(ref)
        if parsed is None:
            raise StoreError(f"not a source reference: {ref!r}")
        if parsed.kind is SourceKind.FR:
            return parsed.value, None
        found = self._ids.get((unit.value if unit is not None else "", parsed.value))
        if found is None:
            raise StoreError(f"{ref}: no stored eCFR version of {unit.value if unit else 'an unnamed list'} that day")
        return None, found


def _sync(db: Database, table: str, key: tuple[str, ...], values: tuple[str, ...],
          rows: Sequence[Sequence[object]]) -> None:
    """Make ``table`` hold ``rows`` (each: key columns, then value columns) without deleting or renumbering.

    A stored row whose key is derived again is updated in place (and no longer
    withdrawn); a new key is inserted; a stored row not derived is withdrawn.
    The first of two derived rows with one key wins (the derivation gives none).
    """
    width = len(key)
    stored = {tuple(r[1:1 + width]): (r[0], tuple(r[1 + width:-1]), r[-1]) for r in db.execute(
        f"SELECT rowid, {', '.join(key + values)}, withdrawn FROM {table}").fetchall()}
    seen: set[tuple[object, ...]] = set()
    inserts: list[tuple[object, ...]] = []
    updates: list[tuple[object, ...]] = []
    for row in rows:
        k, v = tuple(row[:width]), tuple(row[width:])
        if k in seen:
            continue
        seen.add(k)
        held = stored.get(k)
        if held is None:
            inserts.append((*k, *v))
        elif held[1] != v or held[2]:
            updates.append((*v, held[0]))
    gone = [(held[0],) for k, held in stored.items() if k not in seen and not held[2]]
    db.conn.executemany(f"UPDATE {table} SET {', '.join(c + ' = ?' for c in values)}, withdrawn = 0"
                        " WHERE rowid = ?", updates)
    db.conn.executemany(f"UPDATE {table} SET withdrawn = 1 WHERE rowid = ?", gone)
    db.conn.executemany(f"INSERT INTO {table} ({', '.join(key + values)})"
                        f" VALUES ({', '.join('?' * (len(key) + len(values)))})", inserts)


def sync_memberships(db: Database, rows: Iterable[MembershipRecord]) -> None:
    """Membership intervals, by (list, country, group, entity key, start); refs as foreign keys."""
    versions = _Versions(db)
    out = []
    for m in rows:
        opened, closed = versions.ref(m.opened_by, m.list), versions.ref(m.closed_by, m.list)
        out.append((m.list.value, m.country, m.group, m.entity_key, m.valid_from,
                    m.entity, m.detail, m.valid_to, *opened, *closed))
    _sync(db, "memberships", ("list", "country", "group_code", "entity_key", "valid_from"),
          ("entity", "detail", "valid_to", "opened_by_document", "opened_by_version", "closed_by_document",
           "closed_by_version"), out)


def sync_divergences(db: Database, rows: Iterable[DivergenceRecord]) -> None:
    """D:5 / 126.1 divergences, by (country, side, start)."""
    versions = _Versions(db)
    out = []
    for d in rows:
        opened, closed = versions.ref(d.opened_by, d.opened_in), versions.ref(d.closed_by, d.closed_in)
        out.append((d.country, d.side.value, d.since, d.kind.value, d.moved_first, d.until, *opened, *closed))
    _sync(db, "divergences", ("country", "side", "opened_on"),
          ("kind", "moved_first", "closed_on", "opened_by_document", "opened_by_version", "closed_by_document",
           "closed_by_version"), out)


def sync_group_columns(db: Database, rows: Iterable[ColumnRecord]) -> None:
    """The printed columns of the latest version, by code."""
    _sync(db, "group_columns", ("code",), ("name", "table_name", "as_of"),
          [(c.code, c.name, c.table, c.as_of) for c in rows])


def sync_table_events(db: Database, rows: Iterable[TableEventRecord]) -> None:
    """Table events, by (unit, version, kind, subject)."""
    _sync(db, "table_events", ("unit", "ecfr_version", "kind", "subject"), ("before", "after"),
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
    """The held item's reason now; a withdrawn item derived again is current again."""
    db.execute("UPDATE review_items SET reason = ?, withdrawn_at = NULL WHERE id = ?", [reason, item_id])


def withdraw_review_items(db: Database, item_ids: Iterable[int]) -> None:
    """Items no longer derived: withdrawn now, kept."""
    now = utcnow(db)
    for item_id in item_ids:
        db.execute("UPDATE review_items SET withdrawn_at = ? WHERE id = ?", [now, item_id])


# ---------------------------------------------------------------- public inspection

def mark_announcements_published(db: Database) -> None:
    """A filing whose FR document is stored is published."""
    db.execute("UPDATE public_inspection SET published = 1 WHERE published = 0 AND document_number IN"
               " (SELECT document_number FROM fr_documents)")
