"""Membership intervals: the first eCFR version's state, then every applied change in date order."""
from __future__ import annotations

from parsers.lifecycle import ChangeAction, ChangeStatus, SourceRef
from pipeline.derive.rows import Change, Membership, Version

# Statuses whose changes are in the tables (or will be, on their date): announced, contradicted
# and withdrawn ones are not.
APPLIED = (ChangeStatus.PUBLISHED, ChangeStatus.IN_EFFECT, ChangeStatus.CONFIRMED, ChangeStatus.UNATTRIBUTED)


def derive_memberships(versions: list[Version], facts: list[Change]) -> list[Membership]:
    """Intervals from the baseline and the applied changes, by country, group and start."""
    if not versions:
        return []
    first = versions[0]
    opened_by = SourceRef.ecfr(first.date)
    open_: dict[tuple[str, str], tuple[str, SourceRef]] = {m: (first.date, opened_by) for m in sorted(first.state)}
    rows: list[Membership] = []
    applied = [f for f in facts if f.status in APPLIED and f.effective_date and f.effective_date >= first.date]
    applied.sort(key=lambda f: (f.effective_date, f.key))
    for f in applied:
        m = (f.country, f.group)
        assert f.effective_date is not None
        if f.action is ChangeAction.ADDED and m not in open_:
            open_[m] = (f.effective_date, f.source)
        elif f.action is ChangeAction.REMOVED and m in open_:
            start, by = open_.pop(m)
            rows.append(Membership(m[0], m[1], start, f.effective_date, by, f.source))
    rows.extend(Membership(c, g, start, None, by, None) for (c, g), (start, by) in open_.items())
    return sorted(rows, key=lambda r: (r.country, r.group, r.valid_from))
