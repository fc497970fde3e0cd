"""The change engine: stored raw documents -> memberships, changes, divergences.

Everything here is *derived*: each call re-reads the stored raw blobs (parsed
results are cached per sha256 in-process), recomputes the full history and
syncs it into the database in ONE transaction. That makes a rerun idempotent
and ``frtrack reparse`` identical to a fresh run by construction. Only the
change status log is history of its own: a status move is appended with a
timestamp when the derived status differs from the stored one.

Lifecycle (DESIGN.md §3): announced (public inspection text states it) ->
published (FR rule parsed, delta predicted against the stored state the day
before it takes effect) -> in_effect (effective date reached) -> confirmed /
contradicted (the first eCFR version dated on or after the effective date
shows / does not show it). eCFR deltas that no FR rule explains are
unattributed.
"""
from __future__ import annotations

import bisect
import json
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Callable

from sqlite_utils import Database

from parsers.announcement import announced_changes, announced_operations
from parsers.exceptions import FrtrackError, ParseError
from parsers.model import Action, CountryGroupTable, FRDocument, Operation
from pipeline.history import Delta, State, TableSummary, apply_deltas, diff_states, predict, summarize, table_events
from store.blobs import get_blob
from store.db import utcnow
from store.enums import ChangeAction, ChangeStatus, DivergenceSide, ParseStatus, TableEventKind

log = logging.getLogger(__name__)

TRACKED_PART = ("15", "740")

# 22 CFR 126.1 and the EAR spell a few countries differently.
ITAR_ALIASES = {
    "north korea": "Korea, North",
    "democratic people's republic of korea": "Korea, North",
    "south korea": "Korea, South",
    "myanmar": "Burma",
    "democratic republic of the congo": "Congo (Democratic Republic of the)",
    "congo, democratic republic of the": "Congo (Democratic Republic of the)",
}


@dataclass
class DeriveReport:
    """What one derivation found; the run turns it into its summary and exit code."""

    parse_failures: list[str] = field(default_factory=list)   # newly failed documents
    review: list[str] = field(default_factory=list)           # unrecognized wording, newly seen
    changes: int = 0
    status_moves: list[str] = field(default_factory=list)
    open_divergences: int = 0


@dataclass(frozen=True)
class ChangeFact:
    key: str
    country: str
    group: str
    action: ChangeAction
    effective_date: str | None
    status: ChangeStatus
    fr_document: str | None
    ecfr_version: str | None
    corrected_by: tuple[str, ...] = ()
    note: str = ""


# ---------------------------------------------------------------- parsing

_CACHE: dict[tuple[str, str], Any] = {}


def _parsed(kind: str, sha: str, data_loader: Callable[[], bytes], name: str) -> Any:
    key = (kind, sha)
    if key not in _CACHE:
        data = data_loader()
        if kind == "country_groups":
            from parsers.ecfr_groups import parse_country_groups
            _CACHE[key] = parse_country_groups(data, name)
        elif kind == "itar_126_1":
            from parsers.itar import parse_itar_126_1
            _CACHE[key] = parse_itar_126_1(data, name)
        else:
            from parsers.fr_xml import parse_fr_xml
            _CACHE[key] = parse_fr_xml(data, name)
        if len(_CACHE) > 64:   # parsed trees are big; states are cached separately
            _CACHE.pop(next(iter(_CACHE)))
    return _CACHE[key]


def parse_pending(db: Database, report: DeriveReport, *, everything: bool = False) -> None:
    """Parse stored raw documents not parsed yet (or all, for reparse); record failures."""
    where = "" if everything else "AND parse_status = 'pending'"
    for number, sha in db.execute(
            f"SELECT document_number, xml_sha256 FROM fr_documents WHERE xml_sha256 IS NOT NULL {where}").fetchall():
        name = f"FR Doc. {number}"
        try:
            docs = _parsed("fr", sha, lambda: get_blob(db, sha), name)
            doc = _pick(docs, number)
            if doc is None:
                raise ParseError(name, "the XML holds no document with this number")
            db.execute("UPDATE fr_documents SET parse_status = ?, parse_error = NULL, effective_date = ?,"
                       " correction_of = COALESCE(correction_of, ?) WHERE document_number = ?",
                       [ParseStatus.OK.value, doc.effective_date.isoformat() if doc.effective_date else None,
                        doc.corrects, number])
        except FrtrackError as exc:
            _fail(db, "fr_documents", "document_number", number, str(exc), report)
    for vid, unit, kind, vdate, sha in db.execute(
            f"SELECT id, unit, kind, date, xml_sha256 FROM ecfr_versions WHERE xml_sha256 IS NOT NULL {where}").fetchall():
        name = f"eCFR {unit} version {vdate}"
        try:
            _summary(kind, sha, lambda: get_blob(db, sha), name)
            db.execute("UPDATE ecfr_versions SET parse_status = ?, parse_error = NULL WHERE id = ?",
                       [ParseStatus.OK.value, vid])
        except FrtrackError as exc:
            _fail(db, "ecfr_versions", "id", vid, str(exc), report)


def _fail(db: Database, table: str, key: str, value: Any, error: str, report: DeriveReport) -> None:
    old = db.execute(f"SELECT parse_status, parse_error FROM {table} WHERE {key} = ?", [value]).fetchone()
    db.execute(f"UPDATE {table} SET parse_status = ?, parse_error = ? WHERE {key} = ?",
               [ParseStatus.FAILED.value, error, value])
    if old is None or old[0] != ParseStatus.FAILED.value or old[1] != error:
        report.parse_failures.append(error)
    log.error("parse failed: %s", error)


def _pick(docs: tuple[FRDocument, ...], number: str) -> FRDocument | None:
    for d in docs:
        if d.document_number == number:
            return d
    return docs[0] if len(docs) == 1 else None


# ---------------------------------------------------------------- loading

@dataclass(frozen=True)
class Version:
    """One eCFR version reduced to what derivation needs (parsed trees are not kept)."""

    date: str
    state: State
    events: tuple = ()                          # TableEvents vs the previous version
    columns: tuple[tuple[str, str, str], ...] = ()   # (code, name, table title)


@dataclass(frozen=True)
class _Summary:
    state: State
    table: TableSummary | None
    columns: tuple[tuple[str, str, str], ...]


_EMPTY_SUMMARY = TableSummary((), (), ())
_SUMMARIES: dict[tuple[str, str], _Summary] = {}   # (kind, sha256) -> summary; small, shared tuples
_INTERN: dict[tuple[str, str], tuple[str, str]] = {}


def _intern_state(pairs) -> State:
    """Memberships shared across versions: 1,000 versions of a 200-country table stay small."""
    return frozenset(_INTERN.setdefault(p, p) for p in pairs)


def _summary(kind: str, sha: str, loader: Callable[[], bytes], name: str) -> _Summary:
    """Parse a version once per process and keep only its summary."""
    key = (kind, sha)
    if key not in _SUMMARIES:
        parsed = _parsed(kind, sha, loader, name)
        if isinstance(parsed, CountryGroupTable):
            columns = tuple((c.code, c.name, t.title) for t in parsed.tables for c in t.columns)
            if parsed.b_list:
                columns += (("B", "Country Group B", "Country Group B"),)
            _SUMMARIES[key] = _Summary(_intern_state(parsed.memberships()), summarize(parsed), columns)
        else:
            _SUMMARIES[key] = _Summary(_intern_state((_itar_name(c), "126.1") for c in parsed.countries), None, ())
        _CACHE.pop(key, None)   # the tree is no longer needed
    return _SUMMARIES[key]


def _versions(db: Database, kind: str) -> list[Version]:
    """Every parsed version, oldest first, from cached summaries."""
    out: list[Version] = []
    prev: _Summary | None = None
    rows = db.execute("SELECT unit, date, xml_sha256 FROM ecfr_versions WHERE kind = ? AND parse_status = 'ok'"
                      " ORDER BY date, id", [kind]).fetchall()
    for unit, vdate, sha in rows:
        summ = _summary(kind, sha, lambda: get_blob(db, sha), f"eCFR {unit} version {vdate}")
        if summ.table is None:
            events = ()
        elif prev is None:   # the first version: record the footnotes and notes it already prints
            events = tuple(e for e in table_events(_EMPTY_SUMMARY, summ.table)
                           if e.kind is not TableEventKind.COLUMN_RENAMED)
        else:
            events = table_events(prev.table, summ.table)
        out.append(Version(vdate, summ.state, events, summ.columns))
        prev = summ
    return out


@dataclass(frozen=True)
class Rule:
    """An FR document's operations on the tracked table, with its dates."""

    number: str
    effective: str
    published: str | None
    corrects: str | None
    operations: tuple[Operation, ...]
    instructions: tuple[tuple[int, str, tuple[Operation, ...]], ...]


def _itar_name(name: str) -> str:
    return ITAR_ALIASES.get(name.strip().lower(), name.strip())


def _rules(db: Database) -> list[Rule]:
    out = []
    for number, sha, pub, eff_api, eff, corr in db.execute(
            "SELECT document_number, xml_sha256, publication_date, effective_on, effective_date, correction_of"
            " FROM fr_documents WHERE parse_status = 'ok' AND xml_sha256 IS NOT NULL").fetchall():
        doc = _pick(_parsed("fr", sha, lambda: get_blob(db, sha), f"FR Doc. {number}"), number)
        if doc is None:
            continue
        instrs = []
        ops: list[Operation] = []
        for ins in doc.instructions:
            if str(ins.title) != TRACKED_PART[0] or (ins.part or "") != TRACKED_PART[1]:
                continue
            if ins.operations:
                instrs.append((ins.index, ins.text, ins.operations))
                ops.extend(ins.operations)
        corrects = corr or doc.corrects or next((o.corrects for o in ops if o.corrects), None)
        if not ops:
            continue
        effective = eff or eff_api or pub
        if effective is None:
            continue
        out.append(Rule(number, effective, pub, corrects, tuple(ops), tuple(instrs)))
    out.sort(key=lambda r: (r.effective, r.published or "", r.number))
    return out


# ---------------------------------------------------------------- derivation

def _state_at(versions: list[Version], events: list[tuple[str, Delta]], day: str) -> State:
    """State on ``day``: latest eCFR version on or before it, plus predicted events after that version."""
    dates = [v.date for v in versions]
    i = bisect.bisect_right(dates, day) - 1
    if i < 0:
        base_date, state = "", (versions[0].state if versions else frozenset())
    else:
        base_date, state = versions[i].date, versions[i].state
    later = [d for when, d in events if base_date < when <= day]
    return apply_deltas(state, later)


def derive_changes(versions: list[Version], rules: list[Rule], announced: list[tuple[str, str | None, list, tuple]],
                   today: str) -> tuple[list[ChangeFact], list[tuple[str, int | None, str, str]]]:
    """All change facts and the review items (doc, instruction index, text, reason)."""
    facts: dict[str, ChangeFact] = {}
    review: list[tuple[str, int | None, str, str]] = []
    predicted_events: list[tuple[str, Delta]] = []
    dates = [v.date for v in versions]
    explained: set[tuple[str, Delta]] = set()   # (version date, delta) consumed by a rule

    observed: list[tuple[str, Delta]] = []
    for prev, cur in zip(versions, versions[1:]):
        observed.extend((cur.date, d) for d in diff_states(prev.state, cur.state))
    observed_on: dict[Delta, list[str]] = {}    # delta -> version dates showing it, oldest first
    for when, d in observed:
        observed_on.setdefault(d, []).append(when)

    originals = {r.number: r for r in rules}
    for rule in rules:
        owner = rule.number
        corrected_by: tuple[str, ...] = ()
        effective = rule.effective
        if rule.corrects and rule.corrects in originals:
            owner, corrected_by = rule.corrects, (rule.number,)
            effective = originals[rule.corrects].effective
        day_before = (date.fromisoformat(effective) - timedelta(days=1)).isoformat()
        state = _state_at(versions, predicted_events, day_before)
        deltas, skipped = predict(state, rule.operations)
        for op in skipped:
            idx = next((i for i, _t, ops in rule.instructions if op in ops), None)
            reason = ("unrecognized amendment wording" if op.action is Action.UNRECOGNIZED
                      else "instruction names no table or country")
            review.append((rule.number, idx, op.text, reason))
        for d in deltas:
            predicted_events.append((effective, d))
            i = bisect.bisect_left(dates, effective)
            key = f"{d.country}|{d.group}|{d.action.value}|fr:{owner}"
            if key in facts:   # a correction restating the same change
                f = facts[key]
                facts[key] = ChangeFact(**{**f.__dict__, "corrected_by": tuple(sorted(set(f.corrected_by) | set(corrected_by)))})
                continue
            if i < len(versions):
                v = versions[i]
                if d.applies_to(v.state):
                    lo = dates[i - 1] if i else ""
                    seen = next((when for when in observed_on.get(d, ())
                                 if lo <= when <= v.date and (when, d) not in explained), v.date)
                    explained.add((seen, d))
                    status, ver = ChangeStatus.CONFIRMED, seen
                else:
                    status, ver = ChangeStatus.CONTRADICTED, v.date
            else:
                status = ChangeStatus.IN_EFFECT if today >= effective else ChangeStatus.PUBLISHED
                ver = None
            facts[key] = ChangeFact(key, d.country, d.group, d.action, effective, status, owner, ver, corrected_by)
        predicted_events.sort(key=lambda e: e[0])

    for when, d in observed:
        if (when, d) in explained:
            continue
        key = f"{d.country}|{d.group}|{d.action.value}|ecfr:{when}"
        facts[key] = ChangeFact(key, d.country, d.group, d.action, when, ChangeStatus.UNATTRIBUTED, None, when)

    published_docs = {r.number for r in rules}
    for number, eff, items, ops in announced:
        if number in published_docs:
            # the published XML is the truth; an announced move it does not make needs a human look
            for a in items:
                if f"{a.country}|{a.group}|{a.action}|fr:{number}" not in facts:
                    review.append((number, None, a.sentence,
                                   "announced on public inspection, but the published rule does not make this change"))
            continue
        stated = [(a.country, a.group, ChangeAction(a.action), a.sentence) for a in items]
        if ops:   # exact deltas of the instructions that need no reprinted row, against the state of that day
            day = eff or today
            deltas, _ = predict(_state_at(versions, predicted_events, day), ops)
            stated += [(d.country, d.group, d.action, "amendatory instruction on public inspection") for d in deltas]
        for country, group, action, note in stated:
            key = f"{country}|{group}|{action.value}|fr:{number}"
            facts.setdefault(key, ChangeFact(key, country, group, action, eff, ChangeStatus.ANNOUNCED,
                                             number, None, (), note))
    return sorted(facts.values(), key=lambda f: (f.effective_date or "9999", f.country, f.group, f.key)), review


def derive_memberships(versions: list[Version], facts: list[ChangeFact]) -> list[tuple[str, str, str, str | None, str, str | None]]:
    """Intervals (country, group, from, to, opened_by, closed_by) from the baseline and the applied changes."""
    if not versions:
        return []
    first = versions[0]
    open_: dict[tuple[str, str], tuple[str, str]] = {m: (first.date, f"ecfr:{first.date}") for m in sorted(first.state)}
    rows = []
    applied = [f for f in facts if f.status in (ChangeStatus.PUBLISHED, ChangeStatus.IN_EFFECT,
                                                ChangeStatus.CONFIRMED, ChangeStatus.UNATTRIBUTED)
               and f.effective_date and f.effective_date >= first.date]
    applied.sort(key=lambda f: (f.effective_date, f.key))
    for f in applied:
        m = (f.country, f.group)
        src = f"fr:{f.fr_document}" if f.fr_document else f"ecfr:{f.ecfr_version}"
        if f.action is ChangeAction.ADDED and m not in open_:
            open_[m] = (f.effective_date, src)
        elif f.action is ChangeAction.REMOVED and m in open_:
            start, by = open_.pop(m)
            rows.append((m[0], m[1], start, f.effective_date, by, src))
    rows.extend((c, g, start, None, by, None) for (c, g), (start, by) in open_.items())
    return sorted(rows, key=lambda r: (r[0], r[1], r[2]))


def derive_divergences(memberships: list[tuple], itar: list[Version]) -> list[tuple[str, str, str, str, str | None, str, str | None]]:
    """D:5 vs 22 CFR 126.1 disagreements: (country, side, moved_first, opened, closed, opened_by, closed_by)."""
    if not itar:
        return []
    d5 = [(c, start, end, ob, cb) for c, g, start, end, ob, cb in memberships if g == "D:5"]
    boundaries = sorted({v.date for v in itar} | {s for _, s, _, _, _ in d5} | {e for _, _, e, _, _ in d5 if e})
    boundaries = [b for b in boundaries if b >= itar[0].date]
    idates = [v.date for v in itar]

    def ear_set(day: str) -> dict[str, tuple[str, str | None]]:
        return {c: (ob, cb) for c, s, e, ob, cb in d5 if s <= day and (e is None or e > day)}

    def itar_set(day: str) -> tuple[set[str], str]:
        i = bisect.bisect_right(idates, day) - 1
        return {c for c, _ in itar[i].state}, f"ecfr:{itar[i].date}"

    out = []
    open_: dict[tuple[str, str], tuple[str, str, str]] = {}
    prev_itar: set[str] | None = None
    for day in boundaries:
        ear = ear_set(day)
        ear_names = set(ear)
        itar_names, itar_src = itar_set(day)
        diff = {(c, DivergenceSide.EAR_ONLY.value) for c in ear_names - itar_names} | \
               {(c, DivergenceSide.ITAR_ONLY.value) for c in itar_names - ear_names}
        for key in sorted(diff - set(open_)):
            country = key[0]
            itar_moved = prev_itar is not None and ((country in prev_itar) != (country in itar_names))
            moved_first = "itar" if itar_moved or prev_itar is None and key[1] == DivergenceSide.ITAR_ONLY.value else "ear"
            by = itar_src if moved_first == "itar" else (ear.get(country, (None, None))[0] or
                                                         next((cb for c, s, e, ob, cb in d5 if c == country and e == day), None) or "")
            open_[key] = (day, moved_first, by)
        for key in sorted(set(open_) - diff):
            start, moved_first, by = open_.pop(key)
            country = key[0]
            closer = ear.get(country, (None, None))[0] if country in ear_names else \
                next((cb for c, s, e, ob, cb in d5 if c == country and e == day), None) or itar_src
            out.append((country, key[1], moved_first, start, day, by, closer))
        prev_itar = itar_names
    out.extend((c, side, mf, start, None, by, None) for (c, side), (start, mf, by) in open_.items())
    return sorted(out, key=lambda r: (r[3], r[0]))


def _announced(db: Database) -> list[tuple[str, str | None, list, tuple[Operation, ...]]]:
    """Per public-inspection document: stated changes and instruction operations from its raw text."""
    out = []
    for number, pub, sha in db.execute(
            "SELECT document_number, publication_date, text_sha256 FROM public_inspection"
            " WHERE text_sha256 IS NOT NULL ORDER BY document_number").fetchall():
        text = get_blob(db, sha)
        items, ops = list(announced_changes(text)), announced_operations(text)
        if items or ops:
            out.append((number, pub, items, ops))
    return out


# ---------------------------------------------------------------- sync

def derive(db: Database, *, today: date, run_id: int | None, everything: bool = False) -> DeriveReport:
    """Parse what is pending, then recompute and store all derived facts in one transaction."""
    report = DeriveReport()
    with db.atomic():
        parse_pending(db, report, everything=everything)
        versions = _versions(db, "country_groups")
        itar = _versions(db, "itar_126_1")
        rules = _rules(db)
        facts, review = derive_changes(versions, rules, _announced(db), today.isoformat())
        memberships = derive_memberships(versions, facts)
        divergences = derive_divergences(memberships, itar)
        _sync_changes(db, facts, run_id, report)
        _replace(db, "memberships", ("country", "grp", "valid_from", "valid_to", "opened_by", "closed_by"), memberships)
        _replace(db, "divergences", ("country", "side", "moved_first", "opened_on", "closed_on", "opened_by", "closed_by"),
                 divergences)
        _sync_tables(db, versions)
        _sync_review(db, review, report)
        _mark_published(db)
    report.changes = len(facts)
    report.open_divergences = sum(1 for d in divergences if d[4] is None)
    return report


def _replace(db: Database, table: str, cols: tuple[str, ...], rows: list[tuple]) -> None:
    db.execute(f"DELETE FROM {table}")
    if rows:
        db.conn.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)
    # rowid tables without AUTOINCREMENT restart their ids once emptied, so a
    # reparse yields the same rows, ids included, as a fresh run.


def _sync_changes(db: Database, facts: list[ChangeFact], run_id: int | None, report: DeriveReport) -> None:
    now = utcnow(db)
    existing = {r["key"]: r for r in db.execute_returning_dicts("SELECT * FROM changes")}
    stored_docs = {n for (n,) in db.execute("SELECT document_number FROM fr_documents").fetchall()}
    for f in facts:
        values = {"country": f.country, "grp": f.group, "action": f.action.value, "effective_date": f.effective_date,
                  "status": f.status.value, "fr_document": f.fr_document, "ecfr_version": f.ecfr_version,
                  "corrected_by": json.dumps(list(f.corrected_by)) if f.corrected_by else None}
        old = existing.pop(f.key, None)
        if f.fr_document and f.fr_document not in stored_docs:
            values["fr_document"] = None   # announced: the FR document is not stored yet
        if old is None:
            cur = db.execute(
                f"INSERT INTO changes (key, {', '.join(values)}, created_at, updated_at) VALUES (?, {', '.join('?' * len(values))}, ?, ?)",
                [f.key, *values.values(), now, now])
            db.execute("INSERT INTO change_status_log (change_id, status, at, run_id, note) VALUES (?,?,?,?,?)",
                       [cur.lastrowid, f.status.value, now, run_id, f.note or None])
            report.status_moves.append(f"{f.country} {f.action.value} {f.group}: {f.status.value}")
        elif any(old[k] != v for k, v in values.items()):
            db.execute(f"UPDATE changes SET {', '.join(k + ' = ?' for k in values)}, updated_at = ? WHERE id = ?",
                       [*values.values(), now, old["id"]])
            if old["status"] != f.status.value:
                for step in _steps(ChangeStatus(old["status"]), f.status):
                    db.execute("INSERT INTO change_status_log (change_id, status, at, run_id, note) VALUES (?,?,?,?,?)",
                               [old["id"], step.value, now, run_id, f"was {old['status']}"])
                report.status_moves.append(f"{f.country} {f.action.value} {f.group}: {old['status']} -> {f.status.value}")
    for old in existing.values():   # no longer derived (e.g. a parser fix): withdraw
        db.execute("DELETE FROM change_status_log WHERE change_id = ?", [old["id"]])
        db.execute("DELETE FROM changes WHERE id = ?", [old["id"]])


_LIFECYCLE = (ChangeStatus.ANNOUNCED, ChangeStatus.PUBLISHED, ChangeStatus.IN_EFFECT, ChangeStatus.CONFIRMED)


def _steps(old: ChangeStatus, new: ChangeStatus) -> list[ChangeStatus]:
    """Statuses to log when moving old -> new: the lifecycle steps passed in one run, then new.

    A rule seen on public inspection and then published already in effect is
    logged announced -> published -> in_effect, so the history tells what happened.
    """
    rank = {s: i for i, s in enumerate(_LIFECYCLE)}
    target = rank.get(new, rank[ChangeStatus.CONFIRMED] if new is ChangeStatus.CONTRADICTED else None)
    if old not in rank or target is None or target <= rank[old]:
        return [new]
    return [s for s in _LIFECYCLE[rank[old] + 1:target]] + [new]


def _sync_tables(db: Database, versions: list[Version]) -> None:
    cols = []
    if versions:
        latest = versions[-1]
        cols = [(code, name, title, latest.date) for code, name, title in latest.columns]
    _replace(db, "group_columns", ("code", "name", "tbl", "as_of"), sorted(set(cols)))
    events = [("15 CFR Supplement No. 1 to Part 740", v.date, e.kind.value, e.subject, e.before, e.after)
              for v in versions for e in v.events]
    _replace(db, "table_events", ("unit", "ecfr_version", "kind", "subject", "before", "after"), events)


def _sync_review(db: Database, review: list[tuple[str, int | None, str, str]], report: DeriveReport) -> None:
    keep = set()
    for number, idx, text, reason in review:
        if (number, idx, text) in keep:
            continue
        keep.add((number, idx, text))
        if not db.execute("SELECT 1 FROM review_items WHERE document_number = ? AND instruction_index IS ?"
                          " AND text = ?", [number, idx, text]).fetchone():
            db.execute("INSERT INTO review_items (document_number, instruction_index, text, reason, created_at)"
                       " VALUES (?,?,?,?,?)", [number, idx, text, reason, utcnow(db)])
            report.review.append(f"FR Doc. {number}, instruction {idx if idx is None else idx + 1}: {reason}: {text[:160]}")
    for rid, number, idx, text in db.execute("SELECT id, document_number, instruction_index, text FROM review_items").fetchall():
        if (number, idx, text) not in keep:
            db.execute("DELETE FROM review_items WHERE id = ?", [rid])


def _mark_published(db: Database) -> None:
    db.execute("UPDATE public_inspection SET published = 1 WHERE published = 0 AND document_number IN"
               " (SELECT document_number FROM fr_documents)")
