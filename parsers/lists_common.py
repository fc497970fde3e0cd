"""What the §744.21/§744.22 and Entity List parsers share: table names, FR walking, counts.

The tracked lists beyond Country Groups speak the domain model's vocabulary
(``parsers.model``: ``Operation`` with an ``Action``, ``ReviewItem`` with a
``ReviewReason``), so the engine treats every list the same way. What they
share beyond it is here: the table names, one way of walking an FR
document's AMDPARs together with the content printed after each (the
reprinted SECTION text or GPOTABLE) -- which ``parsers.fr_xml.Instruction``
does not keep -- quote normalization, and the per-document result.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from parsers.errors import ParseError
from parsers.fr_xml import DOCUMENT_TAGS, parse_fr_tree
from parsers.model import FRDocument, Operation, ReviewItem
from parsers.text import element_text

SECTION_TABLES: dict[str, str] = {"744.21": "15 CFR 744.21", "744.22": "15 CFR 744.22"}


# -------------------------------------------------------------- text passes

# GPO prints “ ” as ‘‘ ’’; some documents use single ‘ ’ as quote marks, where ’
# followed by a letter is an apostrophe (People’s).
_DOUBLE = re.compile(r"\u2018\u2018|\u2019\u2019|[\u201c\u201d\u201e]|``|''")
_SINGLE_QUOTED = re.compile(r"\u2018([^\u2018\u2019]*(?:\u2019[A-Za-z][^\u2018\u2019]*)*)\u2019(?![A-Za-z])")
_NUMBERING = re.compile(r"^\s*\d+[a-z]?\.\s+")


def normalize_instruction(text: str) -> str:
    """Straight double quotes around quoted words, apostrophes as "'", single spaces, no "3." numbering."""
    text = _DOUBLE.sub('"', text)
    if '"' not in text:        # single quotes are delimiters only where no double quotes are used
        text = _SINGLE_QUOTED.sub(lambda m: '"' + m.group(1) + '"', text)
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = " ".join(text.split())
    return _NUMBERING.sub("", text)


# number words as BIS summaries print them ("adding thirty-six entities")
_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i > 1}


def number_value(word: str) -> int | None:
    """12 from "12", "twelve"; 36 from "thirty-six"; None when it is not a number."""
    word = word.lower().strip()
    if word.isdigit():
        return int(word)
    if word in ("a", "an", "one"):
        return 1
    if word in _UNITS:
        return _UNITS[word]
    if word in _TENS:
        return _TENS[word]
    tens, _, unit = word.partition("-")
    if tens in _TENS and unit in _UNITS and _UNITS[unit] < 10:
        return _TENS[tens] + _UNITS[unit]
    return None


# ------------------------------------------------------------ the FR walk

@dataclass(frozen=True)
class AmdparContext:
    """One AMDPAR, where it sits, and the elements printed after it (up to the next AMDPAR)."""

    index: int
    title: int | None
    part: str | None
    text: str
    content: tuple[etree._Element, ...]


@dataclass(frozen=True)
class FRDocumentContext:
    """The facts of one FR document these parsers need, and its AMDPARs in order."""

    document_number: str
    corrects: str | None
    summary: str
    amdpars: tuple[AmdparContext, ...]


_CONTENT_STOP = frozenset({"AMDPAR", "SIG", "FRDOC", "BILCOD", "LSTSUB"})


def fr_documents(root: etree._Element, name: str, documents: Sequence[FRDocument] | None = None
                 ) -> tuple[FRDocumentContext, ...]:
    """Every FR document of a parsed tree (single document or daily issue) with its AMDPAR contexts.

    Document numbers and corrections come from ``parsers.fr_xml`` so both
    parsers agree on them; AMDPAR i here is ``Instruction.index == i`` there.
    A caller that already holds ``parse_fr_tree(root, name)`` passes it as
    ``documents`` so the tree is not parsed twice.
    """
    documents = parse_fr_tree(root, name) if documents is None else tuple(documents)
    elements = [el for el in root.iter(*DOCUMENT_TAGS) if not _is_container(el)]
    if len(elements) != len(documents):
        raise ParseError(name, f"found {len(elements)} document elements but {len(documents)} documents")
    out = []
    for doc, element in zip(documents, elements, strict=True):
        amdpars = tuple(_context(i, amdpar, doc) for i, amdpar in enumerate(element.iter("AMDPAR")))
        summary = element.find("PREAMB/SUM")
        if summary is None:
            summary = element.find(".//SUM")
        out.append(FRDocumentContext(
            document_number=doc.document_number, corrects=doc.corrects,
            summary=element_text(summary, skip=frozenset({"HD"})) if summary is not None else "",
            amdpars=amdpars))
    return tuple(out)


def _is_container(el: etree._Element) -> bool:
    return el.tag == "CORRECT" and any(c.tag in ("RULE", "PRORULE", "NOTICE", "PRESDOCU") for c in el)


def _context(index: int, amdpar: etree._Element, doc: FRDocument) -> AmdparContext:
    instruction = doc.instructions[index] if index < len(doc.instructions) else None
    content = []
    for sibling in amdpar.itersiblings():
        if not isinstance(sibling.tag, str) or sibling.tag == "PRTPAGE":
            continue
        if sibling.tag in _CONTENT_STOP:
            break
        content.append(sibling)
    return AmdparContext(index=index, title=instruction.title if instruction else None,
                         part=instruction.part if instruction else None,
                         text=element_text(amdpar), content=tuple(content))


@dataclass(frozen=True)
class SummaryCounts:
    """The counts a rule's SUMMARY states ("adding 12 entities under 14 entries"); None = not stated."""

    entities_added: int | None = None
    entries_added: int | None = None
    entities_removed: int | None = None
    entries_removed: int | None = None
    entries_revised: int | None = None
    addresses_added: int | None = None     # "adding five entities and eight addresses": entity counts not checked
    text: str = ""


@dataclass(frozen=True)
class SectionListing:
    """The complete list a revision of the heading/paragraph (a) reprinted: what is listed afterwards."""

    table: str
    countries: tuple[str, ...]
    instruction: int | None = None


@dataclass(frozen=True)
class DocumentListChanges:
    """What one FR document does to one kind of list: operations, complete listings, review items.

    ``operations`` are ``parsers.model.Operation`` values (table "15 CFR
    744.21"/"15 CFR 744.22" or "Entity List") in instruction order, each with
    its ``instruction`` index; ``listings`` are the complete section lists a
    revision reprinted; ``summary`` is what the SUMMARY says the rule does
    (Entity List only).
    """

    document_number: str
    corrects: str | None
    operations: tuple[Operation, ...] = ()
    review: tuple[ReviewItem, ...] = ()
    listings: tuple[SectionListing, ...] = ()
    summary: SummaryCounts | None = None
