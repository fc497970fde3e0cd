"""Generic eCFR XML tables: every HTML-style TABLE in a file, in either rendering.

Two renderings exist, both written by criticaljuncture/table_compilator:
- bulk data (``ecfr_bulkdata`` mode): ``DIV width="100%" > DIV class="gpotbl_div"
  > P class="gpotbl_title" + TABLE class="gpotbl_table"``, TH gpotbl_colhed,
  TD gpotbl_cell, notes as ``P class="gpotbl_note"`` after the table;
- the versioner / ecfr.gov (``ecfr`` mode): ``TABLE class="gpo_table"`` whose
  title is a ``CAPTION > P class="title"`` inside the TABLE, rows in
  THEAD/TBODY/TFOOT, notes as TFOOT rows spanning the table.
Neither is the FR's GPOTABLE, so they are returned as ReprintedTable values.
"""
from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from parsers.model import ReprintedTable
from parsers.text import element_text
from parsers.xmlsafe import parse_xml

TABLE_CLASSES = frozenset({"gpotbl_table", "gpo_table"})


def has_class(el: etree._Element, name: str) -> bool:
    return name in (el.get("class") or "").split()


def gpotbl_tables(root: etree._Element) -> Iterator[etree._Element]:
    """Every eCFR TABLE (class gpotbl_table or gpo_table) under ``root``, in document order."""
    return (t for t in root.iter("TABLE") if not TABLE_CLASSES.isdisjoint((t.get("class") or "").split()))


def table_title(table: etree._Element) -> etree._Element | None:
    """The element holding a table's title: CAPTION's P (versioner) or the gpotbl_title P (bulk).

    The bulk title is looked for only inside the table's own ``DIV width="100%"``,
    so a table without a title never borrows another table's.
    """
    caption = table.find("CAPTION")
    if caption is not None:
        for p in caption.iter("P"):
            if has_class(p, "title"):
                return p
        return caption
    container = next((a for a in table.iterancestors("DIV") if a.get("width") == "100%"), None)
    if container is None:
        return None
    return next((p for p in container.iter("P") if has_class(p, "gpotbl_title")), None)


def table_rows(table: etree._Element) -> Iterator[etree._Element]:
    """Every TR of ``table`` in document order, whether bare or under THEAD/TBODY/TFOOT."""
    return table.iter("TR")


def read_table(table: etree._Element) -> ReprintedTable:
    """Column heads and data rows; TFOOT rows are the table's footnotes (TNOTE), never data."""
    heads: tuple[str, ...] = ()
    rows = []
    for tr in table_rows(table):
        parent = tr.getparent()
        if parent is not None and parent.tag == "TFOOT":
            continue
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
    """Every eCFR table of any eCFR XML file."""
    return tuple(read_table(t) for t in gpotbl_tables(parse_xml(data, name)))
