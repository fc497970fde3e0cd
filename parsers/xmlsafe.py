"""Safe XML parsing: the only way parsers turn bytes into an lxml tree.

Entity resolution, DTD loading and network access are off, and a document
type declaration that declares entities is refused outright: FR and eCFR XML
never need one, and it is how XXE and entity-expansion bombs arrive.
"""
from __future__ import annotations

import re

from lxml import etree

from parsers.exceptions import ParseError

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


def _new_parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers keep state and are not thread-safe.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
        remove_comments=False,
    )


def parse_xml(data: bytes, name: str) -> etree._Element:
    """Parse ``data`` into an element tree, or raise ParseError naming ``name``."""
    if not isinstance(data, (bytes, bytearray)):
        raise ParseError(name, f"expected bytes, got {type(data).__name__}")
    if not data.strip():
        raise ParseError(name, "empty document")
    doctype = _DOCTYPE.search(data)
    if doctype is not None and _ENTITY_DECL.search(data, doctype.start()):
        raise ParseError(name, "refused: DOCTYPE declares entities (possible XXE or entity-expansion attack)")
    try:
        root = etree.fromstring(bytes(data), _new_parser())
    except etree.XMLSyntaxError as exc:
        raise ParseError(name, f"malformed or truncated XML: {exc}") from None
    if root is None:
        raise ParseError(name, "no root element")
    return root
