"""Suspect eCFR versions: held when they lose what no FR rule explains, accepted when the next one agrees.

An eCFR version whose diff loses a whole table, a whole column or
``SUSPECT_REMOVALS`` memberships at once that no FR rule explains is held as
suspect (a review item; its deltas are not published and the next version is
compared with the last trusted one). A suspect version that the next version
shows again (the same tables, after the rules between them) is accepted as of
its own date: its deltas are then derived like any version's.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from parsers.model import Operation
from pipeline.derive.history import table_events
from pipeline.derive.rows import Accepted, Rule, Screening, Suspect, Version
from pipeline.derive.units import ChangeModel
from pipeline.derive.units.country_groups import SUSPECT_REMOVALS, CountryGroupChanges

__all__ = ["SUSPECT_REMOVALS", "screen_versions", "ops_between"]

_COUNTRY_GROUPS = CountryGroupChanges()


def screen_versions(versions: list[Version], rules: list[Rule], model: ChangeModel = _COUNTRY_GROUPS) -> Screening:
    """Trusted versions, held (suspect) ones and suspect ones accepted on confirmation.

    Each version is compared with the last trusted one after applying the rules
    that took effect in between: what is then missing and no rule explains is
    suspect when ``model.suspicion`` says so (Country Groups: a whole table, a
    whole column, or SUSPECT_REMOVALS memberships or more). A suspect version
    is left out of derivation, so the next version is compared with the last
    trusted one, unless the next version shows it again (re-baselining, see
    _shown_again): then it is accepted as of its own date and its deltas are
    derived like any version's. Without that, a real large change whose FR rule
    is held for review would make every later version suspect, and a genuine
    later removal would never be reported. A glitch the next version undoes
    stays suspect; the last version, with no next one yet, stays suspect until
    one comes.
    """
    if not versions:
        return Screening([], [], [])
    trusted, suspects, accepted = [versions[0]], [], []
    for i, cur in enumerate(versions[1:], start=1):
        prev, last = versions[i - 1], trusted[-1]
        expected = model.apply(last.state, ops_between(rules, last.date, cur.date))
        reason = model.suspicion(expected, cur.state)
        if reason:
            nxt = versions[i + 1] if i + 1 < len(versions) else None
            affected = model.tables(expected - cur.state)
            if nxt is None or not _shown_again(cur, nxt, affected, rules, model):
                suspects.append(Suspect(cur.date, reason, last.date))
                continue
            accepted.append(Accepted(cur.date, reason, last.date, nxt.date, tuple(sorted(affected))))
        if last is not prev and cur.table is not None and last.table is not None:
            cur = replace(cur, events=table_events(last.table, cur.table))   # events vs the last trusted one
        trusted.append(cur)
    return Screening(trusted, suspects, accepted)


def ops_between(rules: list[Rule], after: str, upto: str) -> list[Operation]:
    """The operations of the rules that take effect in (after, upto]."""
    return [op for r in rules if after < r.effective <= upto for op in r.operations]


def _shown_again(suspect: Version, nxt: Version, tables: frozenset[str], rules: list[Rule],
                 model: ChangeModel) -> bool:
    """Does ``nxt`` print the ``tables`` the suspect version changed exactly as the suspect does?

    The rules that take effect between the two are applied to the suspect
    first. Two successive versions printing the same loss is the eCFR's own
    confirmation that it is the text, not a one-off rendering or fetch
    glitch; a difference in those tables (the loss undone, or another change
    in them) confirms nothing, and the next version is then screened itself.
    """
    after = model.apply(suspect.state, ops_between(rules, suspect.date, nxt.date))

    def only(state: frozenset[Any]) -> frozenset[Any]:
        return frozenset(m for m in state if model.table_of(m) in tables)

    return only(after) == only(nxt.state)
