"""eCFR XML of Supplement No. 1 to part 740 (Country Groups) → CountryGroupTable.

Groups A, D and E are matrix tables, in either eCFR rendering (see
parsers/ecfr_tables.py): the bulk layout titles a ``TABLE class="gpotbl_table"``
with a ``P class="gpotbl_title"`` and prints notes as ``P class="gpotbl_note"``;
the versioner layout titles a ``TABLE class="gpo_table"`` with a CAPTION
inside it and prints notes as ordinary rows (one cell spanning the table, or
a first cell like "1 Country Group A:1 is ..." / "(a) ...") in TFOOT or TBODY.
Group B is a heading ("Country Group B", "Country Group B—Countries")
followed by a two-column list (SCOL2 > LI) in which a long name may be split
across two LI elements.

A mark cell is read by its whole text, footnote references aside: "X",
"<P>X</P>", "<E T="03">X</E>" and "X<sup>1</sup>" are marks; anything else
not blank is refused, naming table, column and country. A country cell may be
a row header (``<TH scope="row">``); a row of TH cells is a header row, and a
second one is refused. A matrix table with rows but no mark at all is a
rendering failure and refused; a single column without a mark is read (E:2
holds Cuba alone: one rule can empty it), and a column that empties with no
FR rule explaining it is the history engine's suspect check.

Any table shape other than "Country" + coded columns of "X" or blank cells is
refused with a ParseError, and so is a version that lacks any of the A, D, E
tables or the B list, or prints implausibly few rows (MIN_ROWS, MIN_B_NAMES):
a silently partial table would report every membership it lacks as removed.
"""
from __future__ import annotations

import re

from lxml import etree

from parsers.countries import country_key, resolve, split_country
from parsers.dates import parse_fr_date
from parsers.ecfr_tables import gpotbl_tables, has_class, table_rows, table_title
from parsers.errors import ParseError
from parsers.model import MIN_B_NAMES, MIN_ROWS, Column, CountryGroupTable, Entry, GroupTable, Note, column_code
from parsers.text import FOOTNOTE_TAGS, element_text, split_footnotes, squash
from parsers.xmlsafe import parse_xml

_GROUP_TITLE = re.compile(r"^Country\s+Group\s+([ABDE])\b", re.IGNORECASE)
_HEADINGS = ("HD1", "HD2", "HD3", "HED", "HD")
# "\u219e" is table_compilator's placeholder for an empty cell in its eCFR mode.
_CELL = {"X": True, "x": True, " ": False, "\u00a0": False, "": False, None: False, "\u219e": False}
_CONTINUES = re.compile(r"(?:,|\b(?:and|of|the|de|del|da|and the))$", re.IGNORECASE)
# A footnote printed as a table row: "1 Country Group A:1 is ...", "(a) ...", or a long note.
_NOTE_MARKER = re.compile(r"^(\d{1,2}|\([a-z]\))\s+(.*)$", re.DOTALL)
_LONGEST_NAME = 60   # the longest real name ("South Georgia and the South Sandwich Islands") is 44

# The groups every real version prints, and the fewest rows a real one could print.
# Real versions since 2017 print A >= 40 rows, D >= 45, E >= 4 (5 before Sudan left
# E:1 in 2021) and a B list of about 170 names; the thresholds sit at about a quarter
# of those (E: half), far below any real version even after the largest real
# one-rule change (two or three rows), and far above what a cut-off table, a diff
# excerpt or an abridged copy prints. A wholesale removal by a real version is not
# refused here: the history engine holds such a version for review.
REQUIRED_TABLES = ("Country Group A", "Country Group D", "Country Group E")


def parse_country_groups(data: bytes, name: str) -> CountryGroupTable:
    """Every Country Group table (and the B list) of Supplement No. 1 to part 740."""
    return country_groups_from_tree(parse_xml(data, name), name)


def country_groups_from_tree(root: etree._Element, name: str) -> CountryGroupTable:
    tables: dict[str, GroupTable] = {}
    for table in gpotbl_tables(root):
        title_el = table_title(table)
        if title_el is None:
            continue
        title, title_marks = split_footnotes(title_el)
        match = _GROUP_TITLE.match(title)
        if not match:
            continue
        key = f"Country Group {match.group(1).upper()}"
        if key in tables:
            raise ParseError(name, f"a second {key} table; refusing to choose between them")
        tables[key] = _group_table(table, title_el, key, title_marks, name)
    b_printed = _b_list(root)
    if not tables and not b_printed:
        raise ParseError(name, "no Country Group tables found (is this Supplement No. 1 to part 740?)")
    b_list = tuple(dict.fromkeys(country_key(p) for p in b_printed))
    _check_complete(tables, b_list, name)
    amd = next(root.iter("AMDDATE"), None)
    version = parse_fr_date(element_text(amd)) if amd is not None else None
    found = tuple(tables.values())
    return CountryGroupTable(tables=found, b_list=b_list, b_printed=tuple(b_printed),
                             notes=tuple(n for t in found for n in t.notes), version_date=version)


def _check_complete(tables: dict[str, GroupTable], b_list: tuple[str, ...], name: str) -> None:
    """Refuse a partial supplement: every membership it lacks would read as removed."""
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if not b_list:
        missing.append("the Country Group B list")
    if missing:
        found = [t for t in tables] + (["the Country Group B list"] if b_list else [])
        raise ParseError(name, f"Supplement No. 1 lacks {', '.join(missing)} (found: {', '.join(found) or 'nothing'});"
                               " a partial supplement is not read")
    for title, minimum in MIN_ROWS.items():
        if len(tables[title].rows) < minimum:
            raise ParseError(name, f"{title} prints {len(tables[title].rows)} rows, fewer than the {minimum} any real"
                                   " version prints; a partial table is not read")
    if len(b_list) < MIN_B_NAMES:
        raise ParseError(name, f"Country Group B lists {len(b_list)} names, fewer than the {MIN_B_NAMES} any real"
                               " version prints; a partial list is not read")


def _group_table(table: etree._Element, title_el: etree._Element, title: str, title_marks: tuple[str, ...],
                 name: str) -> GroupTable:
    letter = title[-1]
    columns: list[Column] = []
    rows: list[Entry] = []
    row_notes: list[Note] = []
    for tr in table_rows(table):
        tds = _body_cells(tr)
        if tds is None:
            if columns:
                raise ParseError(name, f"{title}: a second header row")
            columns = _columns(tr.findall("TH"), title, letter, name)
            codes = tuple(c.code for c in columns)
            continue
        if not tds:
            continue
        if not columns:
            raise ParseError(name, f"{title}: data row before any column heads")
        first = tds[0].text
        if (len(tds) == len(codes) + 1 and first and first[0].isalpha() and len(first) <= _LONGEST_NAME
                and not len(tds[0])):
            rows.append(_entry(tds, codes, title, name))   # fast path: a plain country cell, never a note
            continue
        note = _note_row(tds, title, name)
        if note is not None:
            if note.text:
                row_notes.append(note)
            continue
        if len(tds) != len(columns) + 1:
            raise ParseError(name, f"{title}: a row has {len(tds)} cells, expected {len(columns) + 1}")
        rows.append(_entry(tds, codes, title, name))
    if not columns:
        raise ParseError(name, f"{title}: no column heads")
    if rows and not any(marked for row in rows for _code, marked in row.marks):
        raise ParseError(name, f"{title}: none of its {len(rows)} rows has a mark in any column;"
                               " a table with every X lost is a rendering failure, not read")
    return GroupTable(title=title, columns=tuple(columns), rows=tuple(rows),
                      footnotes=title_marks, notes=_notes(title_el, title) + tuple(row_notes))


def _body_cells(tr: etree._Element) -> list[etree._Element] | None:
    """A body row's cells (the country cell first), or None for a header row.

    A row of TH cells is a header row, wherever it stands. A row whose first
    cell is a row header (``<TH scope="row">``, HTML's markup for a country
    cell) followed by TD cells is a body row. (table_compilator itself writes
    body cells as TD, with ``scope="row"`` on the first in its bulk-data mode.)
    """
    ths = tr.findall("TH")
    if not ths:
        return tr.findall("TD")
    cells = [c for c in tr if c.tag in ("TH", "TD")]
    if cells[0].tag == "TH" and (cells[0].get("scope") or "").strip().lower() == "row" and len(ths) == 1:
        return cells
    return None


def _note_row(tds: list[etree._Element], title: str, name: str) -> Note | None:
    """The footnote a row prints instead of a country (versioner layout), or None for a country row.

    A row is a note when its first cell spans the table (colspan), starts with
    a footnote marker (a leading SUP, "1 Country Group A:1 is ...", "(a) ...")
    or is longer than any country name; its other cells must then be empty.
    """
    first = tds[0]
    body, marks = split_footnotes(first)
    leading_mark = bool(len(first)) and first[0].tag in FOOTNOTE_TAGS and not (first.text or "").strip()
    spans = (first.get("colspan") or "1").strip() not in ("", "1")
    if not (spans or leading_mark or body[:1].isdigit() or body[:1] == "(" or len(body) > _LONGEST_NAME):
        return None
    if any(element_text(td, skip=FOOTNOTE_TAGS) for td in tds[1:]):
        raise ParseError(name, f"{title}: a row reads like a footnote ({body[:40]!r}) but has marks in its cells")
    if leading_mark:
        return Note(table=title, marker=marks[0], text=body)
    match = _NOTE_MARKER.match(body)
    if match:
        return Note(table=title, marker=match.group(1), text=squash(match.group(2)))
    return Note(table=title, marker="", text=body)


def _columns(ths: list[etree._Element], title: str, letter: str, name: str) -> list[Column]:
    first = element_text(ths[0], skip=FOOTNOTE_TAGS)
    if not first.lower().startswith("country"):
        raise ParseError(name, f"{title}: first column is {first!r}, expected 'Country'")
    columns = []
    for th in ths[1:]:
        text, marks = split_footnotes(th)
        code = column_code(text)
        if code is None:
            raise ParseError(name, f"{title}: column head {text!r} has no [X:n] code")
        if code[0] != letter:
            raise ParseError(name, f"{title}: column {code} does not belong to this group")
        label = squash(re.sub(r"^.*?\]", "", text, count=1)) if "]" in text else ""
        columns.append(Column(code=code, name=label, footnotes=marks))
    return columns


def _entry(tds: list[etree._Element], codes: tuple[str, ...], title: str, name: str) -> Entry:
    first = tds[0]
    if len(first):
        printed = element_text(first)
        text, sup_marks = split_footnotes(first)
    else:
        printed = text = squash(first.text)
        sup_marks = ()
    country, digit_marks = _row_name(text)
    if not country:
        raise ParseError(name, f"{title}: a row has no country name")
    marks = []
    for code, td in zip(codes, tds[1:], strict=False):   # a short row leaves its last groups unmarked
        marked = None if len(td) else _CELL.get(td.text)  # fast path: a bare "X" or blank cell, no markup
        if marked is None:   # "<P>X</P>", "<E T="03">X</E>", "X<sup>1</sup>", " X ": the cell's whole text
            cell = element_text(td, skip=FOOTNOTE_TAGS).upper() if len(td) else squash(td.text).upper()
            if cell not in ("X", ""):
                raise ParseError(name, f"{title}: cell {code} of {country!r} reads {cell!r}, expected 'X' or blank")
            marked = cell == "X"
        marks.append((code, marked))
    return Entry(country=country, printed=printed, marks=tuple(marks), footnotes=sup_marks + digit_marks)


def _row_name(text: str) -> tuple[str, tuple[str, ...]]:
    """(stored name, footnote digits) of a country cell (split_country and country_key are cached)."""
    country, digits = split_country(text)
    return country_key(country), digits


def _notes(title_el: etree._Element, title: str) -> tuple[Note, ...]:
    container: etree._Element | None = title_el
    while container is not None and not (container.tag == "DIV" and container.get("width") == "100%"):
        container = container.getparent()
    if container is None:
        return ()
    notes = []
    for p in container.iter("P"):
        if has_class(p, "gpotbl_note"):
            text, marks = split_footnotes(p)
            notes.append(Note(table=title, marker=marks[0] if marks else "", text=text))
    return tuple(notes)


def _b_list(root: etree._Element) -> list[str]:
    for heading in root.iter(*_HEADINGS):
        text, _ = split_footnotes(heading)
        if not re.match(r"^Country\s+Group\s+B\b", text, re.IGNORECASE):
            continue
        for sibling in heading.itersiblings():
            if sibling.tag in _HEADINGS or (sibling.tag == "DIV" and (
                    sibling.get("width") == "100%" or has_class(sibling, "table-wrapper"))):
                break
            lists = [sibling] if sibling.tag == "SCOL2" else list(sibling.iter("SCOL2"))
            if lists:
                return join_split_names([element_text(li) for li in lists[0].iter("LI")])
    return []


def _is_country(text: str) -> bool:
    return resolve(text) is not None


def continues(previous: str, following: str) -> bool:
    """Is ``following`` the rest of a name split across two LI elements?

    Two names that are each a country are never one name ("Gambia, The" then
    "Germany"); a pair whose joined text is a country is one ("Papua New" +
    "Guinea"); a whole country name is not extended into something that is
    none. Only for names the country identity does not know do the shape
    rules decide (an open parenthesis, a trailing comma/"and"/"of"/"the", a
    lower-case continuation).
    """
    if _is_country(previous):
        if _is_country(following):
            return False
        return _is_country(f"{previous} {following}")
    if _is_country(f"{previous} {following}"):
        return True
    return _shape_continues(previous, following)


def _shape_continues(previous: str, following: str) -> bool:
    if previous.count("(") > previous.count(")"):
        return True
    if _CONTINUES.search(previous):
        return True
    return bool(following) and (following[0].islower() or following[0] == ")")


def join_split_names(items: list[str]) -> list[str]:
    names: list[str] = []
    for item in (squash(i) for i in items):
        if not item:
            continue
        if names and continues(names[-1], item):
            names[-1] = f"{names[-1]} {item}"
        else:
            names.append(item)
    return names
