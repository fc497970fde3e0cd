"""eCFR XML of Supplement No. 1 to part 740 (Country Groups) → CountryGroupTable.

Groups A, D and E are matrix tables (one gpotbl TABLE each, titled by a
``P class="gpotbl_title"``); Group B is a heading (HD1) followed by a
two-column list (SCOL2 > LI) in which a long name may be split across two
LI elements. Any table shape other than "Country" + coded columns of "X" or
blank cells is refused with a ParseError, because a silently misread table
would report membership changes that never happened.
"""
from __future__ import annotations

import re

from lxml import etree

from parsers.amendments import column_code
from parsers.countries import country_key, resolve, split_country
from parsers.dates import parse_fr_date
from parsers.ecfr_tables import gpotbl_tables, has_class, table_title
from parsers.exceptions import ParseError
from parsers.model import Column, CountryGroupTable, Entry, GroupTable, Note
from parsers.text import FOOTNOTE_TAGS, element_text, split_footnotes, squash
from parsers.xmlsafe import parse_xml

_GROUP_TITLE = re.compile(r"^Country\s+Group\s+([ABDE])\b", re.IGNORECASE)
_HEADINGS = ("HD1", "HD2", "HD3", "HED")
_CELL = {"X": True, "x": True, " ": False, "\u00a0": False, "": False}
_CONTINUES = re.compile(r"(?:,|\b(?:and|of|the|de|del|da|and the))$", re.IGNORECASE)


def parse_country_groups(data: bytes, name: str) -> CountryGroupTable:
    """Every Country Group table (and the B list) of Supplement No. 1 to part 740."""
    return country_groups_from_tree(parse_xml(data, name), name)


def country_groups_from_tree(root: etree._Element, name: str) -> CountryGroupTable:
    tables: list[GroupTable] = []
    for table in gpotbl_tables(root):
        title_el = table_title(table)
        if title_el is None:
            continue
        title, title_marks = split_footnotes(title_el)
        match = _GROUP_TITLE.match(title)
        if not match:
            continue
        tables.append(_group_table(table, title_el, f"Country Group {match.group(1).upper()}",
                                   title_marks, name))
    b_printed = _b_list(root)
    if not tables and not b_printed:
        raise ParseError(name, "no Country Group tables found (is this Supplement No. 1 to part 740?)")
    b_list = tuple(dict.fromkeys(country_key(p) for p in b_printed))
    amd = next(root.iter("AMDDATE"), None)
    version = parse_fr_date(element_text(amd)) if amd is not None else None
    return CountryGroupTable(tables=tuple(tables), b_list=b_list, b_printed=tuple(b_printed),
                             notes=tuple(n for t in tables for n in t.notes), version_date=version)


def _group_table(table: etree._Element, title_el, title: str, title_marks, name: str) -> GroupTable:
    letter = title[-1]
    columns: list[Column] = []
    rows: list[Entry] = []
    for tr in table.iter("TR"):
        ths = tr.findall("TH") if not rows else None
        if ths:
            if columns:
                raise ParseError(name, f"{title}: a second header row")
            columns = _columns(ths, title, letter, name)
            codes = tuple(c.code for c in columns)
            continue
        tds = tr.findall("TD")
        if not tds:
            continue
        if not columns:
            raise ParseError(name, f"{title}: data row before any column heads")
        if len(tds) != len(columns) + 1:
            raise ParseError(name, f"{title}: a row has {len(tds)} cells, expected {len(columns) + 1}")
        rows.append(_entry(tds, codes, title, name))
    if not columns:
        raise ParseError(name, f"{title}: no column heads")
    return GroupTable(title=title, columns=tuple(columns), rows=tuple(rows),
                      footnotes=title_marks, notes=_notes(title_el, title))


def _columns(ths, title: str, letter: str, name: str) -> list[Column]:
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


def _entry(tds, codes: tuple[str, ...], title: str, name: str) -> Entry:
    first = tds[0]
    if len(first):
        printed = element_text(first)
        text, sup_marks = split_footnotes(first)
    else:
        printed = text = squash(first.text)
        sup_marks = ()
    country, digit_marks = split_country(text)
    country = country_key(country)
    if not country:
        raise ParseError(name, f"{title}: a row has no country name")
    marks = []
    for code, td in zip(codes, tds[1:]):
        marked = _CELL.get(td.text)  # fast path: a bare "X" or blank cell
        if marked is None:
            cell = element_text(td, skip=FOOTNOTE_TAGS).upper() if len(td) else squash(td.text).upper()
            if cell not in ("X", ""):
                raise ParseError(name, f"{title}: cell {code} of {country!r} reads {cell!r}, expected 'X' or blank")
            marked = cell == "X"
        marks.append((code, marked))
    return Entry(country=country, printed=printed, marks=tuple(marks), footnotes=sup_marks + digit_marks)


def _notes(title_el, title: str) -> tuple[Note, ...]:
    container = title_el
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
            if sibling.tag in _HEADINGS or (sibling.tag == "DIV" and sibling.get("width") == "100%"):
                break
            lists = [sibling] if sibling.tag == "SCOL2" else list(sibling.iter("SCOL2"))
            if lists:
                return join_split_names([element_text(li) for li in lists[0].iter("LI")])
    return []


def continues(previous: str, following: str) -> bool:
    """Is ``following`` the rest of a name split across two LI elements?

    Two names that are each a country are never one name: "Gambia, The" ends
    in a word that usually continues, yet "Germany" after it is its own entry.
    """
    if resolve(previous) is not None and resolve(following) is not None:
        return False
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
