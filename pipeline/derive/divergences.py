"""D:5 / 22 CFR 126.1 divergences, by country identity, and the names that resolve to no country.

Divergences are standing (present at the first compared date), open, closed
or pending (beginning after today, from a rule published but not in effect).
"""
from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any, NamedTuple

from parsers.countries import canonical_name
from parsers.lifecycle import DivergenceKind, DivergenceSide, SourceKind, SourceRef
from parsers.model import ListKind
from pipeline.derive.history import country_identity
from pipeline.derive.rows import Divergence, Membership, Version

D5 = "D:5"


class _Ref(NamedTuple):
    """A reference and, for an eCFR version, whose version it is (the store's foreign key needs it)."""

    ref: SourceRef | None
    unit: ListKind | None

    @classmethod
    def of(cls, ref: SourceRef | None, unit: ListKind) -> _Ref:
        parsed = SourceRef.parse(ref)
        return cls(ref, unit if parsed is not None and parsed.kind is SourceKind.ECFR else None)


_NONE = _Ref(None, None)


class _D5(NamedTuple):
    """A D:5 interval under the country's identity."""

    country: str
    start: str
    end: str | None
    opened_by: _Ref
    closed_by: _Ref


class _Open(NamedTuple):
    since: str
    moved_first: str
    opened_by: _Ref


def _kind(since: str, until: str | None, first: str, today: str) -> DivergenceKind:
    if since == first:
        return DivergenceKind.STANDING
    if since > today:
        return DivergenceKind.PENDING
    if until is not None and until <= today:
        return DivergenceKind.CLOSED
    return DivergenceKind.OPEN


def derive_divergences(memberships: Iterable[Membership | tuple[Any, ...]], itar: list[Version], *, today: str,
                       itar_known_until: str | None = None) -> list[Divergence]:
    """D:5 vs 22 CFR 126.1 disagreements, by country identity, from the first date both lists are known.

    ``memberships`` are the membership intervals (future ones come from
    published rules not yet in effect); ``itar`` the 126.1 versions, oldest
    first. A difference present on the first compared date is standing; one
    that begins after ``today`` is pending. ``itar_known_until``: the last day
    the stored 126.1 speaks for (the last successful eCFR fetch). A difference
    that would begin after it, up to today, is not derived: 126.1 may have
    moved too, unseen (a failed source must not raise "BIS moved first"
    alerts); it appears once 126.1 is read.
    """
    ms = [m if isinstance(m, Membership) else Membership(*m) for m in memberships]
    if not itar or not ms:
        return []
    first = max(itar[0].date, min(m.valid_from for m in ms))
    d5 = [_D5(country_identity(m.country), m.valid_from, m.valid_to, _Ref.of(m.opened_by, m.list),
              _Ref.of(m.closed_by, m.list)) for m in ms if m.group == D5]
    boundaries = sorted({v.date for v in itar} | {m.start for m in d5} | {m.end for m in d5 if m.end} | {first})
    boundaries = [b for b in boundaries if b >= first]
    idates = [v.date for v in itar]
    itar_names = [{country_identity(c) for c, _ in v.state} for v in itar]

    def ear_set(day: str) -> dict[str, _D5]:
        return {m.country: m for m in d5 if m.start <= day and (m.end is None or m.end > day)}

    def ended(country: str, day: str) -> _Ref:
        return next((m.closed_by for m in d5 if m.country == country and m.end == day), _NONE)

    out: list[Divergence] = []
    open_: dict[tuple[str, DivergenceSide], _Open] = {}
    prev_itar: set[str] | None = None
    for day in boundaries:
        ear = ear_set(day)
        i = bisect.bisect_right(idates, day) - 1
        names, itar_src = itar_names[i], _Ref(SourceRef.ecfr(itar[i].date), ListKind.ITAR_126_1)
        diff = {(c, DivergenceSide.EAR_ONLY) for c in set(ear) - names} | \
               {(c, DivergenceSide.ITAR_ONLY) for c in names - set(ear)}
        for key in sorted(diff - set(open_), key=lambda k: (k[0], k[1].value)):
            country, side = key
            by: _Ref
            if prev_itar is None:
                moved_first = "unknown"
                by = itar_src if side is DivergenceSide.ITAR_ONLY else ear[country].opened_by
            else:
                moved_first = "itar" if (country in prev_itar) != (country in names) else "ear"
                by = itar_src if moved_first == "itar" else (
                    ear[country].opened_by if country in ear and ear[country].opened_by.ref
                    else ended(country, day))
            open_[key] = _Open(day, moved_first, by)
        for key in sorted(set(open_) - diff, key=lambda k: (k[0], k[1].value)):
            held = open_.pop(key)
            country = key[0]
            closer = ear[country].opened_by if country in ear else (
                ended(country, day) if ended(country, day).ref else itar_src)
            out.append(Divergence(country, key[1], _kind(held.since, day, first, today), held.moved_first,
                                  held.since, day, held.opened_by.ref, closer.ref, held.opened_by.unit, closer.unit))
        prev_itar = names
    out.extend(Divergence(c, side, _kind(h.since, None, first, today), h.moved_first, h.since, None, h.opened_by.ref,
                          None, h.opened_by.unit)
               for (c, side), h in open_.items())
    if itar_known_until is not None:
        out = [d for d in out if not (itar_known_until < d.since <= today)]
    return sorted(out, key=lambda d: (d.since, d.country, d.side.value))


class Unresolved(NamedTuple):
    """A name a version prints that resolves to no country: where it was first seen, and the name."""

    date: str
    name: str


def unresolved_names(versions: list[Version]) -> list[Unresolved]:
    """Each stored name that resolves to no country, once, with the first version that prints it."""
    seen: set[str] = set()
    out: list[Unresolved] = []
    for v in versions:
        for name in sorted({entry[0] for entry in v.state}):   # every unit's entries start with the country
            if name not in seen and canonical_name(name) is None:
                seen.add(name)
                out.append(Unresolved(v.date, name))
    return out


def unresolved_itar_names(itar: list[Version]) -> list[Unresolved]:
    """(version date, name) for each 126.1 name that resolves to no country: a review item, never a new country."""
    return unresolved_names(itar)
