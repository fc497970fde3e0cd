"""Amendatory instructions aimed at Supplement No. 1 to part 740 → Operations.

An AMDPAR is read in small ordered passes, each a plain function tested alone:

1. ``normalize``          typography (curly quotes, dashes, the "3." numbering)
2. ``split_clauses``      lettered sub-instructions "a. … b. …" and several
                          verbs in one sentence ("removing … and adding …")
3. ``classify``           the verb: revise/add/remove an entry, revise a whole
                          table, amend words/footnotes only
4. ``find_table`` / ``find_countries``   "Country Group D", the quoted names
5. ``attach_entries``     the reprinted GPOTABLE row(s) → marks per column code
6. ``interpret``          the chain, producing Operations

Wording aimed at a tracked table that no pass understands becomes an
Action.UNRECOGNIZED operation carrying the text: never silently dropped.
"""
from __future__ import annotations

import re

from parsers.countries import country_key, split_country, split_name_list
from parsers.model import GROUP_CODES, TABLE_OF_CODE, Action, Entry, Operation, ReprintedTable

_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "\u201e": '"'})
_NUMBERING = re.compile(r"^\s*\d+[a-z]?\.\s+")
_SUPPLEMENT = re.compile(r"supplement\s+no\.?\s*1\s+to\s+part\s+740", re.IGNORECASE)
_COUNTRY_GROUP = re.compile(r"country\s+groups?\s+([ABDE])(?::\s*(\d))?\b", re.IGNORECASE)
_LETTER = re.compile(r"(?:(?<=\s)|(?<=^)|(?<=:)|(?<=;))([a-z])\.\s+(?=[A-Z\"'])")
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
_UNQUOTED_MOVE = re.compile(
    r"\b(?:adding|removing|revising|add|remove|revise)\s*,?\s*(?:in alphabetical order\s*,?\s*)?"
    r"(?!the\b|an?\b|entr|country group|in\b)([A-Z][\w'(),. -]*?)\s+(?:to|from|in)\s+(?:the\s+)?country\s+group",
    re.IGNORECASE,
)
_ENTRY = re.compile(r"\bentr(?:y|ies)\b", re.IGNORECASE)
_ENTRY_FOR_QUOTED = re.compile(r"\bentry\s+for\s+\"([^\"]+)\"", re.IGNORECASE)
_QUOTED = re.compile(r"\"([^\"]+)\"")
_UNQUOTED_ENTRY = re.compile(
    r"\bentr(?:y|ies)\s+for\s+(.+?)(?:\s+(?:in|to|from|under|of)\s+|[;:,.]?\s*$)", re.IGNORECASE)
_CORRECTS = re.compile(r"\bIn\s+FR\s+Doc\.?\s+(?:No\.\s*)?(\d{2,4}[-\u2013]\d{3,6})", re.IGNORECASE)
_CODE_IN_HEAD = re.compile(r"\[?\s*([ABDE])\s*:\s*(\d)\s*\]?")
_ACTION_OF = {"revise": Action.REVISE_ENTRY, "add": Action.ADD_ENTRY, "remove": Action.REMOVE_ENTRY}


# -- pass 1 ---------------------------------------------------------------
def normalize(text: str) -> str:
    """Straight quotes, single spaces, the instruction's own number removed."""
    text = " ".join(text.translate(_QUOTES).split())
    return _NUMBERING.sub("", text)


def is_tracked(text: str, part: str | None) -> bool:
    """Does this instruction (or one of its clauses) aim at Supplement No. 1 to part 740?"""
    if _SUPPLEMENT.search(text):
        return True
    return part == "740" and _COUNTRY_GROUP.search(text) is not None


# -- pass 2 ---------------------------------------------------------------
def split_lettered(text: str) -> tuple[str, list[str]]:
    """("Amend … by:", ["Removing …", "Adding …"]) — the header and lettered parts.

    Only a run of letters in order (a, b, c, …) counts, so "U.S. Arms" or a
    stray initial never splits a sentence.
    """
    starts: list[re.Match] = []
    expected = "a"
    for match in _LETTER.finditer(text):
        if match.group(1) == expected:
            starts.append(match)
            expected = chr(ord(expected) + 1)
    if len(starts) < 2:
        return "", [text]
    header = text[: starts[0].start()].strip()
    parts = []
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        parts.append(text[match.end(): end].strip().rstrip(";").strip())
    return header, [re.sub(r"\s*;?\s*and$", "", p).strip() for p in parts]


def split_clauses(text: str) -> tuple[str, list[str]]:
    """The header and every single-verb clause of an instruction."""
    header, parts = split_lettered(text)
    clauses: list[str] = []
    for part in parts:
        clauses.extend(c.strip() for c in _VERB_SPLIT.split(part) if c.strip())
    return header, clauses


# -- pass 3 ---------------------------------------------------------------
def classify(clause: str) -> Action | None:
    """The action a single clause performs, or None when its wording is not understood."""
    verb = _VERB.search(clause)
    if verb is None:
        return None
    if _TEXT_ONLY.search(clause):
        return Action.AMEND_TEXT
    kind = verb.lastgroup
    if _ENTRY.search(clause):
        return _ACTION_OF[kind]
    if kind == "revise" and _COUNTRY_GROUP.search(clause) and _WHOLE_TABLE.search(clause):
        return Action.REVISE_TABLE
    if kind in ("add", "remove") and find_countries(clause) and _COUNTRY_GROUP.search(clause):
        return _ACTION_OF[kind]
    if kind == "add" and "in its place" in clause.lower():
        return Action.ADD_ENTRY
    return None


# -- pass 4 ---------------------------------------------------------------
def find_table(clause: str) -> str | None:
    """"Country Group D" for a clause naming it (also via "Country Group D:5")."""
    match = _COUNTRY_GROUP.search(clause)
    return f"Country Group {match.group(1).upper()}" if match else None


def find_countries(clause: str) -> tuple[str, ...]:
    """The countries a clause names: quoted first, else "entry for X in …"."""
    quoted = [q.strip() for q in _QUOTED.findall(clause)]
    names = [q for q in quoted if q and not _COUNTRY_GROUP.match(q) and not _SUPPLEMENT.search(q)]
    if names:
        return tuple(dict.fromkeys(country_key(n) for n in names))
    match = _UNQUOTED_ENTRY.search(clause) or _UNQUOTED_MOVE.search(clause)
    if not match:
        return ()
    return tuple(dict.fromkeys(country_key(n) for n in split_name_list(match.group(1))))


# -- pass 5 ---------------------------------------------------------------
def column_code(head: str) -> str | None:
    """"D:5" from "[D:5] U.S. Arms Embargoed Countries" or "Country Group D:5"."""
    match = _CODE_IN_HEAD.search(head)
    return f"{match.group(1).upper()}:{match.group(2)}" if match else None


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
    country = country_key(country)
    marks = tuple((code, cell.strip().upper().startswith("X"))
                  for code, cell in zip(codes[1:], row[1:]) if code)
    return Entry(country=country, printed=row[0], marks=marks, footnotes=footnotes)


def attach_entries(action: Action, table: str | None, country: str | None,
                   tables: tuple[ReprintedTable, ...]) -> tuple[Entry, ...]:
    """The reprinted row(s) an operation carries: the country's row, or all rows."""
    letter = table[-1] if table else None
    for reprint in tables:
        reprint_letter = _table_letter(reprint)
        if letter and reprint_letter and reprint_letter != letter:
            continue
        codes = table_codes(reprint, letter or reprint_letter)
        if not any(codes):
            continue
        rows = [r for r in reprint.rows if r and r[0].strip()]
        if action is Action.REVISE_TABLE:
            return tuple(_row_entry(r, codes) for r in rows)
        for row in rows:
            if country_key(row[0]) == country:
                return (_row_entry(row, codes),)
    if letter == "B" and action is Action.ADD_ENTRY and country:
        return (Entry(country=country, printed=country, marks=(("B", True),)),)
    return ()


# -- pass 6 ---------------------------------------------------------------
def interpret(text: str, tables: tuple[ReprintedTable, ...] = (), *, title: int | None = None,
              part: str | None = None, corrects: str | None = None) -> tuple[Operation, ...]:
    """Operations for one AMDPAR; () when it is not about a tracked table."""
    if title not in (None, 15) or part not in (None, "740"):
        return ()
    text = normalize(text)
    if not is_tracked(text, part):
        return ()
    correction = _CORRECTS.search(text)
    corrects = correction.group(1).replace("\u2013", "-") if correction else corrects
    header, clauses = split_clauses(text)
    whole_is_supplement = bool(_SUPPLEMENT.search(header or text))
    default_table = find_table(header)
    operations: list[Operation] = []
    previous_countries: tuple[str, ...] = ()
    for clause in clauses:
        table = find_table(clause) or default_table
        if not (whole_is_supplement or _SUPPLEMENT.search(clause) or (part == "740" and table)):
            continue  # a lettered part amending some other section of part 740
        default_table = table
        action = classify(clause)
        if action is None:
            operations.append(Operation(Action.UNRECOGNIZED, table, None, text=clause, corrects=corrects))
            continue
        if action is Action.REVISE_TABLE:
            entries = attach_entries(action, table, None, tables)
            operations.append(Operation(action, table, None, entries, text=clause, corrects=corrects))
            continue
        countries = find_countries(clause)
        if not countries and "in its place" in clause.lower():
            countries = previous_countries  # "removing the entry for X and adding in its place ..."
        previous_countries = countries or previous_countries
        if action is Action.AMEND_TEXT:
            # Quoted strings here are usually the words changed; only "the entry for X" names a country.
            entry = _ENTRY_FOR_QUOTED.search(clause)
            operations.append(Operation(action, table, country_key(entry.group(1)) if entry else None,
                                        text=clause, corrects=corrects))
            continue
        if not countries:
            operations.append(Operation(Action.UNRECOGNIZED, table, None, text=clause, corrects=corrects))
            continue
        for country in countries:
            entries = attach_entries(action, table, country, tables) if action is not Action.REMOVE_ENTRY else ()
            # "revising the entry for X to read as follows:" names no table; the reprinted row's columns do.
            named = table or (TABLE_OF_CODE.get(entries[0].marks[0][0]) if entries and entries[0].marks else None)
            operations.append(Operation(action, named, country, entries, text=clause, corrects=corrects))
    return tuple(operations)
