"""Federal Register XML (GPO format) → FRDocument objects.

Takes one document as federalregister.gov serves it (root RULE, PRORULE,
NOTICE, PRESDOCU or CORRECT) or a whole daily issue as govinfo bulk data
serves it (root FEDREG). Every AMDPAR becomes an Instruction, including
AMDPARs that sit directly in SUPLINF rather than in a REGTEXT. The AMDPARs
of one REGTEXT are interpreted together (``interpret_sequence``): a header
AMDPAR gives its unit and table to the lettered AMDPARs after it.

Page facts: PRTPAGE P="n" marks where page n begins, so a document whose
first PRTPAGE comes after some of its text began on page n-1.
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

from lxml import etree

from parsers.amendments import interpret_sequence
from parsers.dates import EffectiveText, dates_corrections, match_instructions, parse_fr_date, printed_number, read_effective
from parsers.errors import ParseError
from parsers.model import FRDocument, Instruction, Operation, ReprintedTable
from parsers.text import dehyphen, element_text, squash
from parsers.xmlsafe import parse_xml

DOCUMENT_TAGS = ("RULE", "PRORULE", "NOTICE", "PRESDOCU", "CORRECT")
_SINGLE_ROOTS = frozenset(DOCUMENT_TAGS)
# Siblings that end the content belonging to an AMDPAR.
_CONTENT_STOP = frozenset({"AMDPAR", "SIG", "FRDOC", "BILCOD", "LSTSUB"})
_CONTENT_SKIP = frozenset({"PRTPAGE"})

_FRDOC_RE = re.compile(r"FR\s*Doc\.?\s*(?:No\.?\s*)?([A-Z]?\d*[A-Z]?\d*(?:-[0-9A-Z]+)+|\d{2,4}-\d+)", re.IGNORECASE)
_CORRECTS_RE = re.compile(
    r"\b(?:In\s+)?(?:FR\s+Doc\.?|rule\s+document|proposed\s+rule\s+document|notice\s+document|"
    r"presidential\s+document|document)\s+(?:No\.\s*)?(\d{2,4}-\d{3,6}|E\d-\d+)",
    re.IGNORECASE,
)
_RIN_RE = re.compile(r"\b(\d{4}-[A-Z0-9]{4})\b")
_CFR_RE = re.compile(r"(\d+)\s+CFR\s+(?:Parts?|Chapters?\s+\w+,?\s*(?:Parts?)?)?\s*([^;]*)", re.IGNORECASE)
_PART_NUMBER = re.compile(r"\b\d+[a-z]?\b")


def parse_fr_xml(data: bytes, name: str, *, publication_date: date | None = None) -> tuple[FRDocument, ...]:
    """Every document in an FR XML file (single document or daily issue).

    A single document's XML carries no publication date; a caller that knows
    it (from the API's metadata) may pass it.
    """
    return parse_fr_tree(parse_xml(data, name), name, publication_date=publication_date)


def parse_fr_tree(root: etree._Element, name: str, *,
                  publication_date: date | None = None) -> tuple[FRDocument, ...]:
    """Like parse_fr_xml, on an already parsed (and never modified) tree."""
    if root.tag == "FEDREG":
        issue_date = parse_fr_date(_child_text(root, "DATE")) or publication_date
        volume = _child_text(root, "VOL")
    elif root.tag in _SINGLE_ROOTS:
        issue_date, volume = publication_date, None
    else:
        raise ParseError(name, f"not Federal Register XML: root element is <{root.tag}>")
    return tuple(_document(doc, name, issue_date, volume, page if volume else None, amdpars)
                 for doc, page, amdpars in _scan(root))


def _scan(root: etree._Element) -> list[tuple[etree._Element, str | None, list[etree._Element]]]:
    """One pass over the tree: each document, the page it starts on, its AMDPARs.

    A document starts on the page of its own first PRTPAGE when no text
    precedes that marker, else on the page of the last PRTPAGE before it.
    Documents never nest (a CORRECT section wrapping RULEs is not one), so
    every AMDPAR belongs to the document most recently opened.
    """
    found: list[list[Any]] = []   # [doc, start page or None, [AMDPAR...], page settled?]
    current: str | None = None
    for el in root.iter("PRTPAGE", "AMDPAR", *DOCUMENT_TAGS):
        tag = el.tag
        if tag == "AMDPAR":
            if found:
                found[-1][2].append(el)
            continue
        if tag == "PRTPAGE":
            page = (el.get("P") or "").strip()
            if not page.isdigit():
                continue
            if found and not found[-1][3]:
                entry = found[-1]
                out_of_order = current is not None and int(page) < int(current)  # PRESDOCS print first
                if current is None or out_of_order or not _text_before(el, entry[0]):
                    entry[1] = page
                else:
                    entry[1] = current
                entry[3] = True
            current = page
            continue
        if _is_container(el):
            continue
        if found and not found[-1][3]:
            found[-1][1], found[-1][3] = current, True
        found.append([el, None, [], False])
    if found and not found[-1][3]:
        found[-1][1] = current
    return [(doc, page, amdpars) for doc, page, amdpars, _ in found]


def _is_container(el: etree._Element) -> bool:
    """A CORRECT section that wraps RULE/NOTICE/... elements rather than being one."""
    if el.tag != "CORRECT":
        return False
    return any(child.tag in ("RULE", "PRORULE", "NOTICE", "PRESDOCU") for child in el)


def _child_text(el: etree._Element, tag: str) -> str | None:
    child = el.find(tag)
    return element_text(child) if child is not None else None


def _document(doc: etree._Element, name: str, issue_date: date | None, volume: str | None,
              start_page: str | None, amdpars: list[etree._Element]) -> FRDocument:
    frdoc = doc.find("FRDOC")
    if frdoc is None:
        frdoc = next(doc.iter("FRDOC"), None)
    if frdoc is None:
        raise ParseError(name, f"a <{doc.tag}> element has no FRDOC line, so no document number")
    match = _FRDOC_RE.search(dehyphen(element_text(frdoc)))
    if match is None:
        raise ParseError(name, f"cannot read a document number from FRDOC {element_text(frdoc)!r}")
    number = match.group(1)

    head = doc.find("PREAMB")
    fields = _preamble_fields(head if head is not None else doc)
    action_text = (fields["action"] or "").lower()
    # Old-style corrections are CORRECT documents numbered "C1-..."; today's are
    # rules/notices whose ACTION says "correction" or "correcting amendment".
    in_correction = (doc.tag == "CORRECT" or (number[:1] in "CR" and number[1:2].isdigit())
                     or "correct" in action_text or _inside_correct(doc))
    corrects = _corrected_number(number, doc) if in_correction else None

    cfr_parts = list(fields["cfr"])
    instructions = _instructions(amdpars, _single_part(cfr_parts), corrects)
    for instruction in instructions:
        if instruction.title is not None and instruction.part:
            ref = f"{instruction.title} CFR {instruction.part}"
            if ref not in cfr_parts:
                cfr_parts.append(ref)

    publication = issue_date
    stated = read_effective(fields["dates"], publication)
    effective, on_publication = stated.date, stated.on_publication
    instructions, date_problems = _dated(instructions, amdpars, stated)
    # A correction may fix another rule's DATES in its body rather than in its own DATES.
    date_changes = stated.changes + (tuple(c for el in doc.iter("P", "FP", "AMDPAR")
                                           for c in dates_corrections(element_text(el))) if in_correction else ())
    citation = None
    if volume:
        page = start_page or _first_page(doc)
        citation = f"{squash(volume)} FR {page}" if page else None
    return FRDocument(
        document_number=number,
        doc_type=doc.tag,
        agency=fields["agency"],
        subagency=fields["subagency"],
        cfr_parts=tuple(cfr_parts),
        rins=tuple(fields["rins"]),
        subject=fields["subject"],
        action=fields["action"],
        publication_date=publication,
        citation=citation,
        dates_text=fields["dates"],
        effective_date=effective,
        effective_on_publication=on_publication,
        corrects=corrects,
        instructions=tuple(instructions),
        effective_until=stated.until,
        effective_days_after_publication=stated.days_after_publication,
        effective_date_changes=date_changes,
        effective_problems=stated.problems + date_problems,
    )


def _dated(instructions: list[Instruction], amdpars: list[etree._Element], stated: EffectiveText,
           ) -> tuple[list[Instruction], tuple[str, ...]]:
    """Instructions with their printed numbers and the dates DATES exceptions give them.

    A lettered part ("a. ...") or unnumbered continuation takes the number of
    the numbered AMDPAR before it in the same REGTEXT.
    """
    numbered: list[Instruction] = []
    current: int | None = None
    parent = None
    for ins, amdpar in zip(instructions, amdpars, strict=True):
        own = printed_number(ins.text)
        if own is not None:
            current = own
        elif amdpar.getparent() is not parent:
            current = None
        parent = amdpar.getparent()
        numbered.append(replace(ins, number=current))
    problems: list[str] = []
    keys = [(ins.number, ins.text) for ins in numbered]
    for exc in stated.exceptions:
        matched = match_instructions(exc, keys)
        if not matched:
            problems.append(f"the DATES exception {exc.text!r} names no instruction of this document")
        for i in matched:
            numbered[i] = replace(numbered[i], effective_date=exc.date, effective_until=exc.until)
    return numbered, tuple(problems)


def _inside_correct(doc: etree._Element) -> bool:
    parent = doc.getparent()
    return parent is not None and parent.tag == "CORRECT"


def _corrected_number(number: str, doc: etree._Element) -> str | None:
    # "C1-2020-04178" corrects "2020-04178"; older corrections say so in the text.
    prefixed = re.match(r"^[CR]\d-(.+)$", number)
    if prefixed:
        return prefixed.group(1)
    # The corrected document is named early ("In FR Doc. 2023-24184 of ..."):
    # search paragraph by paragraph instead of building the whole text.
    for el in doc.iter("P", "FP", "AMDPAR", "SUBJECT"):
        for match in _CORRECTS_RE.finditer(dehyphen(element_text(el))):
            if match.group(1) != number:
                return match.group(1)
    return None


def _preamble_fields(head: etree._Element) -> dict[str, Any]:
    fields: dict[str, Any] = {"agency": None, "subagency": None, "cfr": [], "rins": [],
                    "subject": None, "action": None, "dates": None}
    for child in head:
        tag = child.tag
        if tag == "AGENCY" and fields["agency"] is None:
            fields["agency"] = element_text(child) or None
        elif tag == "SUBAGY" and fields["subagency"] is None:
            fields["subagency"] = element_text(child) or None
        elif tag == "CFR":
            for ref in cfr_references(element_text(child)):
                if ref not in fields["cfr"]:
                    fields["cfr"].append(ref)
        elif tag == "RIN":
            for rin in _RIN_RE.findall(dehyphen(element_text(child))):
                if rin not in fields["rins"]:
                    fields["rins"].append(rin)
        elif tag == "SUBJECT" and fields["subject"] is None:
            fields["subject"] = element_text(child) or None
        elif tag == "ACT" and fields["action"] is None:
            fields["action"] = element_text(child, skip=frozenset({"HD"})) or None
        elif tag in ("DATES", "EFFDATE") and fields["dates"] is None:
            fields["dates"] = element_text(child, skip=frozenset({"HD"})) or None
    return fields


def cfr_references(text: str) -> list[str]:
    """["37 CFR 1", "37 CFR 2"] from "37 CFR Parts 1 and 2"."""
    refs: list[str] = []
    for match in _CFR_RE.finditer(dehyphen(text)):
        title = match.group(1)
        for part in _PART_NUMBER.findall(match.group(2)):
            ref = f"{title} CFR {part}"
            if ref not in refs:
                refs.append(ref)
    return refs


def _single_part(cfr_parts: list[str]) -> tuple[int, str] | None:
    if len(cfr_parts) != 1:
        return None
    title, _, part = cfr_parts[0].partition(" CFR ")
    return int(title), part


def _instructions(amdpars: list[etree._Element], single_part: tuple[int, str] | None,
                  corrects: str | None) -> list[Instruction]:
    """Every AMDPAR as an Instruction; the AMDPARs of one REGTEXT (or one parent) are interpreted together.

    Context carries only between the AMDPARs of one parent element: a header
    "2. Supplement No. 1 to part 740 is amended by:" and its lettered parts, or
    a sentence continued in the next AMDPAR.
    """
    bare = [_instruction(amdpar, index, single_part) for index, amdpar in enumerate(amdpars)]
    parents = [amdpar.getparent() for amdpar in amdpars]   # held, so each parent keeps one proxy object
    groups: dict[int, list[int]] = {}
    for position, parent in enumerate(parents):
        groups.setdefault(id(parent), []).append(position)
    operations: dict[int, tuple[Operation, ...]] = {}
    for positions in groups.values():
        first = bare[positions[0]]
        read = interpret_sequence([(bare[i].text, bare[i].tables) for i in positions],
                                  title=first.title, part=first.part, corrects=corrects)
        operations.update(zip(positions, read, strict=True))
    return [Instruction(ins.index, ins.title, ins.part, ins.text, ins.content_tags, ins.tables, operations[i])
            for i, ins in enumerate(bare)]


def _instruction(amdpar: etree._Element, index: int, single_part: tuple[int, str] | None) -> Instruction:
    parent = amdpar.getparent()
    title: int | None = None
    part: str | None = None
    if parent is not None and parent.tag == "REGTEXT":
        raw_title = parent.get("TITLE")
        title = int(raw_title) if raw_title and raw_title.strip().isdigit() else None
        part = (parent.get("PART") or "").strip() or None
    elif single_part is not None:
        # An AMDPAR outside REGTEXT (common in daily issues) amends the document's only part.
        title, part = single_part
    tags: list[str] = []
    tables: list[ReprintedTable] = []
    for sibling in amdpar.itersiblings():
        tag = sibling.tag
        if not isinstance(tag, str) or tag in _CONTENT_SKIP:
            continue
        if tag in _CONTENT_STOP:
            break
        tags.append(tag)
        if tag == "GPOTABLE":
            tables.append(reprinted_table(sibling))
        else:
            tables.extend(reprinted_table(t) for t in sibling.iter("GPOTABLE"))
    return Instruction(index=index, title=title, part=part, text=element_text(amdpar), content_tags=tuple(tags),
                       tables=tuple(tables))


def reprinted_table(table: etree._Element) -> ReprintedTable:
    """A GPOTABLE as column heads (leaf CHEDs) and rows of cell text; ``elided`` when "* * *" rows stand for rows
    left out, so a whole-table revision knows its reprint is not the whole table."""
    title_el = table.find("TTITLE")
    title = element_text(title_el) if title_el is not None else ""
    heads: list[tuple[int, str]] = []
    box = table.find("BOXHD")
    if box is not None:
        for ched in box.iter("CHED"):
            try:
                level = int(ched.get("H", "1"))
            except ValueError:
                level = 1
            heads.append((level, element_text(ched)))
    # Only leaf heads name columns: a head followed by a deeper one is a spanner.
    leaves = tuple(text for i, (level, text) in enumerate(heads)
                   if i + 1 == len(heads) or heads[i + 1][0] <= level)
    rows = []
    elided = False
    for row in table.iter("ROW"):
        # Inlined fast path: most ENT cells are plain text without children.
        cells = tuple([" ".join(ent.text.split()) if ent.text is not None and not len(ent)
                       else element_text(ent) for ent in row.iter("ENT")])
        if not cells or (("*" in cells[0] or not cells[0]) and all(_is_stars(c) for c in cells)):
            elided = elided or any("*" in c for c in cells)   # "* * *": rows left out of the reprint
            continue
        rows.append(cells)
    return ReprintedTable(title=title or None, column_heads=leaves, rows=tuple(rows), elided=elided)


def _is_stars(cell: str) -> bool:
    return not cell.replace("*", "").strip() and "*" in cell or cell == ""


def _text_before(marker: etree._Element, doc: etree._Element) -> bool:
    """Is there any text inside ``doc`` before ``marker``?"""
    node: etree._Element | None = marker
    while node is not doc and node is not None:
        for sibling in node.itersiblings(preceding=True):
            if any(not t.isspace() for t in sibling.itertext()) or (sibling.tail and not sibling.tail.isspace()):
                return True
        parent = node.getparent()
        if parent is not None and parent.text and not parent.text.isspace():
            return True
        node = parent
    return False


def _first_page(doc: etree._Element) -> str | None:
    seen_text = False
    for el in doc.iter():
        tag = el.tag
        if tag == "PRTPAGE":
            page = (el.get("P") or "").strip()
            if not page.isdigit():
                return None
            return str(int(page) - 1) if seen_text else page
        if el.text and not el.text.isspace() and tag not in ("FRDOC", "BILCOD"):
            seen_text = True
    return None
