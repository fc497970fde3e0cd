"""One country on a date, across every list: ``frtrack country NAME [--as-of DATE]``.

What an exporter to a country needs in one answer: the Country Groups it is
in, whether § 744.21 (military end use/user) and § 744.22 (military-
intelligence end use/user) name it, the Entity List entries under it as a
destination, its D:5 / ITAR 126.1 divergences and every change of any of
these, each fact with the FR document (or eCFR version) that last changed it.

The same rule as ``frtrack groups``: a date before a list's tracked history
is "not known" (null in JSON), never "not listed", and a date after the data's
end is answered with a note saying so.
"""
from __future__ import annotations

import difflib
from datetime import date
from typing import Any

from sqlite_utils import Database

from parsers import countries
from parsers.errors import UsageError
from parsers.lifecycle import SourceKind, SourceRef
from parsers.model import ListKind, name_key
from pipeline.lookup import FoundCountry, coverage, find_country
from pipeline.publish import wording
from pipeline.publish.wording import LIST_TITLES, NOT_TRACKED, change_phrase
from store import queries

SECTIONS = tuple(ListKind(v) for v in wording.SECTION_LISTS)
LIST_LABELS = LIST_TITLES


# The lists a change can belong to (126.1 is compared with D:5, it has no changes of its own): the registry's.
CHANGE_LISTS = tuple(ListKind(v) for v in wording.CHANGE_LISTS)


def list_kind(typed: str) -> ListKind:
    """``--list`` as typed: "entity_list", "entity-list", "744.21", "§ 744.21", "744-21"; refuse the rest.

    A list name that silently matched nothing would read as "no changes", so an unknown one is a
    usage error (exit 2) naming the valid values.
    """
    folded = typed.strip().lower().lstrip("\u00a7").strip().replace(" ", "_").replace("-", "_")
    folded = folded.replace("744_2", "744.2")
    for kind in CHANGE_LISTS:
        if folded == kind.value:
            return kind
    raise UsageError(f"--list {typed!r}: not a list; use one of {', '.join(k.value for k in CHANGE_LISTS)}")


def entity_keys(db: Database, typed: str) -> set[str]:
    """``--entity`` as typed -> the Entity List keys it names; a name that matches no entity on record is a
    usage error with the closest names on record (an empty answer would read as "no changes")."""
    if not name_key(typed):
        raise UsageError(f"--entity {typed!r}: names no entity; give an Entity List name (or part of one)")
    keys = queries.entity_keys_matching(db, typed)
    if keys:
        return keys
    close = _close_names(typed, queries.entity_names(db))
    hint = ("; did you mean " + " or ".join(repr(n) for n in close) + "?") if close else ""
    raise UsageError(f"--entity {typed!r}: no Entity List entity on record is so named{hint}")


def _close_names(typed: str, names: list[str], n: int = 3, cutoff: float = 0.75) -> list[str]:
    """The names on record closest to ``typed``: a typed name is often a few words of a long entity
    name, so each name is scored by its best run of as many words as were typed (difflib's ratio)."""
    want = " ".join(typed.casefold().split())
    k = max(1, len(want.split()))

    def score(name: str) -> float:
        words = name.casefold().split()
        runs = [" ".join(words[i:i + k]) for i in range(max(1, len(words) - k + 1))]
        return max(difflib.SequenceMatcher(None, want, run).ratio() for run in runs)

    scored = sorted(((score(name), name) for name in names), key=lambda sn: (-sn[0], sn[1].casefold()))
    return [name for s, name in scored[:n] if s >= cutoff]


def _same_country(found: FoundCountry):
    """A test for stored names that are this identity (older rows or another list may spell it differently)."""
    code = found.country.code
    cache: dict[str, bool] = {}

    def test(name: str) -> bool:
        if name not in cache:
            resolved = countries.resolve(name)
            cache[name] = (resolved is not None and resolved.code == code) or name.lower() == found.stored.lower()
        return cache[name]
    return test


def _fr_document(ref: str | None) -> str | None:
    parsed = SourceRef.parse(ref) if ref else None
    return parsed.value if parsed is not None and parsed.kind is SourceKind.FR else None


def country_answer(db: Database, typed: str, day: date) -> dict[str, Any]:
    """``frtrack country``: the JSON contract, plus ``_text`` pieces the text form needs (dropped from JSON).

    ``groups``, a ``sections`` value and ``entity_list`` are null when ``day`` is
    before that list's tracked history (or the list is not stored at all).
    """
    found = find_country(db, typed)
    mine = _same_country(found)
    iso = day.isoformat()
    notes = list(found.notes)
    cov = coverage(db)
    if cov.through is not None and day > cov.through:
        notes.append(f"data only through {cov.through}: changes after that day are not known")

    starts: dict[str, str | None] = {}

    def known(kind: ListKind) -> bool:
        start = starts[kind.value] = queries.list_history_start(db, kind)
        if start is None:
            notes.append(f"{LIST_LABELS[kind.value]}: {NOT_TRACKED}")
            return False
        if iso < start:
            notes.append(f"{LIST_LABELS[kind.value]}: tracked history starts {start}")
            return False
        return True

    def intervals(kind: ListKind) -> list[dict[str, Any]]:
        return [iv for iv in queries.list_memberships(db, None, kind) if mine(iv["country"])]

    group_ivs = intervals(ListKind.COUNTRY_GROUPS)
    groups_known = known(ListKind.COUNTRY_GROUPS)
    held = queries.standing(group_ivs, iso, ("group",)) if groups_known else {}
    left = {g: iv for g, iv in queries.last_ended(group_ivs, iso, "group").items() if (g,) not in held}

    sections: dict[str, bool | None] = {}
    section_facts: dict[str, dict[str, Any]] = {}
    for kind in SECTIONS:
        ivs = intervals(kind)
        if not known(kind):
            sections[kind.value] = None
            continue
        now = queries.standing(ivs, iso, ("list",)).get((kind.value,))
        sections[kind.value] = now is not None
        if now is not None:
            section_facts[kind.value] = {"since": now["since"], "by": now["by"]}
        else:
            ended = queries.last_ended(ivs, iso, "list").get(kind.value)
            section_facts[kind.value] = {"ended": ended["valid_to"] if ended else None,
                                         "by": ended["closed_by"] if ended else None}

    entity_known = known(ListKind.ENTITY_LIST)
    entries = sorted(queries.standing(intervals(ListKind.ENTITY_LIST), iso, ("country", "entity_key")).values()
                     if entity_known else (),
                     key=lambda s: ((s["row"]["entity"] or "").casefold(), s["row"]["entity_key"]))
    entity_list = None if not entity_known else [
        {"entity": s["row"]["entity"], "since": s["since"], "fr_document": _fr_document(s["by"])} for s in entries]

    divergence_rows = [d for d in queries.divergences(db) if mine(d["country"])]
    divergences = [queries.divergence_json(d) for d in divergence_rows]
    history_rows = [r for r in queries.list_changes(db, list_kind=None) if mine(r["country"])]
    return {
        "country": found.country.name,
        "as_of": iso,
        "groups": sorted(g for (g,) in held) if groups_known else None,
        "sections": sections,
        "entity_list": entity_list,
        "divergences": divergences,
        "history": [queries.change_json(r) for r in history_rows],
        "_text": {"notes": notes, "starts": starts, "held": {g: (s["since"], s["by"]) for (g,), s in held.items()},
                  "left": {g: (iv["valid_to"], iv["closed_by"]) for g, iv in left.items()},
                  "sections": section_facts,
                  "entries": [s["by"] for s in entries],
                  "divergence_rows": divergence_rows,
                  "columns": queries.group_columns(db)},
    }


def country_json(answer: dict[str, Any]) -> dict[str, Any]:
    """The public shape: exactly the contract's keys."""
    return {k: v for k, v in answer.items() if not k.startswith("_")}


def source_text(ref: str | None) -> str:
    """'fr:2026-02262' -> 'FR Doc. 2026-02262'; 'ecfr:2021-01-04' -> 'eCFR version of 2021-01-04'."""
    parsed = SourceRef.parse(ref) if ref else None
    if parsed is None:
        return "source not recorded"
    if parsed.kind is SourceKind.FR:
        return f"FR Doc. {parsed.value}"
    return f"eCFR version of {parsed.value}"


def change_line(r: dict[str, Any]) -> str:
    """One change of any list, for the terminal: '2026-02-03  removed from D:5  [confirmed]  FR Doc. ...'."""
    what = change_phrase(r)
    doc = f"FR Doc. {r['fr_document']}" if r.get("fr_document") else \
        (f"eCFR {r['ecfr_version']}" if r.get("ecfr_version") else "no FR document")
    cite = f" ({r['citation']})" if r.get("citation") else ""
    return f"{r['effective_date'] or '?':10}  {what}  [{r['status']}]  {doc}{cite}"


def _unknown(t: dict[str, Any], kind: ListKind) -> str:
    """Why a list's answer is "not known": nothing of it stored, or a date before its history."""
    start = t["starts"].get(kind.value)
    return f"not known (its tracked history starts {start})" if start else "not known (not tracked in this database)"


def country_text(answer: dict[str, Any]) -> str:
    """The readable answer: each fact with the document that last changed it."""
    t = answer["_text"]
    lines = [f"{answer['country']} on {answer['as_of']}"]
    if answer["groups"] is None:
        lines.append(f"  Country Groups: {_unknown(t, ListKind.COUNTRY_GROUPS)}")
    elif not answer["groups"]:
        lines.append("  Country Groups: none on record")
    else:
        lines.append("  Country Groups:")
        for g in answer["groups"]:
            since, by = t["held"][g]
            name = t["columns"].get(g)
            lines.append(f"    {g}{' (' + name + ')' if name else ''}: since {since} ({source_text(by)})")
    for g, (until, by) in sorted(t["left"].items()):
        lines.append(f"    not in {g} since {until} ({source_text(by)})")
    for kind in SECTIONS:
        label, value = LIST_LABELS[kind.value], answer["sections"][kind.value]
        if value is None:
            lines.append(f"  {label}: {_unknown(t, kind)}")
        elif value:
            fact = t["sections"][kind.value]
            lines.append(f"  {label}: listed since {fact['since']} ({source_text(fact['by'])})")
        else:
            fact = t["sections"][kind.value]
            lines.append(f"  {label}: not listed" + (f" since {fact['ended']} ({source_text(fact['by'])})"
                                                      if fact.get("ended") else ""))
    if answer["entity_list"] is None:
        lines.append(f"  Entity List: {_unknown(t, ListKind.ENTITY_LIST)}")
    elif not answer["entity_list"]:
        lines.append("  Entity List: no entries under this destination")
    else:
        lines.append(f"  Entity List: {len(answer['entity_list'])} "
                     f"entr{'y' if len(answer['entity_list']) == 1 else 'ies'} under this destination")
        for e, by in zip(answer["entity_list"], t["entries"], strict=True):
            lines.append(f"    {e['entity']}: since {e['since']} (last changed by {source_text(by)})")
    if t["divergence_rows"]:
        lines.append("  D:5 / ITAR 126.1 divergences:")
        lines.extend(f"    [{d['kind']}] {queries.divergence_text(d)}" for d in t["divergence_rows"])
    lines.append(f"  History ({len(answer['history'])} change{'s' if len(answer['history']) != 1 else ''}, "
                 "oldest first):" if answer["history"] else "  History: no changes on record")
    for r in answer["history"]:
        lines.append(f"    {change_line(r)}")
    return "\n".join(lines)
