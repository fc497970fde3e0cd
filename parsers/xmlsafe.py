"""Safe XML parsing: the only way parsers turn bytes into an lxml tree.

Entity resolution, DTD loading and network access are off, and a document
type declaration that declares entities is refused outright: FR and eCFR XML
never need one, and it is how XXE and entity-expansion bombs arrive.
"""
from __future__ import annotations

import threading

from lxml import etree

from parsers.errors import ParseError


def _has_entity_declarations(data: bytes) -> bool:
    # XML spells these in upper case only; bytes.find is a fast scan of big issues.
    doctype = data.find(b"<!DOCTYPE")
    return doctype >= 0 and data.find(b"<!ENTITY", doctype) >= 0


_local = threading.local()


def _parser() -> etree.XMLParser:
    # One parser per thread: lxml parsers are not thread-safe, and reusing one
    # keeps its name dictionary warm (a fresh parser per call costs ~15%).
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = _new_parser()
    return parser


def _new_parser() -> etree.XMLParser:
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
    if not data or data.isspace():
        raise ParseError(name, "empty document")
    if _has_entity_declarations(data):
        raise ParseError(name, "refused: DOCTYPE declares entities (possible XXE or entity-expansion attack)")
    try:
        root = etree.fromstring(data if isinstance(data, bytes) else bytes(data), _parser())
    except etree.XMLSyntaxError as exc:
        raise ParseError(name, f"malformed or truncated XML: {exc}") from None
    if root is None:
        raise ParseError(name, "no root element")
    # The byte scan above cannot see declarations in UTF-16/32 input; the DTD
    # libxml2 kept (entities unexpanded, nothing fetched) can.
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):  # type: ignore[union-attr]  # lxml-stubs 0.5 lacks DTD.iterentities
        raise ParseError(name, "refused: DOCTYPE declares entities (possible XXE or entity-expansion attack)")
    return root
