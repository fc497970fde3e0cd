"""What a run must write: derived facts against what the store holds, as plans of named writes.

Everything derived is recomputed each run; only the change status log is
history of its own. A status move is logged when the derived status differs
from the stored one (with the lifecycle steps passed in between); a change
once derived and no longer derived is withdrawn, its row and log kept; derived
again, it comes back and its log continues. The engine carries a plan out
through ``store.derived``; nothing here touches the database.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from parsers.lifecycle import ChangeAction, ChangeStatus
from parsers.model import ListKind
from pipeline.derive.review import review_line
from pipeline.derive.rows import Change, HeldReview, ReviewItem, StoredChange, StoredFlag, Suspect

LIFECYCLE = (ChangeStatus.ANNOUNCED, ChangeStatus.PUBLISHED, ChangeStatus.IN_EFFECT, ChangeStatus.CONFIRMED)


def lifecycle_steps(old: ChangeStatus, new: ChangeStatus) -> list[ChangeStatus]:
    """Statuses to log when moving old -> new: the lifecycle steps passed in one run, then new.

    A rule seen on public inspection and then published already in effect is
    logged announced -> published -> in_effect, so the history tells what happened.
    """
    rank = {s: i for i, s in enumerate(LIFECYCLE)}
    target = rank.get(new, rank[ChangeStatus.CONFIRMED] if new is ChangeStatus.CONTRADICTED else None)
    if old not in rank or target is None or target <= rank[old]:
        return [new]
    return [s for s in LIFECYCLE[rank[old] + 1:target]] + [new]


# ---------------------------------------------------------------- changes

@dataclass(frozen=True)
class ChangeRecord:
    """What a ``changes`` row holds after this run (its id and timestamps aside)."""

    key: str
    country: str
    group: str | None
    action: ChangeAction
    effective_date: str | None
    status: ChangeStatus
    fr_document: str | None          # None while the announced document is not stored
    ecfr_version: str | None
    corrected_by: tuple[str, ...]
    list: ListKind = ListKind.COUNTRY_GROUPS
    entity: str | None = None
    entity_key: str | None = None
    detail: str | None = None        # JSON text

    def differs_from(self, old: StoredChange) -> bool:
        return (self.country, self.group, self.action.value, self.effective_date, self.status, self.fr_document,
                self.ecfr_version, self.corrected_by, self.list.value, self.entity, self.entity_key,
                self.detail) != (
            old.country, old.group, old.action, old.effective_date, old.status, old.fr_document, old.ecfr_version,
            old.corrected_by, old.list, old.entity, old.entity_key, old.detail)


class LogEntry(NamedTuple):
    """One ``change_status_log`` row to append: the status and why."""

    status: ChangeStatus
    note: str | None


@dataclass(frozen=True)
class ChangeWrite:
    """One derived change: insert it (``change_id`` None) or rewrite it, then append its log rows."""

    record: ChangeRecord
    change_id: int | None
    rewrite: bool
    log: tuple[LogEntry, ...]
    move: str | None                 # the run summary's line for a status move


@dataclass(frozen=True)
class Withdrawal:
    """A stored change no longer derived: status withdrawn, one log row; the row stays."""

    change_id: int
    log: LogEntry
    move: str


@dataclass(frozen=True)
class ChangeSync:
    writes: tuple[ChangeWrite, ...]
    withdrawals: tuple[Withdrawal, ...]

    @property
    def moves(self) -> list[str]:
        return [w.move for w in self.writes if w.move] + [w.move for w in self.withdrawals]


def change_label(country: str, action: str, group: str | None, list_kind: str, entity: str | None) -> str:
    """How the run summary names a change: "Cambodia added D:5", "Cambodia added § 744.21",
    "Russia removed Entity List entry 'Example Co.'"."""
    if entity is not None:
        return f"{country} {action} Entity List entry {entity!r}"
    if list_kind == ListKind.COUNTRY_GROUPS.value or group is not None:
        return f"{country} {action} {group}"
    return f"{country} {action} § {list_kind}"


def plan_change_sync(stored: Iterable[StoredChange], facts: Iterable[Change], stored_docs: set[str],
                     logged: Mapping[int, frozenset[str]]) -> ChangeSync:
    """The writes that make the ``changes`` table and its log say what ``facts`` say.

    ``stored_docs``: the FR documents in the store (an announced change names a
    document that may not be there yet); ``logged``: the notes each change's
    log already has, so an effective-date move is logged once.
    """
    existing = {s.key: s for s in stored}
    writes: list[ChangeWrite] = []
    for f in facts:
        record = ChangeRecord(f.key, f.country, f.group, f.action, f.effective_date, f.status,
                              f.fr_document if not f.fr_document or f.fr_document in stored_docs else None,
                              f.ecfr_version, f.corrected_by, f.list, f.entity, f.entity_key, f.detail)
        old = existing.pop(f.key, None)
        log: list[LogEntry] = []
        move = None
        rewrite = False
        if old is None:
            log.append(LogEntry(f.status, f.note or None))
            move = f"{change_label(f.country, f.action.value, f.group, f.list.value, f.entity)}: {f.status.value}"
        elif record.differs_from(old):
            rewrite = True
            if old.status is not f.status:
                log += [LogEntry(step, f"was {old.status.value}") for step in lifecycle_steps(old.status, f.status)]
                move = (f"{change_label(f.country, f.action.value, f.group, f.list.value, f.entity)}:"
                        f" {old.status.value} -> {f.status.value}")
        notes = set(logged.get(old.id, frozenset())) if old is not None else set()
        notes |= {e.note for e in log if e.note}
        for note in f.date_moves:   # one log row per effective-date move, so the history keeps the old date
            if note not in notes:
                notes.add(note)
                log.append(LogEntry(f.status, note))
        writes.append(ChangeWrite(record, old.id if old is not None else None, rewrite, tuple(log), move))
    withdrawals = tuple(
        Withdrawal(old.id, LogEntry(ChangeStatus.WITHDRAWN,
                                    f"was {old.status.value}; no longer derived from the stored documents"),
                   f"{change_label(old.country, old.action, old.group, old.list, old.entity)}:"
                   f" {old.status.value} -> withdrawn")
        for old in existing.values() if old.status is not ChangeStatus.WITHDRAWN)
    return ChangeSync(tuple(writes), withdrawals)


# ---------------------------------------------------------------- review items

class ReviewWrite(NamedTuple):
    """Insert a review item (``held_id`` None) or give the held one its new reason (a withdrawn one comes back)."""

    item: ReviewItem
    held_id: int | None


@dataclass(frozen=True)
class ReviewSync:
    writes: tuple[ReviewWrite, ...]
    withdrawals: tuple[int, ...]       # held items no longer derived: withdrawn, kept
    lines: tuple[str, ...]             # the run summary's line for each new or changed item


def plan_review_sync(items: Iterable[ReviewItem], held: Iterable[HeldReview]) -> ReviewSync:
    """One item per (document, instruction, text): new ones inserted, a changed reason updated and reported.

    An item no longer derived is withdrawn (its row kept); derived again, the
    same row comes back and is reported as new.
    """
    by_identity = {h.identity: h for h in held}
    keep: set[tuple[str, int | None, str]] = set()
    writes: list[ReviewWrite] = []
    lines: list[str] = []
    for item in items:
        if item.identity in keep:
            continue
        keep.add(item.identity)
        old = by_identity.get(item.identity)
        if old is not None and old.reason == item.reason and not old.withdrawn:
            continue
        # a new item, or e.g. a suspect version since accepted: the item says so, and it is news
        writes.append(ReviewWrite(item, old.id if old is not None else None))
        lines.append(review_line(item.document, item.instruction, item.text, item.reason))
    withdrawals = tuple(h.id for h in by_identity.values() if h.identity not in keep and not h.withdrawn)
    return ReviewSync(tuple(writes), withdrawals, tuple(lines))


# ---------------------------------------------------------------- suspect versions

class SuspectFlag(NamedTuple):
    """Set an eCFR version's suspect reason (None: trusted)."""

    version_id: int
    reason: str | None


def plan_suspect_flags(rows: Iterable[StoredFlag], suspects: Iterable[Suspect]) -> list[SuspectFlag]:
    """The versions whose stored suspect reason is not the one derived now."""
    held = {s.date: s.reason for s in suspects}
    return [SuspectFlag(r.id, held.get(r.date)) for r in rows if held.get(r.date) != r.suspect]
