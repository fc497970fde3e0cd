"""ITAR 22 CFR 126.1 (eCFR XML, a DIV8 section) → the proscribed countries.

Paragraph (d)(1) names the policy-of-denial countries in a sentence
("The countries subject to this policy are: Belarus, Burma, ... and
Venezuela."); paragraph (d)(2) lists more in a table whose first column is
"Country". Names are mapped to the EAR's spelling so D:5 can be compared.
"""
from __future__ import annotations

import re

from lxml import etree

from parsers.countries import ear_name
from parsers.dates import parse_fr_date
from parsers.ecfr_tables import gpotbl_tables, read_table
from parsers.exceptions import ParseError
from parsers.model import ItarList
from parsers.text import element_text, squash
from parsers.xmlsafe import parse_xml

_LIST_SENTENCE = re.compile(
    r"(?:countries subject to this policy are|with respect to the following countries)\s*:\s*([^.]+)\.",
    re.IGNORECASE,
)


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
    printed: list[str] = []
    in_d = False
    for p in section.iter("P"):
        text = element_text(p)
        if text.startswith("(d)"):
            in_d = True
        elif re.match(r"^\((?:[e-z]|[a-c])\)", text):
            in_d = False
        if not in_d:
            continue
        for match in _LIST_SENTENCE.finditer(text):
            for item in re.split(r",\s*(?:and\s+)?|\s+and\s+", match.group(1)):
                if squash(item):
                    printed.append(squash(item))
    for table in gpotbl_tables(section):
        read = read_table(table)
        if read.column_heads and read.column_heads[0].lower().startswith("country"):
            printed.extend(row[0] for row in read.rows if row and row[0].strip())
    if not printed:
        raise ParseError(name, "section 126.1 lists no countries in paragraph (d)")
    amd = next(root.iter("AMDDATE"), None)
    return ItarList(countries=tuple(sorted({ear_name(p) for p in printed})), printed=tuple(printed),
                    version_date=parse_fr_date(element_text(amd)) if amd is not None else None)
