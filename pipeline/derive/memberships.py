"""Membership intervals: the first eCFR version's state, then every applied change in date order.

Every list's entries are intervals of one shape (``rows.Membership``): a
country's Country Group column, a country named by § 744.21 or § 744.22, an
Entity List entry under its destination. What an entry of a unit's state is
as a membership is the model's ``membership`` (Country Groups: (country,
code)); an added change opens an interval, a removed one closes it, a revised
one (an Entity List entry whose fields changed) closes it and opens the next
with the new fields, under the new name when the revision renamed it.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from parsers.lifecycle import ChangeAction, ChangeStatus, SourceRef
from parsers.model import ListKind
from pipeline.derive.rows import Change, Membership, Version

# Statuses whose changes are in the tables (or will be, on their date): announced, contradicted
# and withdrawn ones are not.
APPLIED = (ChangeStatus.PUBLISHED, ChangeStatus.IN_EFFECT, ChangeStatus.CONFIRMED, ChangeStatus.UNATTRIBUTED)


class Held(NamedTuple):
    """What an entry is as a membership: where it is (country, group, entity key) and what it shows."""

    country: str
    group: str | None
    entity_key: str | None = None
    entity: str | None = None
    detail: str | None = None

    @property
    def identity(self) -> tuple[str, str | None, str | None]:
        return self.country, self.group, self.entity_key


def _country_group(entry: tuple[str, str]) -> Held:
    return Held(entry[0], entry[1])


def _of_change(c: Change) -> tuple[str, str | None, str | None]:
    return c.country, c.group, c.entity_key


def derive_memberships(versions: list[Version], facts: list[Change], model: Any = None,
                       kind: ListKind = ListKind.COUNTRY_GROUPS) -> list[Membership]:
    """Intervals from the baseline and the applied changes, by country, group, entity and start.

    ``model`` is the unit's ChangeModel; its ``membership(entry)`` says what a
    state entry is (Country Groups, whose entries are (country, code), need none).
    """
    if not versions:
        return []
    held_as = getattr(model, "membership", None) or _country_group
    first = versions[0]
    opened_by = SourceRef.ecfr(first.date)
    open_: dict[tuple[str, str | None, str | None], tuple[str, SourceRef, Held]] = {}
    for h in sorted((held_as(e) for e in first.state), key=lambda h: h.identity):
        open_[h.identity] = (first.date, opened_by, h)
    rows: list[Membership] = []

    def close(identity: tuple[str, str | None, str | None], day: str, by: SourceRef) -> None:
        start, opener, h = open_.pop(identity)
        rows.append(Membership(h.country, h.group, start, day, opener, by, kind, h.entity, h.entity_key, h.detail))

    def opened(c: Change) -> Held:
        if c.entry is not None:
            return held_as(c.entry)
        return Held(c.country, c.group, c.entity_key, c.entity)

    applied = [f for f in facts if f.status in APPLIED and f.effective_date and f.effective_date >= first.date]
    # one day's changes: Country Groups by key (as always); the other lists add, then revise, then remove
    rank = {ChangeAction.ADDED: 0, ChangeAction.REVISED: 1, ChangeAction.REMOVED: 2}
    applied.sort(key=lambda f: (f.effective_date, 0 if kind is ListKind.COUNTRY_GROUPS else rank[f.action], f.key))
    for f in applied:
        m = _of_change(f)
        assert f.effective_date is not None
        if f.action is ChangeAction.ADDED and m not in open_:
            h = opened(f)
            open_[h.identity] = (f.effective_date, f.source, h)
        elif f.action is ChangeAction.REMOVED and m in open_:
            close(m, f.effective_date, f.source)
        elif f.action is ChangeAction.REVISED and m in open_:
            h = opened(f)
            if h.identity in open_ and h.identity != m:
                continue     # renamed onto an entry that is already listed: the interval is not guessed
            start, _, _ = open_[m]
            if start == f.effective_date:     # revised the day it opened: the interval shows the revised entry
                _, opener, _ = open_.pop(m)
                open_[h.identity] = (start, opener, h)
                continue
            close(m, f.effective_date, f.source)
            open_[h.identity] = (f.effective_date, f.source, h)
    rows.extend(Membership(h.country, h.group, start, None, by, None, kind, h.entity, h.entity_key, h.detail)
                for (start, by, h) in open_.values())
    return sorted(rows, key=lambda r: (r.country, r.group or "", r.entity_key or "", r.valid_from))
