"""ITAR 22 CFR 126.1 (eCFR XML, a DIV8 section) → the proscribed countries, by identity.

Three layouts of paragraph (d) are read:
- since 2022: (d)(1) "Table 1 to Paragraph (d)(1)" (one column, names with a
  trailing period: "Belarus.", "North Korea.") and (d)(2) "Table 2 to Paragraph
  (d)(2)" (Country | "Country specific paragraph location": "See also
  paragraph (o) of this section.");
- about 2017-2021: the same two tables without titles, placed after the
  (d)(1) and (d)(2) paragraphs;
- a sentence list in (d)(1) ("The countries subject to this policy are:
  Belarus, ... and Venezuela.") with a (d)(2) table (frtrack's own writer).
Then one paragraph per country ("(o) *Cambodia.* It is the policy ...").
A country's paragraph can outlive its table row, so both are read: a
paragraph that no list names, a row pointing at another country's
paragraph, and a name that resolves to no country become review items
(ItarList.review), never a silent removal or a new country. Names are
canonical (parsers.countries), so they compare with the EAR's D:5.
"""
from __future__ import annotations

import re
from typing import Any

from lxml import etree

from parsers.countries import canonical_name
from parsers.dates import parse_fr_date
from parsers.ecfr_tables import has_class, read_table
from parsers.errors import ParseError
from parsers.model import ItarEntry, ItarList, ItarReview
from parsers.text import element_text, squash
from parsers.xmlsafe import parse_xml

_LIST_SENTENCE = re.compile(
    r"(?:countries subject to this policy are|with respect to the following countries)\s*:\s*([^.]+)\.",
    re.IGNORECASE,
)
_PARAGRAPH = re.compile(r"^\(([a-z])\)")
_D_SUB = re.compile(r"^\(d\)\s*\((\d)\)")
_SUB = re.compile(r"^\((\d)\)")
_SEE_PARAGRAPH = re.compile(r"\bparagraph\s*\(([a-z])\)", re.IGNORECASE)
_GENERAL = frozenset("abcde")          # (a)-(e) are general provisions, never a country's paragraph
_CLASSED_P = ("gpotbl_title", "title", "gpotbl_note")


def parse_itar_126_1(data: bytes, name: str) -> ItarList:
    return itar_from_tree(parse_xml(data, name), name)


def find_section(root: etree._Element) -> etree._Element | None:
    for div in root.iter("DIV8"):
        n = (div.get("N") or "").replace("\u00a7", "").strip()
        if n == "126.1":
            return div
        head = div.find("HEAD")
        if head is not None and re.match(r"^\u00a7\s*126\.1\s", element_text(head) + " "):
            return div
    return None


def itar_from_tree(root: etree._Element, name: str) -> ItarList:
    section = find_section(root)
    if section is None:
        raise ParseError(name, "no DIV8 section 126.1 found")
    listed = _listings(section)
    if not listed:
        raise ParseError(name, "section 126.1 lists no countries in paragraph (d)")
    entries, review = _entries(listed, _country_paragraphs(section))
    amd = next(root.iter("AMDDATE"), None)
    return ItarList(countries=tuple(sorted(e.country for e in entries if e.in_d1 or e.in_d2)),
                    printed=tuple(p for p, _, _, _ in listed),
                    version_date=parse_fr_date(element_text(amd)) if amd is not None else None,
                    entries=tuple(sorted(entries, key=lambda e: e.country)), review=tuple(review))


# (printed name, "d1"|"d2", paragraph letter its row points to, where)
_Listing = tuple[str, str, str | None, str]


def _listings(section: etree._Element) -> list[_Listing]:
    """(printed name, "d1"|"d2", paragraph letter its row points to, where) for every name (d) lists."""
    out: list[_Listing] = []
    in_d, sub = False, None
    for el in section.iter("P", "TABLE"):
        if el.tag == "P":
            if any(has_class(el, c) for c in _CLASSED_P):
                continue
            text = element_text(el)
            top = _PARAGRAPH.match(text)
            if top:
                in_d = top.group(1) == "d"
                d_sub = _D_SUB.match(text)
                sub = int(d_sub.group(1)) if d_sub else None
            elif in_d and (sub_match := _SUB.match(text)):
                sub = int(sub_match.group(1))
            if in_d:
                for match in _LIST_SENTENCE.finditer(text):
                    out.extend((squash(item), "d1", None, "paragraph (d)(1)")
                               for item in re.split(r",\s*(?:and\s+)?|\s+and\s+", match.group(1)) if squash(item))
        elif in_d:
            out.extend(_table_listings(el, sub))
    return out


def _table_listings(table: etree._Element, sub: int | None) -> list[_Listing]:
    read = read_table(table)
    if not read.column_heads or not read.column_heads[0].lower().startswith("country"):
        return []
    title = read.title or ""
    if "(d)(1)" in title.replace(" ", ""):
        kind = "d1"
    elif "(d)(2)" in title.replace(" ", ""):
        kind = "d2"
    elif sub in (1, 2):
        kind = f"d{sub}"
    else:
        kind = "d2" if len(read.column_heads) > 1 else "d1"
    where = title or f"the paragraph ({kind[0]})({kind[1]}) table"
    rows = []
    for row in read.rows:
        if not row or not row[0].strip():
            continue
        ref = _SEE_PARAGRAPH.search(" ".join(row[1:])) if len(row) > 1 else None
        rows.append((row[0].strip(), kind, ref.group(1).lower() if ref else None, where))
    return rows


def _country_paragraphs(section: etree._Element) -> dict[str, tuple[str, str]]:
    """{letter: (canonical country, printed heading)} for "(o) <I>Cambodia.</I> It is the policy ..."."""
    found: dict[str, tuple[str, str]] = {}
    for p in section.iter("P"):
        if not len(p) or p[0].tag not in ("I", "E"):
            continue
        lead = _PARAGRAPH.match((p.text or "").strip() + " ")
        if not lead or (p.text or "").strip() != f"({lead.group(1)})" or lead.group(1) in _GENERAL:
            continue
        heading = element_text(p[0]).strip().rstrip(".:").strip()
        country = canonical_name(heading)
        if country is not None:
            found.setdefault(lead.group(1), (country, heading))
    return found


def _entries(listed: list[_Listing], paragraphs: dict[str, tuple[str, str]]
             ) -> tuple[list[ItarEntry], list[ItarReview]]:
    review: list[ItarReview] = []
    fields: dict[str, dict[str, Any]] = {}
    own = {country: letter for letter, (country, _) in sorted(paragraphs.items(), reverse=True)}
    for printed, kind, ref, where in listed:
        country = canonical_name(printed)
        if country is None:
            review.append(ItarReview(printed, f"{printed!r} in {where} resolves to no known country"))
            continue
        f = fields.setdefault(country, {"printed": printed, "in_d1": False, "in_d2": False, "d2_paragraph": None})
        f["in_" + kind] = True
        if kind == "d2" and ref:
            f["d2_paragraph"] = ref
            if ref not in paragraphs:
                review.append(ItarReview(printed, f"the (d)(2) row points to paragraph ({ref}), which section 126.1"
                                                  " does not print as a country paragraph"))
            elif paragraphs[ref][0] != country:
                review.append(ItarReview(printed, f"the (d)(2) row points to paragraph ({ref}), which is the"
                                                  f" paragraph of {paragraphs[ref][0]}"))
    for letter, (country, heading) in sorted(paragraphs.items()):
        if country not in fields:
            review.append(ItarReview(heading, f"paragraph ({letter}) ({heading}) remains but no table row in"
                                              f" paragraph (d) lists {heading}"))
            fields[country] = {"printed": heading, "in_d1": False, "in_d2": False, "d2_paragraph": None}
    entries = [ItarEntry(country=c, paragraph=own.get(c), **f) for c, f in fields.items()]
    return entries, review
