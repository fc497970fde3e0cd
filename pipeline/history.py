"""Pure change arithmetic: table states, observed and predicted deltas.

A *state* is the set of (country, column code) memberships at one moment.
Observed deltas come from diffing consecutive eCFR versions; predicted deltas
from applying an FR rule's operations to the state the day before it takes
effect. Nothing here touches the database, so every rule is testable alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from parsers.model import Action, CountryGroupTable, Operation
from store.enums import ChangeAction, TableEventKind

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
    if not table:
        return None
    word = table.strip().split()[-1]
    return word.upper() if word[:1].isalpha() else None


def _in_table(code: str, prefix: str) -> bool:
    return code.split(":")[0] == prefix


def _op_prefix(op: Operation) -> str | None:
    prefix = table_prefix(op.table)
    if prefix is None and op.entries:
        codes = {code.split(":")[0] for e in op.entries for code, _ in e.marks}
        if len(codes) == 1:
            prefix = codes.pop()
    return prefix


def apply_operations(state: State, operations: Iterable[Operation]) -> tuple[State, tuple[Operation, ...]]:
    """Apply amendment operations to a state.

    Returns the new state and the operations that could not be applied
    (unrecognized wording, or an instruction naming no table): those go to
    human review, never silently away.
    """
    s = set(state)
    skipped: list[Operation] = []
    for op in operations:
        prefix = _op_prefix(op)
        if op.action is Action.UNRECOGNIZED or (prefix is None and op.action is not Action.AMEND_TEXT):
            skipped.append(op)
            continue
        if op.action is Action.AMEND_TEXT:
            continue
        if op.action is Action.REVISE_TABLE:
            s = {(c, g) for c, g in s if not _in_table(g, prefix)}
            for entry in op.entries:
                s.update((entry.country, code) for code, marked in entry.marks if marked)
            if prefix == "B":
                s.update((entry.country, "B") for entry in op.entries)
            continue
        countries = [op.country] if op.country else [e.country for e in op.entries]
        if not countries:
            skipped.append(op)
            continue
        for country in countries:
            if op.action is Action.REMOVE_ENTRY:
                s = {(c, g) for c, g in s if not (c == country and _in_table(g, prefix))}
            elif prefix == "B":
                s.add((country, "B"))
            else:  # REVISE_ENTRY, ADD_ENTRY: the reprinted row is the new truth for this table
                entry = next((e for e in op.entries if e.country == country), None)
                if entry is None:
                    skipped.append(op)
                    continue
                s = {(c, g) for c, g in s if not (c == country and _in_table(g, prefix))}
                s.update((country, code) for code, marked in entry.marks if marked)
    return frozenset(s), tuple(skipped)


def predict(state: State, operations: Iterable[Operation]) -> tuple[tuple[Delta, ...], tuple[Operation, ...]]:
    """The exact deltas an FR rule makes to ``state`` (an unchanged row is no change)."""
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
