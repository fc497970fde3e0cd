"""Pure change arithmetic: table states, observed and predicted deltas.

A *state* is the set of (country, column code) memberships at one moment.
Observed deltas come from diffing consecutive eCFR versions; predicted deltas
from applying an FR rule's operations to the state the day before it takes
effect. Nothing here touches the database, so every rule is testable alone.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from parsers.countries import canonical_name, resolve
from parsers.lifecycle import ChangeAction, TableEventKind
from parsers.model import Action, CountryGroupTable, GroupTableId, Operation, ReviewReason

State = frozenset[tuple[str, str]]


@dataclass(frozen=True, order=True)
class Delta:
    """One membership change: Cambodia removed from D:5."""

    country: str
    group: str
    action: ChangeAction

    def applies_to(self, state: State) -> bool:
        """True when ``state`` shows this delta's outcome."""
        held = (self.country, self.group) in state
        return held if self.action is ChangeAction.ADDED else not held


@dataclass(frozen=True)
class ListDelta:
    """One change of a list beyond Country Groups: a country into § 744.21, an Entity List entry revised.

    Its identity (what equality and hashing see) is the destination, the
    entity's match key (None for a section's country list) and the action, so a
    change an FR rule predicts and the same change an eCFR diff observes are one
    delta even where their printed text differs (a reprinted row's citation, a
    cell's line breaks). ``entity`` is the first name as printed, ``detail`` the
    JSON the ``changes`` row carries (what a revision changed, a move's other
    destination), ``entry`` the state entry after the change (added, revised):
    what a membership interval opens with.
    """

    country: str
    action: ChangeAction
    entity_key: str | None = None
    entity: str | None = field(default=None, compare=False)
    detail: str | None = field(default=None, compare=False)
    entry: Any = field(default=None, compare=False)

    @property
    def group(self) -> None:
        """Lists beyond Country Groups have no group code."""
        return None


# A delta of any unit: a Country Group membership or a change of a list beyond them.
AnyDelta = Delta | ListDelta


@dataclass(frozen=True)
class TableEvent:
    """A non-membership change seen between two eCFR versions."""

    kind: TableEventKind
    subject: str
    before: str | None
    after: str | None


def diff_states(before: State, after: State) -> tuple[Delta, ...]:
    added = [Delta(c, g, ChangeAction.ADDED) for c, g in after - before]
    removed = [Delta(c, g, ChangeAction.REMOVED) for c, g in before - after]
    return tuple(sorted(added + removed, key=_delta_order))


def _delta_order(d: Delta) -> tuple[str, str, str]:
    return (d.country, d.group, d.action.value)


def apply_deltas(state: State, deltas: Iterable[Delta]) -> State:
    s = set(state)
    for d in deltas:
        if d.action is ChangeAction.ADDED:
            s.add((d.country, d.group))
        else:
            s.discard((d.country, d.group))
    return frozenset(s)


def table_prefix(table: str | None) -> str | None:
    """'Country Group D' -> 'D'."""
    found = GroupTableId.of_title(table)
    return found.value if found else None


def _in_table(code: str, table: GroupTableId) -> bool:
    return GroupTableId.of_code(code) is table


def op_table(op: Operation) -> GroupTableId | None:
    """The table an operation aims at (D, B): named, or read from its reprinted marks."""
    table = GroupTableId.of_title(op.table)
    if table is None and op.entries:
        tables = {GroupTableId.of_code(code) for e in op.entries for code, _ in e.marks}
        if len(tables) == 1:
            table = tables.pop()
    return table


def op_table_letter(op: Operation) -> str | None:
    """The table letter an operation aims at ('D', 'B'): named, or read from its reprinted marks."""
    table = op_table(op)
    return table.value if table else None


@dataclass(frozen=True)
class ReviewItem:
    """An operation held for a person, with the reason its effect is not exact."""

    operation: Operation
    reason: ReviewReason
    detail: str = ""          # the sentence that says exactly what (a list's own wording); "" = the reason's


D = TypeVar("D", Delta, ListDelta)


@dataclass(frozen=True)
class Prediction(Generic[D]):
    """What an FR rule does to a state: the exact deltas (of the unit's kind), and what a person must look at."""

    deltas: tuple[D, ...]
    review: tuple[ReviewItem, ...]


def country_identity(name: str) -> str:
    """The name two lists are compared under: the country's one name (parsers.countries), else as printed.

    Not cached here: ``parsers.countries.resolve`` is, and a second cache on top
    would only be a second process-wide dict.
    """
    return canonical_name(name) or name.strip()


def _state_names(state: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Canonical identity -> the state's own spelling, so an operation finds its row however it is spelled."""
    return {country_identity(c): c for c, _ in state}


def _unknown(name: str, names: dict[str, str]) -> bool:
    """A name that resolves to no country and is not a row of the state either."""
    return resolve(name) is None and country_identity(name) not in names


def _not_exact(op: Operation, table: GroupTableId | None) -> ReviewReason | None:
    """Why an operation cannot be applied as it stands, or None when its effect is exact."""
    if op.review is not None:
        return op.review
    if op.action is Action.UNRECOGNIZED:
        return ReviewReason.UNRECOGNIZED_WORDING
    if op.action is Action.AMEND_TEXT:
        return None
    if table is None:
        return ReviewReason.NO_TABLE
    if op.action is Action.REVISE_TABLE:
        return ReviewReason.TABLE_NOT_REPRINTED if not op.entries else None
    if not op.country and not op.entries:
        return ReviewReason.NO_COUNTRY
    if op.action in (Action.ADD_MARK, Action.REMOVE_MARK):
        return ReviewReason.NO_COUNTRY if not op.country else (None if op.column else ReviewReason.NO_COLUMN)
    return None


def _apply_one(s: set[tuple[str, str]], op: Operation, table: GroupTableId, names: dict[str, str]) -> ReviewReason | None:
    """Apply one exact operation to ``s`` in place; a reason when it cannot be (or changes nothing)."""
    if op.action is Action.REVISE_TABLE:
        if any(_unknown(e.country, names) for e in op.entries):
            return ReviewReason.UNKNOWN_COUNTRY
        before = frozenset(s)
        s.difference_update({(c, g) for c, g in before if _in_table(g, table)})
        for entry in op.entries:
            country = names.get(country_identity(entry.country), entry.country)
            s.update((country, code) for code, marked in entry.marks if marked)
            if table is GroupTableId.B:
                s.add((country, "B"))
        return None
    countries = [op.country] if op.country else [e.country for e in op.entries]
    for printed in countries:
        country = names.get(country_identity(printed), printed)
        had = {(c, g) for c, g in s if c == country and _in_table(g, table)}
        if op.action in (Action.ADD_MARK, Action.ADD_ENTRY, Action.REVISE_ENTRY) and _unknown(printed, names):
            return ReviewReason.UNKNOWN_COUNTRY      # never a new country that does not exist
        if op.action is Action.ADD_ENTRY and had:
            return ReviewReason.ALREADY_PRESENT      # an "added" row for a country the table has: not a revision
        if op.action is Action.REVISE_ENTRY and not had:
            return ReviewReason.NOT_PRESENT          # a "revised" row for a country the table lacks: not an addition
        if op.action is Action.REMOVE_MARK:
            if (country, op.column) not in s:
                return ReviewReason.NO_EFFECT
            s.discard((country, op.column))
        elif op.action is Action.ADD_MARK:
            assert op.column is not None    # an exact mark names its column (_not_exact)
            if (country, op.column) in s:
                return ReviewReason.NO_EFFECT
            s.add((country, op.column))
        elif op.action is Action.REMOVE_ENTRY:
            if not had:
                return ReviewReason.NO_EFFECT
            s.difference_update(had)
        elif table is GroupTableId.B:
            s.add((country, "B"))
        else:  # REVISE_ENTRY, ADD_ENTRY: the reprinted row is the new truth for this table
            row = next((e for e in op.entries if country_identity(e.country) == country_identity(printed)), None)
            if row is None:
                return ReviewReason.ROW_NOT_REPRINTED
            s.difference_update(had)
            s.update((country, code) for code, marked in row.marks if marked)
    return None


def predict_detailed(state: State, operations: Iterable[Operation]) -> Prediction[Delta]:
    """The exact deltas an FR rule makes to ``state``, and every operation held for review with its reason.

    An operation whose effect is not exact (see ``ReviewReason``) is never
    applied; one that is exact but changes nothing (removing what is not
    there) is applied as the no-op it is and still listed, since the rule
    expected the table to differ.
    """
    s = set(state)
    names = _state_names(state)
    review: list[ReviewItem] = []
    for op in operations:
        table = op_table(op)
        reason = _not_exact(op, table)
        if reason is None and op.action is not Action.AMEND_TEXT and table is not None:   # exact: a table is named
            reason = _apply_one(s, op, table, names)
        if reason is not None:
            review.append(ReviewItem(op, reason))
    return Prediction(diff_states(state, frozenset(s)), tuple(review))


def apply_operations(state: State, operations: Iterable[Operation]) -> tuple[State, tuple[Operation, ...]]:
    """Apply amendment operations to a state.

    Returns the new state and the operations that could not be applied
    (unrecognized wording, an instruction naming no table or country, a
    revision without its reprinted rows, a review reason set by the parser):
    those go to human review, never silently away. Exact no-ops are applied
    as such and not returned (``predict_detailed`` lists them too).
    """
    prediction = predict_detailed(state, operations)
    skipped = tuple(item.operation for item in prediction.review if item.reason is not ReviewReason.NO_EFFECT)
    return apply_deltas(state, prediction.deltas), skipped


def predict(state: State, operations: Iterable[Operation]) -> tuple[tuple[Delta, ...], tuple[Operation, ...]]:
    """The exact deltas an FR rule makes to ``state`` (an unchanged row is no change), and the skipped operations."""
    after, skipped = apply_operations(state, operations)
    return diff_states(state, after), skipped


@dataclass(frozen=True)
class TableSummary:
    """What table_events compares, small enough to keep for every version."""

    columns: tuple[tuple[str, str], ...]
    footnotes: tuple[tuple[str, str], ...]
    notes: tuple[tuple[str, str], ...]


def summarize(t: CountryGroupTable) -> TableSummary:
    return TableSummary(tuple(sorted(t.columns().items())), tuple(sorted(_country_footnotes(t).items())),
                        tuple(sorted(_notes(t).items())))


def table_events(before: CountryGroupTable | TableSummary, after: CountryGroupTable | TableSummary) -> tuple[TableEvent, ...]:
    """Column renames, country footnote changes and note text changes."""
    b = before if isinstance(before, TableSummary) else summarize(before)
    a = after if isinstance(after, TableSummary) else summarize(after)
    events: list[TableEvent] = []
    for kind, bd, ad in ((TableEventKind.COLUMN_RENAMED, dict(b.columns), dict(a.columns)),
                         (TableEventKind.FOOTNOTE_CHANGED, dict(b.footnotes), dict(a.footnotes)),
                         (TableEventKind.NOTE_CHANGED, dict(b.notes), dict(a.notes))):
        for key in sorted(set(bd) | set(ad)):
            if bd.get(key) != ad.get(key):
                events.append(TableEvent(kind, key, bd.get(key) or None, ad.get(key) or None))
    return tuple(events)


def _country_footnotes(t: CountryGroupTable) -> dict[str, str]:
    out: dict[str, str] = {}
    for table in t.tables:
        prefix = table_prefix(table.title) or table.title
        for row in table.rows:
            if row.footnotes:
                out[f"{row.country} ({prefix})"] = ",".join(row.footnotes)
    return out


def _notes(t: CountryGroupTable) -> dict[str, str]:
    notes = list(t.notes) + [n for table in t.tables for n in table.notes]
    return {f"{table_prefix(n.table) or ''}{'/' if n.table else ''}{n.marker}": n.text for n in notes}
