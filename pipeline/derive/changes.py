"""Changes of one unit: FR rules predicted, eCFR versions observed, announcements stated.

Lifecycle: announced (public inspection text states it) -> published (FR rule
parsed, delta predicted against the stored state the day before it takes
effect) -> in_effect (effective date reached) -> confirmed / contradicted (the
first eCFR version dated on or after the effective date shows / does not show
it). eCFR deltas that no FR rule explains are unattributed.

A rule is only applied to an eCFR baseline that holds its table (no baseline:
a review item, never a delta against an empty state).

Every unit speaks the same deltas: ``history.Delta`` (country, group code,
action) for Country Groups, ``history.ListDelta`` (destination, entity match
key, action, with the entity, the detail and the entry after) for the lists
beyond them. A correction is owned by the document it corrects; Country Group
corrections take effect on that document's date, while a unit whose model says
``corrections_take_own_date`` (the Entity List, the § 744 sections) predicts a
correction on its own date against the state that already holds the corrected
rule's changes.
"""
from __future__ import annotations

import bisect
import itertools
from dataclasses import replace
from datetime import date, timedelta
from typing import Any, NamedTuple

from parsers.lifecycle import ChangeAction, ChangeStatus, SourceRef
from parsers.model import ListKind
from pipeline.derive.history import AnyDelta, Delta
from pipeline.derive.rows import Announcement, Change, ReviewItem, Rule, UnitState, Version, change_key
from pipeline.derive.units import ChangeModel
from pipeline.derive.units.country_groups import CountryGroupChanges

_COUNTRY_GROUPS = CountryGroupChanges()


class _Stated(NamedTuple):
    """A change a public-inspection document states, and where it says so."""

    delta: Any               # a history.Delta or ListDelta
    note: str


def delta_key(d: Any, source: SourceRef, kind: ListKind = ListKind.COUNTRY_GROUPS) -> str:
    """The change key of a delta of a unit of ``kind`` from ``source``."""
    return change_key(d.country, d.group, d.action, source, list_kind=kind, entity_key=getattr(d, "entity_key", None))


def change_of(d: Any, key: str, kind: ListKind, effective: str | None, status: ChangeStatus, fr_document: str | None,
              ecfr_version: str | None, corrected_by: tuple[str, ...] = (), note: str = "",
              date_moves: tuple[str, ...] = ()) -> Change:
    """The Change a delta makes, with the list's own fields (entity, detail, the entry after) when it has them."""
    return Change(key, d.country, d.group, d.action, effective, status, fr_document, ecfr_version, corrected_by,
                  note, date_moves, kind, getattr(d, "entity", None), getattr(d, "entity_key", None),
                  getattr(d, "detail", None), getattr(d, "entry", None))


def change_order(f: Change) -> tuple[str, str, str, str]:
    """Changes by effective date, country, group and key (groups are None beyond Country Groups)."""
    return (f.effective_date or "9999", f.country, f.group or "", f.key)


def baseline(versions: list[Version], day: str) -> Version | None:
    """The latest eCFR version on or before ``day``: what a prediction for that day stands on."""
    i = bisect.bisect_right([v.date for v in versions], day) - 1
    return versions[i] if i >= 0 else None


def without_baseline(versions: list[Version], day: str, operations: tuple[Any, ...], model: ChangeModel = _COUNTRY_GROUPS
                     ) -> tuple[tuple[Any, ...], list[tuple[Any, str]]]:
    """Split operations into those with an eCFR baseline of their table on ``day`` and held ones (with why).

    With no stored version of the table (the eCFR source never succeeded, or the
    rule takes effect before the first version), the delta of "revise the entry
    for Cambodia" is unknowable: applying it to an empty state would report
    every reprinted mark as added.
    """
    base = baseline(versions, day)
    base_tables = model.tables(base.state) if base else frozenset()
    keep, held = [], []
    for op in operations:
        table = model.baseline_table(op)
        if table is None or table in base_tables:
            keep.append(op)
        else:
            held.append((op, f"no eCFR version of {model.table_title(table)} on or before {day} to apply this rule"
                             f" to: its delta cannot be computed yet"))
    return tuple(keep), held


def state_at(versions: list[Version], events: list[tuple[str, AnyDelta]], day: str,
             model: ChangeModel = _COUNTRY_GROUPS) -> UnitState:
    """State on ``day``: latest eCFR version on or before it, plus predicted events after that version."""
    dates = [v.date for v in versions]
    i = bisect.bisect_right(dates, day) - 1
    if i < 0:
        base_date, state = "", (versions[0].state if versions else frozenset())
    else:
        base_date, state = versions[i].date, versions[i].state
    later = [d for when, d in events if base_date < when <= day]
    return model.apply_deltas(state, later)


def derive_changes(versions: list[Version], rules: list[Rule], announced: list[Announcement], today: str,
                   model: ChangeModel = _COUNTRY_GROUPS, kind: ListKind = ListKind.COUNTRY_GROUPS
                   ) -> tuple[list[Change], list[ReviewItem]]:
    """All changes of one unit and the review items, from its trusted versions, rules and announcements."""
    facts: dict[str, Change] = {}
    review: list[ReviewItem] = []
    predicted_events: list[tuple[str, AnyDelta]] = []
    dates = [v.date for v in versions]
    explained: set[tuple[str, AnyDelta]] = set()   # (version date, delta) consumed by a rule

    observed: list[tuple[str, AnyDelta]] = []
    for prev, cur in itertools.pairwise(versions):
        observed.extend((cur.date, d) for d in model.diff(prev.state, cur.state))
    observed_on: dict[AnyDelta, list[str]] = {}    # delta -> version dates showing it, oldest first
    for when, d in observed:
        observed_on.setdefault(d, []).append(when)

    own_dates = bool(getattr(model, "corrections_take_own_date", False))
    covers = getattr(model, "covers", None)

    def consumed(d: Any, lo: str, hi: str) -> str | None:
        """Mark the observed deltas ``d`` stands for in (lo, hi] as explained; the version date showing ``d``."""
        shown = None
        for part in (covers(d) if covers else (d,)):
            when = next((w for w in observed_on.get(part, ()) if lo <= w <= hi and (w, part) not in explained), None)
            if when is not None:
                explained.add((when, part))
                if part == d:
                    shown = when
        return shown

    originals = {r.number: r for r in rules if r.operations}
    for rule in rules:
        review.extend(rule.review)
        if not rule.operations:
            continue
        owner = rule.number
        corrected_by: tuple[str, ...] = ()
        effective = rule.effective
        if rule.corrects and rule.corrects in originals:
            owner, corrected_by = rule.corrects, (rule.number,)
            if not own_dates:
                effective = originals[rule.corrects].effective
        day_before = (date.fromisoformat(effective) - timedelta(days=1)).isoformat()
        check_from = effective     # the first eCFR version on or after this day confirms or contradicts
        if corrected_by and own_dates:
            # a correction fixes what the corrected rule did (even when it is effective the same day, as
            # corrections often are): it applies to a state holding that rule's changes, and no version
            # printed before the correction was published can show it
            day_before = max(day_before, originals[owner].effective)
            check_from = max(effective, rule.published or effective)
        operations, held = without_baseline(versions, day_before, rule.operations, model)
        for op, reason in held:
            ins = rule.instruction_of(op)
            review.append(ReviewItem(rule.number, ins.position if ins else None, ins.text if ins else op.text,
                                     reason))
        state = state_at(versions, predicted_events, day_before, model)
        prediction = model.predict(state, operations)
        for item in prediction.review:
            ins = rule.instruction_of(item.operation)
            review.append(ReviewItem(rule.number, ins.position if ins else None, item.operation.text,
                                     getattr(item, "detail", "") or item.reason.description))
        for d in prediction.deltas:
            predicted_events.append((effective, d))
            i = bisect.bisect_left(dates, check_from)
            key = delta_key(d, SourceRef.fr(owner), kind)
            if key in facts:   # a correction restating the same change
                f = facts[key]
                facts[key] = replace(f, corrected_by=tuple(sorted(set(f.corrected_by) | set(corrected_by))))
                continue
            if i < len(versions):
                v = versions[i]
                if model.shows(v.state, d):
                    seen = consumed(d, dates[i - 1] if i else "", v.date)
                    status, ver = ChangeStatus.CONFIRMED, seen or v.date
                else:
                    status, ver = ChangeStatus.CONTRADICTED, v.date
            else:
                status = ChangeStatus.IN_EFFECT if today >= effective else ChangeStatus.PUBLISHED
                ver = None
            facts[key] = change_of(d, key, kind, effective, status, owner, ver, corrected_by, date_moves=rule.moved)
        predicted_events.sort(key=lambda e: e[0])

    for when, d in observed:
        if (when, d) in explained:
            continue
        key = delta_key(d, SourceRef.ecfr(when), kind)
        facts[key] = change_of(d, key, kind, when, ChangeStatus.UNATTRIBUTED, None, when)

    published_docs = {r.number for r in rules}
    for a in announced:
        if a.number in published_docs:
            # the published XML is the truth; an announced move it does not make needs a human look
            for said in a.stated:
                if change_key(said.country, said.group, said.action, SourceRef.fr(a.number),
                              list_kind=kind) not in facts:
                    review.append(ReviewItem(a.number, None, said.sentence, "announced on public inspection, but the"
                                             " published rule does not make this change"))
            continue
        stated = [_Stated(Delta(said.country, said.group, ChangeAction(said.action)), said.sentence)
                  for said in a.stated]
        if a.operations:   # exact deltas of the instructions that need no reprinted row, against the state of that day
            day = a.effective or today
            ops, held = without_baseline(versions, day, a.operations, model)
            review.extend(ReviewItem(a.number, None, op.text, reason) for op, reason in held)
            state = state_at(versions, predicted_events, day, model)
            stated += [_Stated(d, "amendatory instruction on public inspection")
                       for d in model.diff(state, model.apply(state, ops))]
        for s in stated:
            key = delta_key(s.delta, SourceRef.fr(a.number), kind)
            facts.setdefault(key, change_of(s.delta, key, kind, a.effective, ChangeStatus.ANNOUNCED, a.number, None,
                                            (), s.note))
    return sorted(facts.values(), key=change_order), review
