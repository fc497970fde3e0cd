"""The whole derivation of one run: every unit's inputs in, every derived row out.

``pipeline.engine`` loads a ``UnitInputs`` per registered unit (its parsed
versions, its FR rules, its public-inspection announcements) and writes the
``Derived`` rows this returns. Pure: the same inputs always give the same rows.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from parsers.lifecycle import DivergenceKind, TableEventKind
from parsers.model import ListKind
from pipeline.derive.changes import change_order, derive_changes
from pipeline.derive.divergences import derive_divergences, unresolved_names
from pipeline.derive.history import TableEvent, TableSummary, table_events
from pipeline.derive.memberships import derive_memberships
from pipeline.derive.review import accepted_review, problem_review, suspect_review, unknown_name_review
from pipeline.derive.rows import (
    Accepted,
    Announcement,
    Change,
    ColumnRow,
    Divergence,
    Membership,
    ReviewItem,
    Rule,
    Suspect,
    TableEventRow,
    Version,
)
from pipeline.derive.screening import screen_versions
from pipeline.derive.units import TrackedUnit, VersionSummary

# The divergences compare D:5 of the first unit with the second unit's list.
DIVERGENCE_UNITS = (ListKind.COUNTRY_GROUPS, ListKind.ITAR_126_1)

_EMPTY_TABLE = TableSummary((), (), ())


def versions_of(dated: Sequence[tuple[str, VersionSummary]]) -> list[Version]:
    """Versions, oldest first, from their summaries, each with its table events against the previous one.

    The first version records the footnotes and notes it already prints (not
    its column names: there is nothing they were renamed from).
    """
    out: list[Version] = []
    prev: VersionSummary | None = None
    for day, summ in dated:
        if summ.table is None:
            events: tuple[TableEvent, ...] = ()
        elif prev is None or prev.table is None:
            events = tuple(e for e in table_events(_EMPTY_TABLE, summ.table)
                           if e.kind is not TableEventKind.COLUMN_RENAMED)
        else:
            events = table_events(prev.table, summ.table)
        out.append(Version(day, summ.state, events, summ.columns, summ.table, summ.problems))
        prev = summ
    return out


@dataclass(frozen=True)
class UnitInputs:
    """What one unit's derivation reads: its parsed versions (oldest first), rules and announcements."""

    unit: TrackedUnit
    versions: list[Version]
    rules: list[Rule] = field(default_factory=list)
    announcements: list[Announcement] = field(default_factory=list)


@dataclass(frozen=True)
class UnitFacts:
    """What was derived for one unit."""

    unit: TrackedUnit
    trusted: list[Version]
    suspects: list[Suspect]
    accepted: list[Accepted]
    changes: list[Change]
    memberships: list[Membership]
    review: list[ReviewItem]


@dataclass(frozen=True)
class Derived:
    """Every derived row of one run, in the order they are written."""

    units: list[UnitFacts]
    changes: list[Change]
    memberships: list[Membership]
    divergences: list[Divergence]
    review: list[ReviewItem]
    columns: list[ColumnRow]
    table_events: list[TableEventRow]

    @property
    def open_divergences(self) -> int:
        return sum(1 for d in self.divergences if d.kind is DivergenceKind.OPEN)


def derive_unit(inputs: UnitInputs, today: str) -> UnitFacts:
    """Screen a unit's versions, then derive its changes and membership intervals (when it has any)."""
    unit = inputs.unit
    if unit.changes is None:
        return UnitFacts(unit, inputs.versions, [], [], [], [], [])
    trusted, suspects, accepted = screen_versions(inputs.versions, inputs.rules, unit.changes)
    changes, review = derive_changes(trusted, inputs.rules, inputs.announcements, today, unit.changes, unit.kind)
    memberships = derive_memberships(trusted, changes, unit.changes, unit.kind) if unit.memberships else []
    return UnitFacts(unit, trusted, suspects, accepted, changes, memberships, review)


def known_until(versions: list[Version], fetched_until: str | None) -> str | None:
    """The last day a unit's stored data speaks for: its newest version, or the last day its source was read."""
    if not versions:
        return None
    return max(versions[-1].date, fetched_until or "")


def derive_facts(inputs: Sequence[UnitInputs], *, today: str, ecfr_read_until: str | None = None) -> Derived:
    """All units' facts, the divergences between D:5 and 126.1, and every review item.

    ``ecfr_read_until``: the last day (a run's date) the eCFR source was read
    successfully; a 126.1 divergence beginning after it is not derived yet.
    """
    units = [derive_unit(i, today) for i in inputs]
    by_kind = {u.unit.kind: u for u in units}
    ear, itar = (by_kind.get(k) for k in DIVERGENCE_UNITS)
    divergences = (derive_divergences(ear.memberships, itar.trusted, today=today,
                                      itar_known_until=known_until(itar.trusted, ecfr_read_until))
                   if ear is not None and itar is not None else [])
    review: list[ReviewItem] = [r for u in units for r in u.review]
    review += [r for u in units for r in suspect_review(u.unit, u.suspects)]
    review += [r for u in units for r in problem_review(u.unit, u.trusted)]
    # names only compared with another list (126.1) first, then rows a list keeps (Country Groups)
    for u in sorted(units, key=lambda u: u.unit.produces_changes):
        review += unknown_name_review(u.unit, unresolved_names(u.trusted))
    review += [r for u in units if u.accepted for r in accepted_review(u.unit, u.accepted)]
    changes = sorted((c for u in units for c in u.changes), key=change_order)
    columns = sorted({ColumnRow(c.code, c.name, c.table, u.trusted[-1].date)
                      for u in units if u.trusted for c in u.trusted[-1].columns})
    events = [TableEventRow(u.unit.ecfr.label, v.date, e.kind, e.subject, e.before, e.after)
              for u in units for v in u.trusted for e in v.events]
    return Derived(units, changes, [m for u in units for m in u.memberships], divergences, review, columns, events)
