"""Generic eCFR XML tables: every HTML-style gpotbl TABLE in a file.

eCFR tables are ``DIV width="100%" > DIV class="gpotbl_div" > TABLE
class="gpotbl_table"`` with TH class gpotbl_colhed and TD class gpotbl_cell
(not the FR's GPOTABLE), so they are returned as ReprintedTable values.
"""
from __future__ import annotations

from lxml import etree

from parsers.model import ReprintedTable
from parsers.text import element_text
from parsers.xmlsafe import parse_xml


def has_class(el: etree._Element, name: str) -> bool:
    return name in (el.get("class") or "").split()


def gpotbl_tables(root: etree._Element):
    """Every gpotbl TABLE element under ``root``, in document order."""
    return (t for t in root.iter("TABLE") if has_class(t, "gpotbl_table"))


def table_title(table: etree._Element) -> etree._Element | None:
    """The ``P class="gpotbl_title"`` printed with a table (inside its DIV width="100%")."""
    node = table.getparent()
    while node is not None:
        for p in node.iter("P"):
            if has_class(p, "gpotbl_title"):
                return p
        if node.tag == "DIV" and node.get("width") == "100%":
            break
        node = node.getparent()
    return None


def read_table(table: etree._Element) -> ReprintedTable:
    heads: tuple[str, ...] = ()
    rows = []
    for tr in table.iter("TR"):
        ths = [c for c in tr if c.tag == "TH"]
        if ths and not heads:
            heads = tuple(element_text(th) for th in ths)
            continue
        cells = tuple(element_text(td) for td in tr if td.tag in ("TD", "TH"))
        if cells:
            rows.append(cells)
    title_el = table_title(table)
    return ReprintedTable(title=element_text(title_el) if title_el is not None else None,
                          column_heads=heads, rows=tuple(rows))


def parse_ecfr_tables(data: bytes, name: str) -> tuple[ReprintedTable, ...]:
    """Every gpotbl table of any eCFR XML file."""
    return tuple(read_table(t) for t in gpotbl_tables(parse_xml(data, name)))
