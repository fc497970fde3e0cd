"""Amendatory instructions aimed at Supplement No. 1 to part 740 → Operations.

An AMDPAR is read in small ordered passes, each a plain function tested alone:

1. ``normalize``          typography: every quote style (“X”, ‘X’, GPO's ‘‘X’’,
                          straight quotes) becomes "X", an apostrophe inside a
                          name stays; dashes; the "3." numbering
2. ``target``             the unit the text amends, read outside quotes:
                          Supplement No. 1 to part 740 itself, another unit
                          (a section, another supplement), or none named. Only
                          the supplement produces operations: the text decides,
                          not GPO's REGTEXT PART attribute
3. ``split_clauses``      lettered sub-instructions "a. … b. …" and several
                          verbs in one sentence ("removing … and adding …")
4. ``classify``           the verb: revise/add/remove an entry, put an "X" in
                          or take it out of one column, revise a whole table,
                          amend words/footnotes only
5. ``find_table`` / ``find_columns`` / ``find_countries``   "Country Group D",
                          "D:5", the names (quoted, or "the entry for X"; "X"
                          is a mark, never a country)
6. ``attach_entries``     the reprinted GPOTABLE row(s) → marks per column code
7. ``interpret``          the chain for one AMDPAR, producing Operations;
   ``interpret_sequence`` the AMDPARs of one REGTEXT together, so a header
                          ("… is amended by:") gives its context to the
                          lettered AMDPARs after it and a sentence continued in
                          the next AMDPAR keeps its subject

Wording aimed at the supplement that no pass understands becomes an
Action.UNRECOGNIZED operation carrying the text; an operation whose effect
cannot be determined exactly (a whole-table revision without the table, an
added entry without its row, a name that resolves to no country) carries a
``ReviewReason``. Neither is ever applied, neither is silently dropped.
"""
from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from parsers.countries import canonical_name, country_key, resolve, split_country, split_name_list
from parsers.model import (
    GROUP_CODES,
    MIN_B_NAMES,
    MIN_ROWS,
    TABLE_OF_CODE,
    Action,
    Entry,
    GroupTableId,
    Operation,
    ReprintedTable,
    ReviewReason,
    column_code,
)
from parsers.text import ROMAN_NUMERALS, split_lettered

_DOUBLE_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"'})
_OPEN, _CLOSE = "\x01", "\x02"         # single quotes while they are being paired
_NUMBERING = re.compile(r"^\s*\d+[a-z]?\.\s+")
_SUPPLEMENT = re.compile(r"supplement\s+no\.?\s*1\s+to\s+part\s+740", re.IGNORECASE)
_COUNTRY_GROUP = re.compile(r"country\s+groups?\s+([ABDE])(?::\s*(\d))?\b", re.IGNORECASE)
_CODE = re.compile(r"(?<![\w:])\[?([ADE])\s*:\s*([1-6])\]?(?![\w:])", re.IGNORECASE)
_VERB_SPLIT = re.compile(
    r"(?:;\s*(?:and\s+)?|,?\s+and\s+)(?:by\s+)?(?=(?:removing|adding|revising|amending|redesignating|correcting)\b)",
    re.IGNORECASE,
)
_VERB = re.compile(
    r"\b(?P<revise>revis(?:e|es|ed|ing)|correct(?:s|ed|ing)?)\b|\b(?P<add>add(?:s|ed|ing)?)\b|"
    r"\b(?P<remove>remov(?:e|es|ed|ing)|delet(?:e|es|ed|ing))\b",
    re.IGNORECASE,
)
_TEXT_ONLY = re.compile(r"\b(?:words?|phrases?|footnotes?|notes?|heading|sentences?|parenthetical|reference)\b",
                        re.IGNORECASE)
_WHOLE_TABLE = re.compile(r"read as follows|\btable\b", re.IGNORECASE)
# An "X" mark, or a column named by its code ("the D:5 column"); "in the second column" of a page is neither.
_MARK = re.compile(r"\"Xs?\"s?|\b[ADE]\s*:\s*\d\]?\"?\s+columns?\b|\bcolumns?\s+\"?\[?[ADE]\s*:\s*\d|\bmarks?\b",
                   re.IGNORECASE)
_REPRINT = re.compile(r"read as follows|following entr|in (?:its|their) place", re.IGNORECASE)
_FOLLOWING = re.compile(r"\bfollowing\s+entr(?:y|ies)\b", re.IGNORECASE)
_UNQUOTED_MOVE = re.compile(
    r"\b(?:adding|removing|revising|add|remove|revise)\b\s*,?\s*(?:in alphabetical order\s*,?\s*)?"
    r"(?!the\b|an?\b|entr|country group|in\b)([A-Z][\w'(),. -]*?)\s+(?:to|from|in)\s+(?:the\s+)?country\s+group",
    re.IGNORECASE,
)
_ENTRY = re.compile(r"\bentr(?:y|ies)\b", re.IGNORECASE)
_ENTRY_FOR_QUOTED = re.compile(r"\bentry\s+for\s+\"([^\"]+)\"", re.IGNORECASE)
_QUOTED = re.compile(r"\"([^\"]+)\"")
_UNQUOTED_ENTRY = re.compile(
    r"\b(?:entr(?:y|ies)|columns?|rows?)(?:\s+[ADE]\s*:\s*\d)?\s+for\s+(?!the\b)(.+?)(?:\s+(?:in|to|from|under|of)\s+|[;:,.]?\s*$)",
    re.IGNORECASE)
_CORRECTS = re.compile(r"\bIn\s+FR\s+Doc\.?\s+(?:No\.\s*)?(\d{2,4}[-\u2013]\d{3,6})", re.IGNORECASE)
_ACTION_OF = {"revise": Action.REVISE_ENTRY, "add": Action.ADD_ENTRY, "remove": Action.REMOVE_ENTRY}
_MARK_OF = {"add": Action.ADD_MARK, "remove": Action.REMOVE_MARK}
# The units an instruction can amend. A whole part ("Amend part 740 by:") decides nothing.
_UNIT = re.compile(
    r"(?P<supplement>supplement\s+no\.?\s*(?P<number>\d+)\s+to\s+(?:part\s+(?P<of>\d+)|(?P<this>this\s+part)))"
    r"|(?P<section>\u00a7\u00a7?\s*\d+\.\d+|\bsections?\s+\d+\.\d+)"
    r"|(?P<appendix>\bappendix\s+\w+\s+to\s+part\s+\d+)",
    re.IGNORECASE,
)
_PARAGRAPH = re.compile(r"\bparagraphs?\s*\(|\u00a7", re.IGNORECASE)
# "before the entry for “Niger”" places an entry; it names no country the clause changes.
_POSITION = re.compile(r"\b(?:immediately\s+)?(?:before|after|following|preceding)\s+the\s+entry\s+for\s+\"[^\"]*\"",
                       re.IGNORECASE)
_IN_PLACE = re.compile(r"\bin\s+(?:its|their)\s+place\b", re.IGNORECASE)
_NOT_NAMES = re.compile(r"^(?:Xs?|[ABDE]\s*:\s*\d|\[[ABDE]\s*:\s*\d\].*|country\s+groups?\b.*)$", re.IGNORECASE)


# -- pass 1 ---------------------------------------------------------------
def _pair_single_quotes(text: str) -> str:
    """‘X’ and 'X' → "X"; the apostrophe of d’Ivoire or Architect's is left alone."""
    text = text.replace("\u2018", _OPEN)
    text = re.sub(r"(?<=\w)\u2019(?=\w)", "'", text)
    text = text.replace("\u2019", _CLOSE)
    text = re.sub(r"(?:(?<=^)|(?<=[\s(\[\u2014-]))'(?=\S)", _OPEN, text)
    text = re.sub(r"(?<=\S)'(?=[\s,.;:)\]\u2014-]|$)", _CLOSE, text)
    text = re.sub(f"{_OPEN}([^{_OPEN}{_CLOSE}\"]*){_CLOSE}", r'"\1"', text)
    return text.replace(_OPEN, "'").replace(_CLOSE, "'")


def normalize(text: str) -> str:
    """Straight double quotes for every quote style, single spaces, the instruction's own number removed."""
    text = " ".join(text.split())
    # GPO prints a double quote as two single ones: ‘‘X’’ (also typed ''X'').
    text = text.replace("\u2018\u2018", '"').replace("\u2019\u2019", '"').replace("''", '"')
    text = _pair_single_quotes(text.translate(_DOUBLE_QUOTES))
    return _NUMBERING.sub("", text)


def _bare(text: str) -> str:
    """The text with quoted words blanked: what the instruction says, not the words it changes."""
    return _QUOTED.sub('""', text)


# -- pass 2 ---------------------------------------------------------------
class Target(enum.Enum):
    """The unit an instruction amends."""

    SUPPLEMENT = "supplement"     # Supplement No. 1 to part 740 itself
    GUESSED = "guessed"           # none named, but a Country Group in part 740: held for review, never applied
    OTHER = "other"               # a section, an appendix, another supplement
    UNSAID = "unsaid"             # no unit named (or only a whole part)


def target(text: str, part: str | None = None) -> Target:
    """The first unit the text names outside quotes: a quoted "Supplement No. 1 …" is words, not a target."""
    match = _UNIT.search(_bare(text))
    if match is None:
        return Target.UNSAID
    if match.group("supplement"):
        of = match.group("of") or (part if match.group("this") else None)
        return Target.SUPPLEMENT if match.group("number") == "1" and of == "740" else Target.OTHER
    return Target.OTHER


def _fallback_target(text: str, part: str | None) -> Target:
    """No unit named anywhere: in part 740, a Country Group with no paragraph or section is *probably* the
    supplement -- a guess, so its operations are held for review (Target.GUESSED), never applied."""
    bare = _bare(text)
    if part == "740" and _COUNTRY_GROUP.search(text) and not _PARAGRAPH.search(bare):
        return Target.GUESSED
    return Target.UNSAID


def is_tracked(text: str, part: str | None) -> bool:
    """Does this instruction (or one of its clauses) aim at Supplement No. 1 to part 740?"""
    header, clauses = split_clauses(text)
    running = target(header, part) if header else Target.UNSAID
    for clause in clauses:
        own = target(clause, part)
        decided = own if own is not Target.UNSAID else running
        if decided is Target.UNSAID:
            decided = _fallback_target(clause, part)
        if decided in (Target.SUPPLEMENT, Target.GUESSED):
            return True
    return False


# -- pass 3 ---------------------------------------------------------------
def split_parts(text: str) -> tuple[str, list[list[str]]]:
    """The header and, per lettered part, its single-verb clauses.

    A list header ("removing the following entries from Country Group D:")
    lends its verb to lettered parts that are bare names ("a. “Cyprus”").
    """
    header, parts = split_lettered(text)
    grouped: list[list[str]] = []
    for part in parts:
        if header and not _VERB.search(_bare(part)) and _VERB.search(_bare(header)):
            grouped.append([f"{header} {part}"])
            continue
        grouped.append([c.strip() for c in _VERB_SPLIT.split(part) if c.strip()])
    return header, grouped


def split_clauses(text: str) -> tuple[str, list[str]]:
    """The header and every single-verb clause of an instruction."""
    header, grouped = split_parts(text)
    return header, [clause for clauses in grouped for clause in clauses]


# -- pass 4 ---------------------------------------------------------------
def classify(clause: str) -> Action | None:
    """The action a single clause performs, or None when its wording is not understood."""
    bare = _bare(clause)
    verb = _VERB.search(bare)
    if verb is None:
        return None
    if _TEXT_ONLY.search(bare):
        return Action.AMEND_TEXT
    kind = verb.lastgroup
    if kind is None:               # (never: every alternative of _VERB is a named group)
        return None
    if _MARK.search(clause):       # an "X" in a column: one mark, not the row
        return _MARK_OF.get(kind)
    if kind in _MARK_OF and find_columns(clause) and not (kind == "add" and _REPRINT.search(clause)):
        return _MARK_OF[kind]      # "removing Cambodia from Country Group D:5": that column only
    if _ENTRY.search(bare):
        return _ACTION_OF[kind]
    if kind == "revise" and _COUNTRY_GROUP.search(clause) and _WHOLE_TABLE.search(bare):
        return Action.REVISE_TABLE
    if kind in ("add", "remove") and find_countries(clause) and _COUNTRY_GROUP.search(clause):
        return _ACTION_OF[kind]
    if kind == "add" and _IN_PLACE.search(clause):
        return Action.ADD_ENTRY
    return None


# -- pass 5 ---------------------------------------------------------------
def find_table(clause: str) -> str | None:
    """"Country Group D" for a clause naming it (also via "Country Group D:5" or "the D:5 column")."""
    match = _COUNTRY_GROUP.search(clause)
    if match:
        return f"Country Group {match.group(1).upper()}"
    columns = find_columns(clause)
    return TABLE_OF_CODE.get(columns[0]) if columns else None


def find_columns(clause: str) -> tuple[str, ...]:
    """The column codes a clause names, in order: ("D:3", "D:4") from "the D:3 and D:4 columns"."""
    codes = [f"{m.group(1).upper()}:{m.group(2)}" for m in _CODE.finditer(clause)]
    return tuple(dict.fromkeys(c for c in codes if c in TABLE_OF_CODE))


def find_names(clause: str) -> tuple[str, ...]:
    """The country names a clause prints, quotes removed: quoted first, else "entry for X in …"."""
    clause = _POSITION.sub("", clause)
    quoted = [q.strip(" ,;") for q in _QUOTED.findall(clause)]
    names = [q for q in quoted if q and not _NOT_NAMES.match(q) and not _SUPPLEMENT.search(q)]
    if names:
        return tuple(dict.fromkeys(names))
    bare = _bare(clause)
    match = _UNQUOTED_ENTRY.search(bare) or _UNQUOTED_MOVE.search(bare)
    if not match:
        return ()
    found = [n.strip(" \"'") for n in split_name_list(match.group(1))]
    return tuple(dict.fromkeys(n for n in found if n and not _NOT_NAMES.match(n)))


def find_countries(clause: str) -> tuple[str, ...]:
    """The names a clause prints, footnote digits and typography removed ("Iraq" from "Iraq 3")."""
    return tuple(dict.fromkeys(split_country(n)[0] for n in find_names(clause)))


# -- pass 6 ---------------------------------------------------------------
def table_codes(table: ReprintedTable, letter: str | None) -> tuple[str | None, ...]:
    """Column codes for a reprinted table's heads (the first, "Country", is None)."""
    codes = tuple(column_code(h) for h in table.column_heads)
    if any(codes):
        return codes
    # Heads printed without codes: assume the supplement's own column order.
    if letter:
        printed = tuple(c for c in GROUP_CODES if c.startswith(letter + ":"))
        if len(table.column_heads) == len(printed) + 1:
            return (None, *printed)
    return codes


def _table_letter(table: ReprintedTable) -> str | None:
    found = find_table(table.title or "")
    if found:
        return found[-1]
    for head in table.column_heads:
        code = column_code(head)
        if code:
            return code[0]
    return None


def _row_entry(row: tuple[str, ...], codes: tuple[str | None, ...]) -> Entry:
    country, footnotes = split_country(row[0])
    country = country_key(country)     # rows are stored under the country identity, as the eCFR parser does
    marks = tuple((code, cell.strip().upper().startswith("X"))
                  for code, cell in zip(codes[1:], row[1:], strict=False) if code)
    return Entry(country=country, printed=row[0], marks=marks, footnotes=footnotes)


def _same(a: str, b: str) -> bool:
    return a == b or (canonical_name(a) or a) == (canonical_name(b) or b)


def _reprinted_rows(table: str | None, tables: tuple[ReprintedTable, ...]
                    ) -> Iterator[tuple[list[tuple[str, ...]], tuple[str | None, ...], ReprintedTable]]:
    """(rows, column codes, reprint) of each reprinted table that may belong to ``table``."""
    table_id = GroupTableId.of_title(table)
    letter = table_id.value if table_id else None
    for reprint in tables:
        reprint_letter = _table_letter(reprint)
        if letter and reprint_letter and reprint_letter != letter:
            continue
        codes = table_codes(reprint, letter or reprint_letter)
        if any(codes):
            yield [r for r in reprint.rows if r and r[0].strip()], codes, reprint


def attach_entries(action: Action, table: str | None, country: str | None,
                   tables: tuple[ReprintedTable, ...]) -> tuple[Entry, ...]:
    """The reprinted row(s) an operation carries: the country's row, or all rows."""
    for rows, codes, _reprint in _reprinted_rows(table, tables):
        if action is Action.REVISE_TABLE:
            return tuple(_row_entry(r, codes) for r in rows)
        for row in rows:
            if country and _same(split_country(row[0])[0], country):
                return (_row_entry(row, codes),)
    if GroupTableId.of_title(table) is GroupTableId.B and action is Action.ADD_ENTRY and country:
        return (Entry(country=country, printed=country, marks=(("B", True),)),)
    return ()


def _reprinted_names(table: str | None, tables: tuple[ReprintedTable, ...]) -> tuple[str, ...]:
    """Every country of the reprinted rows: "adding the following entries … to read as follows:"."""
    for rows, _codes, _reprint in _reprinted_rows(table, tables):
        return tuple(r[0] for r in rows)
    return ()


def whole_table(table: str | None, tables: tuple[ReprintedTable, ...]) -> tuple[tuple[Entry, ...], ReviewReason | None]:
    """The rows of a whole-table revision, and why they are not the exact new table (None when they are).

    The revision replaces every row, so it is exact only when the reprint is
    the complete table: no row elided ("* * *"), every name a country, and at
    least as many rows as any real version of that table prints.
    """
    for rows, codes, reprint in _reprinted_rows(table, tables):
        entries = tuple(_row_entry(r, codes) for r in rows)
        name = table or (f"Country Group {_table_letter(reprint)}" if _table_letter(reprint) else None)
        minimum = MIN_B_NAMES if name == "Country Group B" else MIN_ROWS.get(name or "", 0)
        if not entries:
            break
        if reprint.elided or len(entries) < minimum:
            return entries, ReviewReason.TABLE_INCOMPLETE
        if any(resolve(split_country(r[0])[0]) is None for r in rows):
            return entries, ReviewReason.UNKNOWN_COUNTRY
        return entries, None
    return (), ReviewReason.TABLE_NOT_REPRINTED


# -- pass 7 ---------------------------------------------------------------
@dataclass(frozen=True)
class Context:
    """What an AMDPAR inherits from the AMDPARs before it in its REGTEXT."""

    target: Target = Target.UNSAID
    table: str | None = None
    listing: str | None = None        # "removing the following entries from Country Group D:" awaiting names
    countries: tuple[str, ...] = ()   # the names last operated on, for "adding in its place"


@dataclass(frozen=True)
class Reading:
    """One AMDPAR read in its context: its operations, and what it leaves to the AMDPARs after it."""

    operations: tuple[Operation, ...]
    header: Context | None = None     # set when the AMDPAR only introduces parts ("… is amended by:")
    tail: Context = field(default_factory=Context)
    supplement_named: bool = False    # the header amends the supplement (for a header whose parts never come)


def _resolved(printed: str) -> tuple[str, ReviewReason | None]:
    """frtrack's canonical name for a printed name, or the printed name and UNKNOWN_COUNTRY."""
    name = split_country(printed)[0]
    canonical = canonical_name(name)
    return (canonical, None) if canonical else (name, ReviewReason.UNKNOWN_COUNTRY)


def _is_header(text: str) -> bool:
    """An AMDPAR that only introduces what follows: "2. Supplement No. 1 to part 740 is amended by:"."""
    stripped = text.rstrip()
    return stripped.endswith((":", "\u2014", " by", "-")) and not _VERB.search(_bare(text))


def _is_listing(text: str) -> bool:
    """"removing the following entries from Country Group D:" with the names still to come."""
    return (text.rstrip().endswith(":") and bool(_FOLLOWING.search(text)) and not find_names(text)
            and bool(_VERB.search(_bare(text))))


def _named_targets(clause: str, letters: bool) -> list[tuple[int, str]]:
    """(position, target) of each column code ("D:5") -- or, with ``letters``, each table letter -- in the clause."""
    if not letters:
        return [(m.start(), f"{m.group(1).upper()}:{m.group(2)}") for m in _CODE.finditer(clause)
                if f"{m.group(1).upper()}:{m.group(2)}" in TABLE_OF_CODE]
    found = [(m.start(), m.group(1).upper()) for m in _COUNTRY_GROUP.finditer(clause)]
    found += [(m.start(), m.group(1).upper()) for m in _CODE.finditer(clause)]
    return sorted(found)


def pair_targets(clause: str, names: tuple[str, ...], *, letters: bool = False
                 ) -> list[tuple[str, tuple[str, ...]]] | None:
    """Each name with the columns (or table letters) that are its own; None when that is not certain.

    One name takes every target, one target every name. Several of each pair
    only when each quoted name is followed by its own targets before the next
    name ("“Cambodia” from D:5 and “Burma” from D:1"); "“Cambodia” and “Burma”
    from D:1 and D:5" is not certain, and is never cross-multiplied.
    """
    text = _POSITION.sub("", clause)
    spots = _named_targets(text, letters)
    distinct = tuple(dict.fromkeys(t for _p, t in spots))
    if len(names) <= 1 or len(distinct) <= 1:
        return [(n, distinct) for n in names]
    places = [(m.start(), m.end(), m.group(1).strip(" ,;")) for m in _QUOTED.finditer(text)]
    places = [(a, b, n) for a, b, n in places if n in names]
    if [n for _a, _b, n in places] != list(names) or (spots and spots[0][0] < places[0][0]):
        return None
    paired = []
    for i, (_a, after, name) in enumerate(places):
        upto = places[i + 1][0] if i + 1 < len(places) else len(text)
        own = tuple(dict.fromkeys(t for p, t in spots if after <= p < upto))
        if not own:
            return None
        paired.append((name, own))
    return paired


def _held(made: list[Operation], reason: ReviewReason, printed: str | None = None) -> Operation:
    """A clause's operations as one operation held for review: a person reads the clause, never a part of it."""
    first = made[0]

    def single(values: Iterable[str | None]) -> str | None:
        distinct = set(values)
        return distinct.pop() if len(distinct) == 1 else None
    return Operation(first.action, single(o.table for o in made), single(o.country for o in made), text=first.text,
                     corrects=first.corrects, column=single(o.column for o in made),
                     printed=printed if printed is not None else single(o.printed for o in made), review=reason)


def _clause_operations(clause: str, action: Action | None, table: str | None, inherited_table: str | None,
                       tables: tuple[ReprintedTable, ...], previous: tuple[str, ...],
                       corrects: str | None) -> tuple[list[Operation], tuple[str, ...]]:
    """The operations of one single-verb clause aimed at the supplement, and the names it used."""
    def op(act: Action, tbl: str | None, country: str | None = None, **kw: Any) -> Operation:
        return Operation(act, tbl, country, text=clause, corrects=corrects, **kw)

    if action is None:
        return [op(Action.UNRECOGNIZED, table or inherited_table, review=ReviewReason.UNRECOGNIZED_WORDING)], previous
    if action is Action.REVISE_TABLE:
        entries, review = whole_table(table, tables)
        return [op(action, table, entries=entries, review=review)], previous
    if action is Action.AMEND_TEXT:
        # Quoted strings here are usually the words changed; only "the entry for X" names a country.
        entry = _ENTRY_FOR_QUOTED.search(clause)
        country = _resolved(entry.group(1))[0] if entry else None
        return [op(action, table or inherited_table, country, printed=entry.group(1) if entry else None)], previous
    names = find_names(clause)
    if not names and _IN_PLACE.search(clause):
        names = previous          # "removing the entry for X and adding in its place ..."
    if not names and action in (Action.ADD_ENTRY, Action.REVISE_ENTRY) and _FOLLOWING.search(clause):
        names = _reprinted_names(table, tables)
    if not names:
        return [op(Action.UNRECOGNIZED, table or inherited_table, review=ReviewReason.NO_COUNTRY)], previous
    marks = action in (Action.ADD_MARK, Action.REMOVE_MARK)
    if marks and not find_columns(clause):
        return [op(Action.UNRECOGNIZED, table or inherited_table, review=ReviewReason.NO_COLUMN)], names
    paired = pair_targets(clause, names, letters=not marks)
    if paired is None:
        columns = find_columns(clause)
        held = op(action, table or inherited_table, column=columns[0] if len(columns) == 1 else None,
                  review=ReviewReason.NAMES_NOT_PAIRED)
        return [held], names
    unknown = [p for p in names if _resolved(p)[1] is not None]
    operations: list[Operation] = []
    for printed, targets in paired:
        country, _review = _resolved(printed)
        if marks:
            operations.extend(op(action, TABLE_OF_CODE[c], country, column=c, printed=printed) for c in targets)
            continue
        own_tables: list[str | None] = [f"Country Group {t}" for t in targets] or [table]
        for own in own_tables:
            operations.append(_entry_operation(op, action, own, inherited_table, country, printed, tables))
    if unknown:               # one name that is no country holds the whole clause: never a part of it
        return [_held(operations, ReviewReason.UNKNOWN_COUNTRY, ", ".join(unknown))], names
    return operations, names


def _entry_operation(op: Callable[..., Operation], action: Action, table: str | None, inherited_table: str | None, country: str,
                     printed: str, tables: tuple[ReprintedTable, ...]) -> Operation:
    """An add/revise/remove of one country's entry, with its reprinted row where one is needed."""
    entries = attach_entries(action, table, country, tables) if action is not Action.REMOVE_ENTRY else ()
    # "revising the entry for X to read as follows:" names no table; the reprinted row's columns do.
    named = (table or (TABLE_OF_CODE.get(entries[0].marks[0][0]) if entries and entries[0].marks else None)
             or inherited_table)
    review = None
    if action in (Action.ADD_ENTRY, Action.REVISE_ENTRY) and not entries:
        review = ReviewReason.ROW_NOT_REPRINTED
    if review is None and named is None:
        review = ReviewReason.NO_TABLE
    return op(action, named, country, entries=entries, printed=printed, review=review)


def read(text: str, tables: tuple[ReprintedTable, ...] = (), *, part: str | None = None,
         corrects: str | None = None, context: Context = Context()) -> Reading:
    """One AMDPAR in the context the AMDPARs before it give: its operations and what it passes on."""
    text = normalize(text)
    if context.listing and not _VERB.search(_bare(text)) and find_names(text):
        text = f"{context.listing} {text}"     # "a. “Cyprus”; and" under a list header
    correction = _CORRECTS.search(text)
    corrects = correction.group(1).replace("\u2013", "-") if correction else corrects
    header, grouped = split_parts(text)
    own = target(header, part) if header else Target.UNSAID
    running = own if own is not Target.UNSAID else context.target
    header_table = find_table(header) if header else None
    running_table = header_table or context.table
    listing = _is_listing(text) and not tables    # with a reprinted table, the names are its rows
    if _is_header(text) or listing:
        decided = target(text, part)
        decided = decided if decided is not Target.UNSAID else (context.target if context.target is not
                                                                Target.UNSAID else _fallback_target(text, part))
        header_context = Context(decided, find_table(text) or context.table, text.rstrip(" :") if listing else None)
        return Reading((), header_context, header_context, decided in (Target.SUPPLEMENT, Target.GUESSED))
    operations: list[Operation] = []
    previous = context.countries
    part_target, part_table = running, running_table
    for clause, first in ((c, i == 0) for clauses in grouped for i, c in enumerate(clauses)):
        if first and header:   # a lettered part inherits from the header, not from the part before it
            part_target, part_table = running, running_table
        decided = target(clause, part)
        if decided is Target.UNSAID:
            decided = part_target if part_target is not Target.UNSAID else _fallback_target(clause, part)
        part_target = decided
        own_table = find_table(clause) or header_table
        if decided not in (Target.SUPPLEMENT, Target.GUESSED):
            continue  # a clause amending some other unit: § 740.2, a paragraph, another supplement
        made, previous = _clause_operations(clause, classify(clause), own_table, part_table or running_table,
                                            tables, previous, corrects)
        if decided is Target.GUESSED and made:
            made = [_held(made, next((o.review for o in made if o.review), ReviewReason.NO_UNIT))]
        operations.extend(made)
        part_table = next((o.table for o in reversed(made) if o.table), part_table)
    tail = Context(part_target, part_table, None, previous)
    return Reading(tuple(operations), None, tail, False)


def interpret(text: str, tables: tuple[ReprintedTable, ...] = (), *, title: int | None = None,
              part: str | None = None, corrects: str | None = None) -> tuple[Operation, ...]:
    """Operations for one AMDPAR read alone; () when it does not amend Supplement No. 1 to part 740."""
    return interpret_sequence([(text, tables)], title=title, part=part, corrects=corrects)[0]


# Labels of AMDPARs: "2." numbered, "a." lettered, "ii." roman (under a lettered header).
_LABEL = re.compile(r"^\s*(?:(?P<number>\d+[a-z]?)|(?P<letter>[a-z])|(?P<roman>[ivx]+))\.\s+")


def _level(text: str, roman_open: bool, expected_roman: str) -> int | None:
    """0 for "2.", 1 for "a.", 2 for "i." under a lettered header; None when unlabeled."""
    match = _LABEL.match(text)
    if match is None:
        return None
    if match.group("number"):
        return 0
    label = match.group("letter") or match.group("roman")
    if roman_open and label == expected_roman:
        return 2
    return 1 if match.group("letter") else 2


def _continues(previous: str, text: str) -> bool:
    """Is ``text`` the rest of a sentence the previous AMDPAR left open ("… in Country Group D and")?"""
    ended = previous.rstrip()
    if not ended or ended.endswith((".", ":")) or _LABEL.match(text):
        return False
    start = text.lstrip()
    return bool(start) and (start[0].islower() or start.startswith(("by ", "and ")))


def interpret_sequence(amdpars: Sequence[tuple[str, tuple[ReprintedTable, ...]]], *, title: int | None = None,
                       part: str | None = None, corrects: str | None = None) -> tuple[tuple[Operation, ...], ...]:
    """Operations for each AMDPAR of one REGTEXT, read in order so context carries from one to the next.

    A header ("2. Supplement No. 1 to part 740 is amended by:") gives its
    unit and table to the lettered ("a.") and roman ("i.") AMDPARs after it
    and yields nothing itself, unless no part ever follows (then it is
    unrecognized wording). A numbered AMDPAR starts afresh.
    """
    if title not in (None, 15):
        return tuple(() for _ in amdpars)
    results: list[tuple[Operation, ...]] = []
    headers: dict[int, tuple[int, Context]] = {}   # level -> (index of the header AMDPAR, its context)
    used: set[int] = set()
    supplement_headers: dict[int, str] = {}
    previous_text, previous_tail, previous_level = "", Context(), 0
    romans = 0                                     # roman items read under the open lettered header
    for index, (raw, tables) in enumerate(amdpars):
        text = " ".join(raw.split())
        roman_open = 1 in headers
        expected = ROMAN_NUMERALS[romans] if romans < len(ROMAN_NUMERALS) else ""
        level = _level(text, roman_open, expected)
        romans = romans + 1 if level == 2 else (0 if level is not None and level < 2 else romans)
        if level is None and _continues(previous_text, text):
            context, level = previous_tail, previous_level
        else:
            if level is None:
                level = max(headers) + 1 if headers else 0
            for deeper in [lv for lv in headers if lv >= level]:
                del headers[deeper]
            parent = max(headers) if headers else None
            context = headers[parent][1] if parent is not None else Context()
            if parent is not None:
                used.add(headers[parent][0])
            context = replace(context, countries=())
        reading = read(_LABEL.sub("", text, count=1), tables, part=part, corrects=corrects, context=context)
        if reading.header is not None:
            headers[level] = (index, reading.header)
            if reading.supplement_named:
                supplement_headers[index] = normalize(text)
        results.append(reading.operations)
        previous_text, previous_tail, previous_level = text, reading.tail, level
    for index, text in supplement_headers.items():
        if index not in used:   # a header whose parts never came: a person must look
            results[index] = (Operation(Action.UNRECOGNIZED, find_table(text), None, text=text, corrects=corrects,
                                        review=ReviewReason.UNRECOGNIZED_WORDING),)
    return tuple(results)
