"""FR amendatory instructions on § 744.21 / § 744.22 -> add/remove/revise a country.

The passes, each a small function:

1. ``normalize_instruction`` (lists_common) quotes of every style to '"'
2. ``named_sections``      which of 744.21/744.22 the instruction (or a clause) amends
3. ``split_lettered`` + ``split_verbs``   one clause per change; "removing X and
                           adding in their place Y" stays one clause
4. ``locations``           does the clause touch the heading, paragraph (a), or
                           only other paragraphs (then it yields nothing)
5. ``quoted_countries``    the countries of the words added/removed; the words
                           after "after"/"before" are only an anchor
6. ``interpret``           the chain; revisions read the reprinted SECTION text

Operations are ``parsers.model.Operation`` values (table "15 CFR 744.21" /
"15 CFR 744.22", ``Action`` ADD_ENTRY / REMOVE_ENTRY / REVISE_ENTRY), as for
Country Groups. Whatever is not exact becomes a ``parsers.model.ReviewItem``
with its ``ReviewReason`` and the clause: an unknown name, a clause that does
not say where, a verb not understood, a revision without its reprint, a
reprint whose heading and (a) disagree.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lxml import etree

from parsers.countries import resolve
from parsers.lists_common import SECTION_TABLES, DocumentListChanges, SectionListing, fr_documents, normalize_instruction
from parsers.model import Action, FRDocument, Operation, ReviewItem, ReviewReason
from parsers.sections_744 import HEADING_WITHOUT_COUNTRIES, _strip_country_parentheticals, paragraph_text, section_list_from_text
from parsers.text import element_text, split_lettered
from parsers.xmlsafe import parse_xml

_SECTIONS = re.compile(r"(?:§§?|\bSections?)\s*((?:744\.\d+)(?:\s*(?:,|and|or)\s*744\.\d+)*)", re.IGNORECASE)
_NUMBER = re.compile(r"744\.\d+")
_VERB_SPLIT = re.compile(
    r"(?:;\s*(?:and\s+)?|,?\s+and\s+)(?:by\s+)?(?=(?:removing|adding|revising)\b)(?!adding\s+in\s+(?:its|their)\s+place)",
    re.IGNORECASE)
_HEADING = re.compile(r"\b(?:section\s+)?headings?\b", re.IGNORECASE)
_PARAGRAPHS = re.compile(r"\bparagraphs?\s+((?:\(\w+\))+(?:\s*(?:,|and|or|through)\s*(?:\(\w+\))+)*)", re.IGNORECASE)
_REF = re.compile(r"(?:\(\w+\))+")
_REVISE = re.compile(r"\brevis(?:e|es|ed|ing)\b|\bcorrect(?:s|ed|ing)?\b", re.IGNORECASE)
_READ = re.compile(r"\bto\s+read\b|\bread(?:s)?\s+as\s+follows\b", re.IGNORECASE)
_REPLACE = re.compile(r"\bremov\w*\s+(?:the\s+)?(?:words?|phrases?)?\s*\"([^\"]*)\".*?\badd\w*\s+in\s+(?:its|their)\s+place\s+"
                      r"(?:the\s+)?(?:words?|phrases?)?\s*\"([^\"]*)\"", re.IGNORECASE)
_ADD = re.compile(r"\badd(?:s|ed|ing)?\s*,?\s+(?:in\s+alphabetical\s+order\s*,?\s+)?"
                  r"(?:the\s+)?(?:words?|phrases?|countr(?:y|ies))?\s*\"([^\"]*)\"", re.IGNORECASE)
_REMOVE = re.compile(r"\b(?:remov|delet)(?:e|es|ed|ing)\s+(?:the\s+)?(?:words?|phrases?|countr(?:y|ies))?\s*\"([^\"]*)\"",
                     re.IGNORECASE)
_EVERYWHERE = re.compile(r"\b(?:wherever|each\s+place|everywhere)\b.*?\bappears?\b|\bthroughout\s+the\s+section\b",
                         re.IGNORECASE)
_ANY_VERB = re.compile(r"\b(?:add|remov|revis|delet|correct)\w*", re.IGNORECASE)


@dataclass(frozen=True)
class SectionReprint:
    """The text printed after an AMDPAR for one section: its heading (SUBJECT) and paragraphs."""

    section: str
    heading: str | None
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class SectionInterpretation:
    """What one AMDPAR does to the § 744.21/§ 744.22 lists."""

    operations: tuple[Operation, ...] = ()
    listings: tuple[SectionListing, ...] = ()
    review: tuple[ReviewItem, ...] = ()


# -- pass 2 ---------------------------------------------------------------
def named_sections(text: str) -> tuple[str, ...]:
    """("744.21", "744.22") for "Sections 744.21 and 744.22 are amended"; other sections are dropped."""
    found: list[str] = []
    for match in _SECTIONS.finditer(text):
        found.extend(n for n in _NUMBER.findall(match.group(1)) if n not in found)
    return tuple(found)


def split_verbs(clause: str) -> list[str]:
    return [c.strip() for c in _VERB_SPLIT.split(clause) if c.strip()]


# -- pass 4 ---------------------------------------------------------------
def locations(clause: str) -> tuple[bool, bool, bool]:
    """(heading, paragraph (a), some other place named) for a clause."""
    if _EVERYWHERE.search(clause):        # "wherever it appears": the heading and paragraph (a) too
        return True, True, True
    heading = bool(_HEADING.search(clause))
    refs = [r for m in _PARAGRAPHS.finditer(clause) for r in _REF.findall(m.group(1))]
    # The list is in paragraph (a)'s own text: a subparagraph "(a)(1)" is another place, like (b).
    para_a = "(a)" in refs
    other = any(r != "(a)" for r in refs) or "introductory text" in clause.lower()
    return heading, para_a, other


# -- pass 5 ---------------------------------------------------------------
def quoted_countries(quoted: str) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """(((canonical, printed), ...), unknown) for quoted words such as "Burma, Cambodia," or "Nicaragua,"."""
    pieces = [p.strip(" .;:") for p in re.split(r",|\bor\b|\band\b", _strip_country_parentheticals(quoted))]
    pieces = [re.sub(r"^the\s+", "", p, flags=re.IGNORECASE) for p in pieces if p]
    found: list[tuple[str, str]] = []
    unknown: list[str] = []
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        joined = f"{piece}, {pieces[i + 1]}" if i + 1 < len(pieces) else ""
        country = resolve(joined) if joined else None     # "Korea, North"
        if country:
            found.append((country.name, joined))
            i += 2
            continue
        country = resolve(piece)
        if country:
            found.append((country.name, piece))
        elif piece[:1].isupper():
            unknown.append(piece)
        i += 1
    return tuple(found), tuple(unknown)


# -- pass 6 ---------------------------------------------------------------
def interpret(text: str, reprints: tuple[SectionReprint, ...] = (), *, title: int | None = None,
              part: str | None = None, corrects: str | None = None,
              instruction: int | None = None) -> SectionInterpretation:
    """What one AMDPAR does to the § 744.21/§ 744.22 country lists; empty when it is about neither."""
    if title not in (None, 15) or part not in (None, "744"):
        return SectionInterpretation()
    text = normalize_instruction(text)
    header, parts = split_lettered(text)
    default = tuple(s for s in named_sections(header or text) if s in SECTION_TABLES)
    if not default and not any(s in SECTION_TABLES for s in named_sections(text)):
        return SectionInterpretation()
    operations: list[Operation] = []
    listings: list[SectionListing] = []
    review: list[ReviewItem] = []
    for part_text in parts:
        for clause in split_verbs(part_text):
            named = named_sections(clause)
            sections = tuple(s for s in named if s in SECTION_TABLES) if named else default
            for section in sections:
                ops, lists, items = _clause(section, clause, reprints, corrects, instruction)
                operations += ops
                listings += lists
                review += items
    return SectionInterpretation(tuple(operations), tuple(listings), tuple(review))


# What one clause yields: operations, complete listings, review items.
_Clause = tuple[list[Operation], list[SectionListing], list[ReviewItem]]


def _clause(section: str, clause: str, reprints: tuple[SectionReprint, ...], corrects: str | None,
            instruction: int | None) -> _Clause:
    table = SECTION_TABLES[section]
    heading, para_a, other = locations(clause)

    def item(reason: ReviewReason, detail: str) -> ReviewItem:
        return ReviewItem(reason, detail, clause, table, instruction)

    if not (heading or para_a):
        if other:
            return [], [], []          # another paragraph of the section: not the list
        if _ANY_VERB.search(clause) and '"' in clause:
            return [], [], [item(ReviewReason.NO_LOCATION,
                                 f"§ {section}: the instruction does not say where the words change "
                                 "(heading, paragraph (a) or another paragraph)")]
        return [], [], []
    if _REVISE.search(clause) and _READ.search(clause) and '"' not in clause:
        return _revision(section, clause, heading, para_a, reprints, corrects, instruction, item)
    changes = _word_changes(clause)
    if changes is None:
        return [], [], [item(ReviewReason.UNRECOGNIZED_WORDING,
                             f"§ {section}: wording not understood for the heading/paragraph (a)")]
    added, removed, unknown = changes
    if unknown:
        return [], [], [item(ReviewReason.UNKNOWN_COUNTRY,
                             f"§ {section}: {', '.join(repr(u) for u in unknown)} resolves to no country")]
    if not para_a:
        return [], [], [item(ReviewReason.PARTIAL_CHANGE,
                             f"§ {section}: changes the section heading only, not paragraph (a)")]

    def op(action: Action, country: str, printed: str) -> Operation:
        return Operation(action, table, country, text=clause, corrects=corrects, printed=printed,
                         instruction=instruction)

    ops = [op(Action.ADD_ENTRY, c, p) for c, p in added] + [op(Action.REMOVE_ENTRY, c, p) for c, p in removed]
    if not ops:
        if _REPLACE.search(clause) and not unknown:
            return [], [], []      # words replaced by words naming the same countries: the list is unchanged
        return [], [], [item(ReviewReason.NO_COUNTRY,
                             f"§ {section}: the words changed in the heading/paragraph (a) name no country")]
    notes: list[ReviewItem] = []
    if not heading and section not in HEADING_WITHOUT_COUNTRIES:
        notes.append(item(ReviewReason.PARTIAL_CHANGE, f"§ {section}: paragraph (a) changes but the heading does not"))
    return ops, [], notes


def _word_changes(clause: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]], tuple[str, ...]] | None:
    """(added, removed, unknown) countries of a words clause; None when no quoted change is understood."""
    replace = _REPLACE.search(clause)
    if replace:
        old, old_unknown = quoted_countries(replace.group(1))
        new, new_unknown = quoted_countries(replace.group(2))
        old_names, new_names = {c for c, _ in old}, {c for c, _ in new}
        return ([p for p in new if p[0] not in old_names], [p for p in old if p[0] not in new_names],
                old_unknown + new_unknown)
    add, remove = _ADD.search(clause), _REMOVE.search(clause)
    if add and not remove:
        found, unknown = quoted_countries(add.group(1))
        return list(found), [], unknown
    if remove and not add:
        found, unknown = quoted_countries(remove.group(1))
        return [], list(found), unknown
    return None


def _revision(section: str, clause: str, heading: bool, para_a: bool, reprints: tuple[SectionReprint, ...],
              corrects: str | None, instruction: int | None, item: Callable[[ReviewReason, str], ReviewItem]) -> _Clause:
    table = SECTION_TABLES[section]
    reprint = next((r for r in reprints if r.section == section), None)
    reprinted_a = paragraph_text(list(reprint.paragraphs)) if reprint else None
    if reprint is None or (para_a and reprinted_a is None) or (heading and not reprint.heading):
        return [], [], [item(ReviewReason.TEXT_NOT_REPRINTED,
                             f"§ {section}: revised text not found in the reprint after the instruction")]
    if not para_a or reprinted_a is None:   # (with para_a, a missing reprint returned above)
        return [], [], [item(ReviewReason.PARTIAL_CHANGE,
                             f"§ {section}: revises the section heading only, not paragraph (a)")]
    heading_text = (reprint.heading or "") if heading else ""   # (with heading, reprint.heading is set)
    listed = section_list_from_text(section, heading_text, reprinted_a)
    # With the heading not revised, its (empty) list disagreeing with (a) is no problem of the reprint.
    problems = [p for p in listed.problems if heading or p.reason is not ReviewReason.PLACES_DISAGREE]
    if problems:
        return [], [], [item(p.reason, p.detail) for p in problems]
    if not listed.countries:       # an empty complete list would remove every country: never from a misread
        return [], [], [item(ReviewReason.NO_COUNTRY, f"§ {section}: the revised text names no country")]
    ops = [Operation(Action.REVISE_ENTRY, table, c, text=clause, corrects=corrects, printed=c, instruction=instruction)
           for c in listed.countries]
    notes: list[ReviewItem] = []
    if not heading and section not in HEADING_WITHOUT_COUNTRIES:
        notes.append(item(ReviewReason.PARTIAL_CHANGE, f"§ {section}: paragraph (a) revised but the heading is not"))
    return ops, [SectionListing(table, listed.countries, instruction)], notes


# ------------------------------------------------------------- documents

def section_reprints(content: tuple[etree._Element, ...]) -> tuple[SectionReprint, ...]:
    """The SECTION text printed after an AMDPAR (SECTNO, SUBJECT, P), one per section."""
    out = []
    for el in content:
        for section in ([el] if el.tag == "SECTION" else list(el.iter("SECTION"))):
            number = section.find("SECTNO")
            match = _NUMBER.search(element_text(number)) if number is not None else None
            if not match:
                continue
            subject = section.find("SUBJECT")
            out.append(SectionReprint(match.group(0), element_text(subject) if subject is not None else None,
                                      tuple(element_text(p) for p in section if p.tag in ("P", "FP"))))
    return tuple(out)


def parse_section_changes(data: bytes, name: str) -> tuple[DocumentListChanges, ...]:
    """Per FR document of an XML file: what its instructions do to the § 744.21/§ 744.22 lists."""
    return section_changes_from_tree(parse_xml(data, name), name)


def section_changes_from_tree(root: etree._Element, name: str, documents: Sequence[FRDocument] | None = None
                              ) -> tuple[DocumentListChanges, ...]:
    """Like parse_section_changes on a parsed tree; ``documents``: its parse_fr_tree result, if at hand."""
    out = []
    for doc in fr_documents(root, name, documents):
        operations: list[Operation] = []
        listings: list[SectionListing] = []
        review: list[ReviewItem] = []
        for amdpar in doc.amdpars:
            result = interpret(amdpar.text, section_reprints(amdpar.content), title=amdpar.title,
                               part=amdpar.part, corrects=doc.corrects, instruction=amdpar.index)
            operations += result.operations
            listings += result.listings
            review += result.review
        out.append(DocumentListChanges(doc.document_number, doc.corrects, tuple(operations), tuple(review),
                                       tuple(listings)))
    return tuple(out)
