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
unattributed. A change once derived and no longer derived (a parser fix, a
reparse) is withdrawn: its row and status log stay; derived again, it comes
back and its log continues. Statuses: announced, published, in_effect,
confirmed, contradicted, unattributed, withdrawn.

Safety (issue 12): a rule is only applied to an eCFR baseline that holds its
table (no baseline: a review item, never a delta against an empty state); an
eCFR version whose diff loses a whole table, a whole column or
``SUSPECT_REMOVALS`` memberships at once that no FR rule explains is held as
suspect (a review item; its deltas are not published and the next version is
compared with the last trusted one). A suspect version that the next version
shows again (the same tables, after the rules between them) is accepted as of
its own date: its deltas are then derived like any version's, and its review
item says why (screen_versions). D:5 / 126.1 divergences compare country
identities (parsers.countries) and are standing, open, closed or pending.

Effective dates: an instruction's own date (a DATES exception) beats the
document's; the DATES text beats the API's ``effective_on``, with a review
item when they disagree; a date the text makes unknowable is never replaced
by the publication date. A delay or correction notice moves its target
rule's date: the change row shows the new date and its status log keeps a
"effective date moved from X to Y by FR Doc. N" row.
"""
from __future__ import annotations

import bisect
import json
import logging
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Callable, NamedTuple

from sqlite_utils import Database

from parsers.announcement import announced_changes, announced_operations
from parsers.countries import canonical_name
from parsers.dates import dates_section, read_effective
from parsers.errors import FrtrackError, ParseError
from parsers.model import Action, CountryGroupTable, FRDocument, Operation
from parsers.text import clip
from pipeline.derive.history import (Delta, op_table_letter, predict_detailed, State, TableSummary, apply_deltas, apply_operations, diff_states, predict,
                              summarize, table_events)
from store.blobs import get_blob
from store.db import utcnow
from parsers.lifecycle import ChangeAction, ChangeStatus, DivergenceKind, DivergenceSide, ReviewSubject, TableEventKind
from store.enums import FetchStatus, ParseStatus, Source
from parsers.ecfr_groups import parse_country_groups
from parsers.itar import parse_itar_126_1
from parsers.fr_xml import parse_fr_xml

log = logging.getLogger(__name__)

TRACKED_PART = ("15", "740")

# An eCFR version whose diff removes at least this many memberships at once that no
# FR rule explains is held as suspect. The largest real country-group changes move
# a handful of rows (Nicaragua B -> D:1, D:5; UAE out of D:3, D:4); ten memberships
# is more than two full D rows and well beyond any unannounced edit seen so far.
SUSPECT_REMOVALS = 10


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
    date_moves: tuple[str, ...] = ()   # "effective date moved from X to Y by FR Doc. N", logged once each


# ---------------------------------------------------------------- parsing

_CACHE: dict[tuple, Any] = {}


def _parsed(kind: str, sha: str, data_loader: Callable[[], bytes], name: str,
            publication_date: str | None = None) -> Any:
    # A single FR document's XML carries no publication date; "30 days after
    # publication" needs it, so it is part of the key.
    key = (kind, sha) if publication_date is None else (kind, sha, publication_date)
    if key not in _CACHE:
        data = data_loader()
        if kind == "country_groups":
            _CACHE[key] = parse_country_groups(data, name)
        elif kind == "itar_126_1":
            _CACHE[key] = parse_itar_126_1(data, name)
        else:
            _CACHE[key] = parse_fr_xml(data, name, publication_date=date.fromisoformat(publication_date)
                                       if publication_date else None)
        if len(_CACHE) > 64:   # parsed trees are big; states are cached separately
            _CACHE.pop(next(iter(_CACHE)))
    return _CACHE[key]


def parse_pending(db: Database, report: DeriveReport, *, everything: bool = False) -> None:
    """Parse stored raw documents not parsed yet (or all, for reparse); record failures."""
    where = "" if everything else "AND parse_status = 'pending'"
    for number, sha, pub in db.execute(
            f"SELECT document_number, xml_sha256, publication_date FROM fr_documents WHERE xml_sha256 IS NOT NULL"
            f" {where}").fetchall():
        name = f"FR Doc. {number}"
        try:
            docs = _parsed("fr", sha, lambda: get_blob(db, sha), name, pub)
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
    table: TableSummary | None = field(default=None, compare=False)   # to re-compare after a suspect version


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
            _SUMMARIES[key] = _Summary(_intern_state((c.strip(), "126.1") for c in parsed.countries), None, ())
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
        out.append(Version(vdate, summ.state, events, summ.columns, summ.table))
        prev = summ
    return out


@dataclass(frozen=True)
class Rule:
    """An FR document's operations on the tracked table that share one effective date.

    A document whose DATES text gives some instructions their own date is
    split into one Rule per date (same number, so change keys stay
    "country|group|action|fr:DOC"). ``moved`` notes a delay/correction notice
    that moved this date; ``review`` holds (instruction index, text, reason)
    items about its dates.
    """

    number: str
    effective: str
    published: str | None
    corrects: str | None
    operations: tuple[Operation, ...]
    instructions: tuple[tuple[int, str, tuple[Operation, ...]], ...]
    moved: tuple[str, ...] = ()
    review: tuple[tuple[int | None, str, str], ...] = ()


@dataclass(frozen=True)
class _Stored:
    """A parsed stored FR document with the API facts _rules needs."""

    doc: FRDocument
    published: str | None
    effective_on: str | None         # the API's
    correction_of: str | None
    citation: str | None
    agencies: frozenset[str]
    cfr_parts: frozenset[str]


def _rules(db: Database) -> list[Rule]:
    stored: dict[str, _Stored] = {}
    for number, sha, pub, eff_api, corr, cit, agencies, cfr in db.execute(
            "SELECT document_number, xml_sha256, publication_date, effective_on, correction_of, citation, agencies,"
            " cfr_references FROM fr_documents WHERE parse_status = 'ok' AND xml_sha256 IS NOT NULL").fetchall():
        doc = _pick(_parsed("fr", sha, lambda: get_blob(db, sha), f"FR Doc. {number}", pub), number)
        if doc is not None:
            parts = {f"{r.get('title')} CFR {r.get('part')}" for r in json.loads(cfr or "[]") if isinstance(r, dict)}
            stored[number] = _Stored(doc, pub, eff_api, corr, cit, frozenset(a for a in json.loads(agencies or "[]") if isinstance(a, str)),
                                     frozenset(parts | set(doc.cfr_parts)))
    moves, notice_rules = _date_moves(stored)
    out = list(notice_rules)
    for number, s in stored.items():
        out.extend(_document_rules(number, s, moves.get(number, ())))
    out.sort(key=lambda r: (r.effective, r.published or "", r.number))
    return out


def _document_rules(number: str, s: _Stored, moves: list[tuple[str | None, str, str]]) -> list[Rule]:
    """The document's Rules, one per distinct effective date, with their date review items."""
    doc = s.doc
    instrs = [(ins, ins.operations) for ins in doc.instructions
              if str(ins.title) == TRACKED_PART[0] and (ins.part or "") == TRACKED_PART[1] and ins.operations]
    if not instrs:
        return []
    ops = [op for _ins, o in instrs for op in o]
    corrects = s.correction_of or doc.corrects or next((o.corrects for o in ops if o.corrects), None)
    reasons: dict[tuple[int | None, str], list[str]] = {}   # one review item per (instruction, text)

    def say(idx: int | None, text: str, reason: str) -> None:
        reasons.setdefault((idx, text), []).append(reason)

    dates_text = doc.dates_text or ""
    text_date = doc.effective_date.isoformat() if doc.effective_date else None
    api = s.effective_on
    if doc.effective_problems:
        say(None, dates_text, "effective date: " + "; ".join(doc.effective_problems)
            + (f"; federalregister.gov's effective_on {api} is used" if api and not text_date else ""))
        base = text_date or api          # never the publication date: the text says it is something else
    else:
        base = text_date or api or s.published
    if text_date and api and text_date != api:
        say(None, dates_text, f"the DATES text makes the document effective {text_date}, but "
                              f"federalregister.gov's effective_on is {api}; the text's date is kept")
    by_date: dict[str, list] = {}
    for ins, o in instrs:
        own = ins.effective_date.isoformat() if ins.effective_date else None
        if own and api and own != api:
            say(ins.index, ins.text, f"the DATES text makes this instruction effective {own}, but "
                                     f"federalregister.gov's effective_on is {api}; the text's date is kept")
        until = ins.effective_until or (doc.effective_until if not own else None)
        if until:
            say(ins.index, ins.text, f"effective only through {until.isoformat()}; frtrack does not "
                                     "apply the end of the interval")
        day = own or base
        if day is None:
            continue                     # no date known: held for review, not guessed
        by_date.setdefault(day, []).append((ins, o))
    for old, new, by in moves:
        if old is not None and old not in by_date and not any(n == old for _o, n, _b in moves):
            say(None, dates_text, f"FR Doc. {by} moves this rule's effective date from {old} to {new}, but the "
                                  f"rule is effective {', '.join(sorted(by_date)) or 'on no known date'}; not moved")
    review = tuple((idx, text, "; ".join(r)) for (idx, text), r in reasons.items())
    if not by_date:
        return [Rule(number, "", s.published, corrects, (), (), review=review)]
    rules = []
    for day, group in sorted(by_date.items()):
        moved: list[str] = []
        for old, new, by in moves:   # in notice order, so a second delay moves the first one's date
            if old is None or old == day:
                moved.append(f"effective date moved from {day} to {new} by FR Doc. {by}")
                day = new
        rules.append(Rule(number, day, s.published, corrects, tuple(op for _i, o in group for op in o),
                          tuple((i.index, i.text, o) for i, o in group), tuple(moved),
                          review if not rules else ()))
    return rules


def _date_moves(stored: dict[str, _Stored]) -> tuple[dict[str, list[tuple[str | None, str, str]]], list[Rule]]:
    """Target rule -> [(old date, new date, notice)] in notice order, and review-only Rules for notices."""
    moves: dict[str, list[tuple[str | None, str, str]]] = {}
    notices: list[Rule] = []
    order = sorted(stored.items(), key=lambda kv: (kv[1].published or "", kv[0]))
    for number, s in order:
        review: list[tuple[int | None, str, str]] = []
        for change in s.doc.effective_date_changes:
            target = _date_target(number, s, change, stored)
            if target is None:
                review.append((None, change.text, "moves the effective date of a rule frtrack has not stored"
                                                  " (named by " + _named_rule(change) + ")"))
            elif change.new_date is None:
                review.append((None, change.text, f"moves the effective date of FR Doc. {target} to no stated date;"
                                                  " its date is not moved"))
            else:
                moves.setdefault(target, []).append((change.old_date.isoformat() if change.old_date else None,
                                                     change.new_date.isoformat(), number))
        if review:
            notices.append(Rule(number, "", s.published, None, (), (), review=tuple(review)))
    return moves, notices


def _date_target(number: str, s: _Stored, change, stored: dict[str, _Stored]) -> str | None:
    """The stored rule a notice names: by document number, else FR citation, else publication date + part + agency."""
    if change.document_number:
        return change.document_number if change.document_number in stored else None
    if change.citation:
        hits = [n for n, o in stored.items() if n != number and " ".join((o.citation or "").split()) == change.citation]
        return hits[0] if len(hits) == 1 else None
    if change.published:
        day = change.published.isoformat()
        hits = [n for n, o in stored.items() if n != number and o.published == day and o.cfr_parts & s.cfr_parts
                and (not o.agencies or not s.agencies or o.agencies & s.agencies)]
        return hits[0] if len(hits) == 1 else None
    corrected = s.correction_of or s.doc.corrects
    return corrected if corrected in stored else None


def _named_rule(change) -> str:
    parts = [f"FR Doc. {change.document_number}" if change.document_number else "",
             change.citation or "", f"published {change.published.isoformat()}" if change.published else ""]
    return ", ".join(p for p in parts if p) or "nothing frtrack can match"


# ---------------------------------------------------------------- derivation

def _tables_of(state: State) -> set[str]:
    return {g.split(":")[0] for _, g in state}


def _baseline(versions: list[Version], day: str) -> Version | None:
    """The latest eCFR version on or before ``day``: what a prediction for that day stands on."""
    i = bisect.bisect_right([v.date for v in versions], day) - 1
    return versions[i] if i >= 0 else None


def _without_baseline(versions: list[Version], day: str, operations: tuple[Operation, ...]
                      ) -> tuple[tuple[Operation, ...], list[tuple[Operation, str]]]:
    """Split operations into those with an eCFR baseline of their table on ``day`` and held ones (with why).

    With no stored version of the table (the eCFR source never succeeded, or the
    rule takes effect before the first version), the delta of "revise the entry
    for Cambodia" is unknowable: applying it to an empty state would report
    every reprinted mark as added.
    """
    base = _baseline(versions, day)
    base_tables = _tables_of(base.state) if base else set()
    keep, held = [], []
    for op in operations:
        prefix = op_table_letter(op)
        if op.action in (Action.UNRECOGNIZED, Action.AMEND_TEXT) or prefix is None or prefix in base_tables:
            keep.append(op)
        else:
            name = op.table or f"Country Group {prefix}"
            held.append((op, f"no eCFR version of {name} on or before {day} to apply this rule to: "
                             f"its delta cannot be computed yet"))
    return tuple(keep), held


class Accepted(NamedTuple):
    """A suspect version re-baselined because the next version showed it again."""

    date: str
    reason: str                  # why it was suspect
    last_trusted: str            # the version it was compared with
    confirmed_by: str            # the date of the next version, which prints the same
    tables: tuple[str, ...]      # the group letters it changed ("A", "D" ...)


class Screening(NamedTuple):
    """What screen_versions decided about each eCFR version of the supplement.

    ``suspects``: (date, reason, last trusted date) of the versions held.
    """

    trusted: list[Version]
    suspects: list[tuple[str, str, str]]
    accepted: list[Accepted]


def screen_versions(versions: list[Version], rules: list["Rule"]) -> Screening:
    """Trusted versions, held (suspect) ones and suspect ones accepted on confirmation.

    Each version is compared with the last trusted one after applying the rules
    that took effect in between: what is then missing and no rule explains is
    suspect when it is a whole table, a whole column, or SUSPECT_REMOVALS
    memberships or more. A suspect version is left out of derivation, so the
    next version is compared with the last trusted one, unless the next version
    shows it again (re-baselining, see _shown_again): then it is accepted as of
    its own date and its deltas are derived like any version's. Without that, a
    real large change whose FR rule is held for review would make every later
    version suspect, and a genuine later removal would never be reported. A
    glitch the next version undoes stays suspect; the last version, with no
    next one yet, stays suspect until one comes.
    """
    if not versions:
        return Screening([], [], [])
    trusted, suspects, accepted = [versions[0]], [], []
    for i, cur in enumerate(versions[1:], start=1):
        prev, last = versions[i - 1], trusted[-1]
        expected, _ = apply_operations(last.state, _ops_between(rules, last.date, cur.date))
        reason = _suspicion(expected, cur.state)
        if reason:
            nxt = versions[i + 1] if i + 1 < len(versions) else None
            affected = _tables_of(expected - cur.state)
            if nxt is None or not _shown_again(cur, nxt, affected, rules):
                suspects.append((cur.date, reason, last.date))
                continue
            accepted.append(Accepted(cur.date, reason, last.date, nxt.date, tuple(sorted(affected))))
        if last is not prev and cur.table is not None and last.table is not None:
            cur = replace(cur, events=table_events(last.table, cur.table))   # events vs the last trusted one
        trusted.append(cur)
    return Screening(trusted, suspects, accepted)


def _ops_between(rules: list["Rule"], after: str, upto: str) -> list[Operation]:
    """The operations of the rules that take effect in (after, upto]."""
    return [op for r in rules if after < r.effective <= upto for op in r.operations]


def _shown_again(suspect: Version, nxt: Version, tables: set[str], rules: list["Rule"]) -> bool:
    """Does ``nxt`` print the ``tables`` the suspect version changed exactly as the suspect does?

    The rules that take effect between the two are applied to the suspect
    first. Two successive versions printing the same loss is the eCFR's own
    confirmation that it is the text, not a one-off rendering or fetch
    glitch; a difference in those tables (the loss undone, or another change
    in them) confirms nothing, and the next version is then screened itself.
    """
    after, _ = apply_operations(suspect.state, _ops_between(rules, suspect.date, nxt.date))

    def only(state: State) -> State:
        return frozenset(m for m in state if m[1].split(":")[0] in tables)

    return only(after) == only(nxt.state)


def _suspicion(expected: State, actual: State) -> str | None:
    """Why ``actual`` is not to be trusted against ``expected``, or None."""
    removed = expected - actual
    if not removed:
        return None
    reasons = []
    gone_tables = sorted(_tables_of(expected) - _tables_of(actual))
    for t in gone_tables:
        n = sum(1 for _, g in removed if g.split(":")[0] == t)
        reasons.append(f"the whole of Country Group {t} disappears ({n} memberships)")
    held = {g for _, g in actual}
    for code in sorted({g for _, g in expected} - held):
        if code.split(":")[0] not in gone_tables:
            n = sum(1 for _, g in removed if g == code)
            reasons.append(f"column {code} disappears ({n} memberships)")
    if reasons:
        return "; ".join(reasons) + " and no FR rule explains it"
    if len(removed) >= SUSPECT_REMOVALS:
        return f"{len(removed)} memberships removed at once and no FR rule explains them"
    return None


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

    originals = {r.number: r for r in rules if r.operations}
    for rule in rules:
        review.extend((rule.number, idx, text, reason) for idx, text, reason in rule.review)
        if not rule.operations:
            continue
        owner = rule.number
        corrected_by: tuple[str, ...] = ()
        effective = rule.effective
        if rule.corrects and rule.corrects in originals:
            owner, corrected_by = rule.corrects, (rule.number,)
            effective = originals[rule.corrects].effective
        day_before = (date.fromisoformat(effective) - timedelta(days=1)).isoformat()
        operations, held = _without_baseline(versions, day_before, rule.operations)
        for op, reason in held:
            idx = next((i for i, _t, ops in rule.instructions if op in ops), None)
            review.append((rule.number, idx, next((t for i, t, _o in rule.instructions if i == idx), op.text), reason))
        state = _state_at(versions, predicted_events, day_before)
        prediction = predict_detailed(state, operations)
        deltas = prediction.deltas
        for item in prediction.review:
            idx = next((i for i, _t, ops in rule.instructions if item.operation in ops), None)
            review.append((rule.number, idx, item.operation.text, item.reason.description))
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
            facts[key] = ChangeFact(key, d.country, d.group, d.action, effective, status, owner, ver, corrected_by,
                                    date_moves=rule.moved)
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
            ops, held = _without_baseline(versions, day, tuple(ops))
            review.extend((number, None, op.text, reason) for op, reason in held)
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


@dataclass(frozen=True)
class Divergence:
    """One D:5 / 126.1 disagreement over [since, until) (until exclusive; None while it holds)."""

    country: str                 # frtrack's one name for the country (parsers.countries)
    side: DivergenceSide
    kind: DivergenceKind
    moved_first: str             # 'itar' | 'ear' | 'unknown' (standing: before the first compared versions)
    since: str
    until: str | None
    opened_by: str | None        # 'ecfr:DATE' (a 126.1 or supplement version) | 'fr:DOC'
    closed_by: str | None


def _identity(name: str) -> str:
    """The name both lists are compared under: the country identity's name, else the name as printed."""
    return canonical_name(name) or name.strip()


def _kind(since: str, until: str | None, first: str, today: str) -> DivergenceKind:
    if since == first:
        return DivergenceKind.STANDING
    if since > today:
        return DivergenceKind.PENDING
    if until is not None and until <= today:
        return DivergenceKind.CLOSED
    return DivergenceKind.OPEN


def derive_divergences(memberships: list[tuple], itar: list[Version], *, today: str,
                       itar_known_until: str | None = None) -> list[Divergence]:
    """D:5 vs 22 CFR 126.1 disagreements, by country identity, from the first date both lists are known.

    ``memberships`` are (country, group, from, to, opened_by, closed_by) rows
    (future ones come from published rules not yet in effect); ``itar`` the
    126.1 versions, oldest first. A difference present on the first compared
    date is standing; one that begins after ``today`` is pending.
    ``itar_known_until``: the last day the stored 126.1 speaks for (the last
    successful eCFR fetch). A difference that would begin after it, up to
    today, is not derived: 126.1 may have moved too, unseen (a failed source
    must not raise "BIS moved first" alerts); it appears once 126.1 is read.
    """
    if not itar or not memberships:
        return []
    first = max(itar[0].date, min(m[2] for m in memberships))
    d5 = [(_identity(c), start, end, ob, cb) for c, g, start, end, ob, cb in memberships if g == "D:5"]
    boundaries = sorted({v.date for v in itar} | {s for _, s, _, _, _ in d5} | {e for _, _, e, _, _ in d5 if e}
                        | {first})
    boundaries = [b for b in boundaries if b >= first]
    idates = [v.date for v in itar]
    itar_names = [{_identity(c) for c, _ in v.state} for v in itar]

    def ear_set(day: str) -> dict[str, tuple[str, str | None]]:
        return {c: (ob, cb) for c, s, e, ob, cb in d5 if s <= day and (e is None or e > day)}

    def ended(country: str, day: str) -> str | None:
        return next((cb for c, s, e, ob, cb in d5 if c == country and e == day), None)

    out: list[Divergence] = []
    open_: dict[tuple[str, DivergenceSide], tuple[str, str, str | None]] = {}
    prev_itar: set[str] | None = None
    for day in boundaries:
        ear = ear_set(day)
        i = bisect.bisect_right(idates, day) - 1
        names, itar_src = itar_names[i], f"ecfr:{itar[i].date}"
        diff = {(c, DivergenceSide.EAR_ONLY) for c in set(ear) - names} | \
               {(c, DivergenceSide.ITAR_ONLY) for c in names - set(ear)}
        for key in sorted(diff - set(open_), key=lambda k: (k[0], k[1].value)):
            country, side = key
            if prev_itar is None:
                moved_first = "unknown"
                by = itar_src if side is DivergenceSide.ITAR_ONLY else ear[country][0]
            else:
                moved_first = "itar" if (country in prev_itar) != (country in names) else "ear"
                by = itar_src if moved_first == "itar" else (ear.get(country, (None, None))[0]
                                                             or ended(country, day))
            open_[key] = (day, moved_first, by)
        for key in sorted(set(open_) - diff, key=lambda k: (k[0], k[1].value)):
            start, moved_first, by = open_.pop(key)
            country = key[0]
            closer = ear[country][0] if country in ear else ended(country, day) or itar_src
            out.append(Divergence(country, key[1], _kind(start, day, first, today), moved_first, start, day,
                                  by, closer))
        prev_itar = names
    out.extend(Divergence(c, side, _kind(start, None, first, today), mf, start, None, by, None)
               for (c, side), (start, mf, by) in open_.items())
    if itar_known_until is not None:
        out = [d for d in out if not (itar_known_until < d.since <= today)]
    return sorted(out, key=lambda d: (d.since, d.country, d.side.value))


def _itar_known_until(db: Database, itar: list[Version]) -> str | None:
    """The last day stored 126.1 data covers: its newest version, or the last run whose eCFR fetch succeeded."""
    if not itar:
        return None
    row = db.execute("SELECT MAX(r.today) FROM source_fetches f JOIN runs r ON r.id = f.run_id"
                     " WHERE f.source = ? AND f.status = ?", [Source.ECFR.value, FetchStatus.OK.value]).fetchone()
    return max(itar[-1].date, row[0] or "")


def unresolved_itar_names(itar: list[Version]) -> list[tuple[str, str]]:
    """(version date, name) for each 126.1 name that resolves to no country: a review item, never a new country."""
    return unresolved_names(itar)


def unresolved_names(versions: list[Version]) -> list[tuple[str, str]]:
    """(first version date, name) for each stored name that resolves to no country, once each."""
    seen, out = set(), []
    for v in versions:
        for name, _ in sorted(v.state):
            if name not in seen and canonical_name(name) is None:
                seen.add(name)
                out.append((v.date, name))
    return out


def _announced(db: Database) -> list[tuple[str, str | None, list, tuple[Operation, ...]]]:
    """Per public-inspection document: stated changes and instruction operations from its raw text."""
    out = []
    for number, pub, sha in db.execute(
            "SELECT document_number, publication_date, text_sha256 FROM public_inspection"
            " WHERE text_sha256 IS NOT NULL AND withdrawn_at IS NULL"   # withdrawn before publication: announces nothing
            " ORDER BY document_number").fetchall():
        text = get_blob(db, sha)
        items, ops = list(announced_changes(text)), announced_operations(text)
        if items or ops:
            out.append((number, _announced_effective(text, pub), items, ops))
    return out


def _announced_effective(text: bytes, scheduled: str | None) -> str | None:
    """The date the public-inspection DATES text states ("[INSERT DATE 30 DAYS AFTER ...]" counts from the
    scheduled publication date); the scheduled publication date when it states none, and no date when
    what it states cannot be read exactly."""
    section = dates_section(text.decode("utf-8", errors="replace"))
    stated = read_effective(section, date.fromisoformat(scheduled) if scheduled else None)
    if stated.date is not None:
        return stated.date.isoformat()
    return None if stated.problems or stated.days_after_publication is not None else scheduled


# ---------------------------------------------------------------- sync

def derive(db: Database, *, today: date, run_id: int | None, everything: bool = False) -> DeriveReport:
    """Parse what is pending, then recompute and store all derived facts in one transaction."""
    report = DeriveReport()
    with db.atomic():
        parse_pending(db, report, everything=everything)
        rules = _rules(db)
        versions, suspects, accepted = screen_versions(_versions(db, "country_groups"), rules)
        itar = _versions(db, "itar_126_1")
        facts, review = derive_changes(versions, rules, _announced(db), today.isoformat())
        memberships = derive_memberships(versions, facts)
        divergences = derive_divergences(memberships, itar, today=today.isoformat(),
                                         itar_known_until=_itar_known_until(db, itar))
        review += _version_review(suspects, unresolved_itar_names(itar), unresolved_names(versions))
        review += _accepted_review(accepted)
        _sync_changes(db, facts, run_id, report)
        _replace(db, "memberships", ("country", "grp", "valid_from", "valid_to", "opened_by", "closed_by"), memberships)
        _replace(db, "divergences", ("country", "side", "kind", "moved_first", "opened_on", "closed_on", "opened_by",
                                     "closed_by"),
                 [(d.country, d.side.value, d.kind.value, d.moved_first, d.since, d.until, d.opened_by, d.closed_by)
                  for d in divergences])
        _sync_tables(db, versions)
        _sync_suspects(db, suspects)
        _sync_review(db, review, report)
        _mark_published(db)
    report.changes = len(facts)
    report.open_divergences = sum(1 for d in divergences if d.kind is DivergenceKind.OPEN)
    return report


SUPPLEMENT_UNIT = "15 CFR Supplement No. 1 to Part 740"


def _version_review(suspects: list[tuple[str, str, str]], unresolved: list[tuple[str, str]],
                    unresolved_groups: list[tuple[str, str]] = ()) -> list[tuple[str, int | None, str, str]]:
    """Review items about eCFR versions: document_number 'ecfr:DATE' (subject ecfr_version)."""
    out = [(f"ecfr:{day}", None, f"{SUPPLEMENT_UNIT} as of {day}",
            f"held as a suspect version: {reason}; its changes are not published and the next version is "
            f"compared with the last trusted one ({last}); a next version that shows it again accepts it")
           for day, reason, last in suspects]
    out += [(f"ecfr:{day}", None, f"22 CFR 126.1 as of {day}: {name!r}",
             "names no known country: compared under its printed name; check the spelling") for day, name in unresolved]
    out += [(f"ecfr:{day}", None, f"{SUPPLEMENT_UNIT} as of {day}: {name!r}",
             "a row names no known country: kept under its printed name; check the spelling")
            for day, name in unresolved_groups]
    return out


def _accepted_review(accepted: list[Accepted]) -> list[tuple[str, int | None, str, str]]:
    """One review item per suspect version accepted because the next version showed it again.

    Same document and text as the item that held it: _sync_review updates its reason.
    """
    return [(f"ecfr:{a.date}", None, f"{SUPPLEMENT_UNIT} as of {a.date}",
             f"accepted as of {a.date}: it was held as suspect ({a.reason}) and the next version ({a.confirmed_by})"
             f" shows {', '.join(f'Country Group {t}' for t in a.tables)} again as it does; its changes are reported"
             f" as of {a.date}, attributed to an FR rule where one explains them, else unattributed")
            for a in accepted]


def _sync_suspects(db: Database, suspects: list[tuple[str, str, str]]) -> None:
    held = {day: reason for day, reason, _ in suspects}
    for vid, day, old in db.execute("SELECT id, date, suspect FROM ecfr_versions WHERE kind = 'country_groups'").fetchall():
        if held.get(day) != old:
            db.execute("UPDATE ecfr_versions SET suspect = ? WHERE id = ?", [held.get(day), vid])


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
        if f.date_moves:
            _log_date_moves(db, old["id"] if old is not None else cur.lastrowid, f, now, run_id)
    for old in existing.values():   # no longer derived (e.g. a parser fix): withdrawn, its log kept
        if old["status"] == ChangeStatus.WITHDRAWN.value:
            continue
        db.execute("UPDATE changes SET status = ?, updated_at = ? WHERE id = ?",
                   [ChangeStatus.WITHDRAWN.value, now, old["id"]])
        db.execute("INSERT INTO change_status_log (change_id, status, at, run_id, note) VALUES (?,?,?,?,?)",
                   [old["id"], ChangeStatus.WITHDRAWN.value, now, run_id,
                    f"was {old['status']}; no longer derived from the stored documents"])
        report.status_moves.append(f"{old['country']} {old['action']} {old['grp']}: {old['status']} -> withdrawn")


def _log_date_moves(db: Database, change_id: int, f: ChangeFact, now: str, run_id: int | None) -> None:
    """One status-log row per effective-date move, so the history keeps the old date."""
    for note in f.date_moves:
        if not db.execute("SELECT 1 FROM change_status_log WHERE change_id = ? AND note = ?", [change_id, note]).fetchone():
            db.execute("INSERT INTO change_status_log (change_id, status, at, run_id, note) VALUES (?,?,?,?,?)",
                       [change_id, f.status.value, now, run_id, note])


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
    """Store review items (one per document, instruction and text); a changed reason is updated and reported."""
    keep = set()
    for number, idx, text, reason in review:
        if (number, idx, text) in keep:
            continue
        keep.add((number, idx, text))
        ecfr = number.startswith("ecfr:")
        held = db.execute("SELECT id, reason FROM review_items WHERE document_number = ? AND instruction_index IS ?"
                          " AND text = ?", [number, idx, text]).fetchone()
        if held is None:
            subject = ReviewSubject.ECFR_VERSION if ecfr else ReviewSubject.FR_DOCUMENT
            db.execute("INSERT INTO review_items (document_number, instruction_index, text, reason, created_at, subject)"
                       " VALUES (?,?,?,?,?,?)", [number, idx, text, reason, utcnow(db), subject.value])
        elif held[1] != reason:   # e.g. a suspect version since accepted: the item says so, and it is news
            db.execute("UPDATE review_items SET reason = ? WHERE id = ?", [reason, held[0]])
        else:
            continue
        report.review.append(review_line(number, idx, text, reason))
    for rid, number, idx, text in db.execute("SELECT id, document_number, instruction_index, text FROM review_items").fetchall():
        if (number, idx, text) not in keep:
            db.execute("DELETE FROM review_items WHERE id = ?", [rid])


def review_line(number: str, idx: int | None, text: str, reason: str) -> str:
    """One line of the run summary for a review item: the document, the instruction, why, the text (clipped)."""
    if number.startswith("ecfr:"):
        return f"eCFR version {number.removeprefix('ecfr:')}: {clip(text, 160)}: {reason}"
    where = "" if idx is None else f", instruction {idx + 1}"
    return f"FR Doc. {number}{where}: {reason}: {clip(text, 160)}"


def _mark_published(db: Database) -> None:
    db.execute("UPDATE public_inspection SET published = 1 WHERE published = 0 AND document_number IN"
               " (SELECT document_number FROM fr_documents)")
