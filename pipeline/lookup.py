"""What the read commands answer about a typed country on a date, and how far the data reaches.

For a compliance tool "no country group on record" reads as "not restricted",
so it must never be said for a name that is no country (a typo: exit 2 with
suggestions), for a date before the tracked history starts, or without saying
that the data stops before the date asked about.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlite_utils import Database

from parsers import countries
from parsers.countries import Country
from store import queries


@dataclass(frozen=True)
class FoundCountry:
    """A typed name resolved: the identity answered for, its stored spelling, and what to tell the user."""

    typed: str
    country: Country        # the entry answered for (after treated_as: China (PRC) for Hong Kong)
    stored: str             # the spelling the database rows use (the EAR name when none is stored)
    notes: tuple[str, ...]  # alias resolved, treated as another entry


@dataclass(frozen=True)
class Coverage:
    """The span the stored data speaks for: first country-group version .. last day checked."""

    starts: date | None
    through: date | None


def find_country(db: Database, typed: str) -> FoundCountry:
    """Resolve what a person typed; raises UnknownCountryError (exit 2, with suggestions) for no country."""
    found = countries.lookup(typed)
    notes = []
    if _plain(typed) != _plain(found.name):
        notes.append(f"{typed.strip()!r} is listed in the EAR as {found.name!r}")
    treated = countries.treated_as(found)
    if treated is not None:
        target, why = treated
        notes.append(f"{found.name} has no entry of its own: {why}; answering for {target.name}")
        found = target
    return FoundCountry(typed, found, _stored_name(db, found), tuple(notes))


def _plain(name: str) -> str:
    return countries.normalize_country(name).casefold()


def _stored_name(db: Database, country: Country) -> str:
    """The spelling stored rows use for this identity (older data may spell it differently)."""
    for name in queries.known_countries(db):
        resolved = countries.resolve(name)
        if resolved is not None and resolved.code == country.code:
            return name
    return country.name


def _iso(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def coverage(db: Database) -> Coverage:
    """First stored Supplement No. 1 version; the latest day a version, a publication or a clean run covers."""
    start = queries.first_version_date(db, "country_groups")
    if start is None:
        start = queries.first_membership_date(db)
    return Coverage(_iso(start), _iso(queries.data_as_of(db)))


def groups_answer(db: Database, typed: str, day: date) -> dict[str, Any]:
    """``frtrack groups``: the groups on ``day``, or null when ``day`` is before the tracked history.

    ``notes`` say what the user must know to read the answer: the EAR name an
    alias stands for, where the EAR treats a place under another entry, and
    when the date lies outside the stored data.
    """
    found = find_country(db, typed)
    cov = coverage(db)
    notes = list(found.notes)
    groups: list[str] | None
    if cov.starts is None:
        groups = None
        notes.append("no country-group history stored yet: run `frtrack run`")
    elif day < cov.starts:
        groups = None
        notes.append(f"tracked history starts {cov.starts}")
    else:
        groups = queries.groups_as_of(db, found.stored, day)
        if cov.through is not None and day > cov.through:
            notes.append(f"data only through {cov.through}: changes after that day are not known")
    return {"country": found.country.name, "as_of": day.isoformat(), "groups": groups,
            "history_starts": cov.starts.isoformat() if cov.starts else None,
            "data_through": cov.through.isoformat() if cov.through else None,
            "notes": notes}


def groups_text(answer: dict[str, Any]) -> str:
    """The one answer line; never "no country group" for a date the data does not cover."""
    head = f"{answer['country']} on {answer['as_of']}"
    if answer["groups"] is None:
        start = answer["history_starts"]
        return f"{head}: not known — before the tracked history" + (f" (starts {start})" if start else "")
    if answer["groups"]:
        return f"{head}: {', '.join(answer['groups'])}"
    through = answer["data_through"]
    if through and answer["as_of"] > through:
        return f"{head}: no country group on record through {through}"
    return f"{head}: no country group on record"
