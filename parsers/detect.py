"""Which kind of file is this, its parse, and its JSON/text rendering.

The JSON shape below is a contract scripts rely on (README, "JSON contracts"):

    {"type": "fr_documents", "documents": [{"document_number", "citation",
      "publication_date", "effective_date", "rins", "cfr_parts",
      "instructions": [{"title", "part", "text", "operations": [{"action",
        "table", "country", "marks"}]}]}]}
      (an operation also carries "column" for add_mark/remove_mark, "review"
      with a ReviewReason value when it is held for a person, "text" then)
    {"type": "country_groups", "columns": {...}, "memberships": [{"country", "group"}], "notes": [...]}
    {"type": "itar_126_1", "countries": [...], "entries": [{"country", "printed", "in_d1", "in_d2",
      "d2_paragraph", "paragraph"}], "review": [{"country", "reason"}]}

The lists beyond Country Groups (§ 744.21, § 744.22, the Entity List) extend it. An FR document's
instructions also carry the § 744.21/§ 744.22 and Entity List operations
(``{"action", "table": "15 CFR 744.21"|"15 CFR 744.22"|"Entity List",
"country", "marks": null}``, Entity List ones with "entity" and, where known,
"changed", "moved_from"/"moved_to"; "corrects" on a correction), and the
document gains "listings" (complete section lists a revision reprinted) and
"review" (``[{"reason", "detail", "text", "table", "instruction"}]``: what
those parsers could not determine exactly). eCFR versions:

    {"type": "sections_744", "version_date", "sections": [{"section", "table", "countries",
      "heading_countries", "paragraph_a_countries", "printed", "groups"}], "review": [...]}
    {"type": "entity_list", "version_date", "entries": [{"country", "country_printed", "entity",
      "aliases", "address", "license_requirement", "review_policy", "citations", "footnotes"}],
      "review": [...]}

Dates are ISO 8601; actions are Action values, reasons ReviewReason values.
Extra keys may be added, never renamed or removed.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from parsers.ecfr_groups import country_groups_from_tree
from parsers.entity_list import EntityList, entity_list_changes_from_tree, entity_list_from_tree, entity_tables
from parsers.errors import ParseError
from parsers.fr_xml import DOCUMENT_TAGS, parse_fr_tree
from parsers.itar import find_section, itar_from_tree
from parsers.lists_common import DocumentListChanges
from parsers.model import CountryGroupTable, DocumentKind, EntityEntry, FRDocument, ItarList, Operation, ReviewItem
from parsers.section_amendments import section_changes_from_tree
from parsers.sections_744 import SectionCountryList, section_divs, sections_from_tree
from parsers.xmlsafe import parse_xml

_FR_ROOTS = frozenset(("FEDREG", *DOCUMENT_TAGS))


@dataclass(frozen=True)
class FRFile:
    """An FR XML file: its documents, and what each does to the lists beyond Country Groups.

    ``sections`` and ``entity_list`` hold one ``DocumentListChanges`` per
    document, in the order of ``documents``.
    """

    documents: tuple[FRDocument, ...]
    sections: tuple[DocumentListChanges, ...]
    entity_list: tuple[DocumentListChanges, ...]


# What parse_file yields, one type per DocumentKind.
ParsedFile = FRFile | CountryGroupTable | tuple[SectionCountryList, ...] | EntityList | ItarList


def parse_file(data: bytes, name: str) -> tuple[DocumentKind, ParsedFile]:
    """(DocumentKind, result) for FR XML, eCFR Supplement No. 1 to part 740, § 744.21/§ 744.22,
    Supplement No. 4 to part 744 (the Entity List), or 22 CFR 126.1.

    A file holding both the Entity List and the sections (all of part 744)
    is read as the Entity List; the fetcher stores each unit apart.
    """
    root = parse_xml(data, name)
    if root.tag in _FR_ROOTS:
        documents = parse_fr_tree(root, name)
        return DocumentKind.FR_DOCUMENTS, FRFile(
            documents, section_changes_from_tree(root, name, documents),
            entity_list_changes_from_tree(root, name, documents=documents))
    if find_section(root) is not None:
        return DocumentKind.ITAR_126_1, itar_from_tree(root, name)
    if entity_tables(root):
        return DocumentKind.ENTITY_LIST, entity_list_from_tree(root, name)
    if section_divs(root):
        return DocumentKind.SECTIONS_744, sections_from_tree(root, name)
    try:
        return DocumentKind.COUNTRY_GROUPS, country_groups_from_tree(root, name)
    except ParseError as exc:
        if "no Country Group tables" in exc.problem:
            raise ParseError(name, f"unrecognized document: root <{root.tag}> is neither FR XML, "
                                   "Supplement No. 1 to part 740, § 744.21 or § 744.22, "
                                   "Supplement No. 4 to part 744, nor 22 CFR 126.1") from None
        raise


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def operation_json(op: Operation) -> dict[str, Any]:
    """One operation as ``parse --json`` prints it, for every list (Country Groups, § 744.21/22, Entity List)."""
    data: dict[str, Any] = {"action": op.action.value, "table": op.table, "country": op.country, "marks": op.marks}
    if op.entity is not None:
        data["entity"] = op.entity
    if op.changed is not None:
        data["changed"] = sorted(f.value for f in op.changed)
    for key in ("moved_from", "moved_to"):
        if getattr(op, key):
            data[key] = getattr(op, key)
    if op.corrects:
        data["corrects"] = op.corrects
    if op.action.value == "revise_table":
        data["entries"] = [{"country": e.country, "marks": e.marks_dict()} for e in op.entries]
    if op.column:
        data["column"] = op.column
    if op.review is not None:
        data["review"] = op.review.value
    if op.action.value == "unrecognized" or op.review is not None:
        data["text"] = op.text
    return data


def review_json(item: ReviewItem) -> dict[str, Any]:
    """One review item of the lists beyond Country Groups, as ``parse --json`` prints it."""
    return {"reason": item.reason.value, "detail": item.detail, "text": item.text, "table": item.table,
            "instruction": item.instruction}


def _list_operations(changes: tuple[DocumentListChanges, ...]) -> dict[int, list[Operation]]:
    """AMDPAR index -> the list operations it makes, § 744.21/22 before the Entity List."""
    by_instruction: dict[int, list[Operation]] = defaultdict(list)
    for change in changes:
        for op in change.operations:
            if op.instruction is not None:   # the lists' interpreters always set it
                by_instruction[op.instruction].append(op)
    return by_instruction


def _document_json(doc: FRDocument, lists: tuple[DocumentListChanges, ...] = ()) -> dict[str, Any]:
    extra = _list_operations(lists)
    return {
        "document_number": doc.document_number,
        "doc_type": doc.doc_type,
        "citation": doc.citation,
        "publication_date": _iso(doc.publication_date),
        "effective_date": _iso(doc.effective_date),
        "effective_on_publication": doc.effective_on_publication,
        "rins": list(doc.rins),
        "cfr_parts": list(doc.cfr_parts),
        "agency": doc.agency,
        "subagency": doc.subagency,
        "subject": doc.subject,
        "action": doc.action,
        "dates_text": doc.dates_text,
        "corrects": doc.corrects,
        "effective_until": _iso(doc.effective_until),
        "effective_days_after_publication": doc.effective_days_after_publication,
        "effective_date_changes": [
            {"kind": c.kind.value, "old_date": _iso(c.old_date), "new_date": _iso(c.new_date),
             "document_number": c.document_number, "citation": c.citation, "published": _iso(c.published),
             "text": c.text} for c in doc.effective_date_changes],
        "effective_problems": list(doc.effective_problems),
        "instructions": [
            {"title": i.title, "part": i.part, "text": i.text, "number": i.number,
             "effective_date": _iso(i.effective_date), "effective_until": _iso(i.effective_until),
             "operations": [operation_json(op) for op in (*i.operations, *extra.get(i.index, ()))]}
            for i in doc.instructions
        ],
        "listings": [{"table": listing.table, "countries": list(listing.countries), "instruction": listing.instruction}
                     for change in lists for listing in change.listings],
        "review": [review_json(item) for change in lists for item in change.review],
    }


def _section_json(section: SectionCountryList) -> dict[str, Any]:
    return {"section": section.section, "table": section.table, "countries": list(section.countries),
            "heading_countries": list(section.heading_countries),
            "paragraph_a_countries": list(section.paragraph_a_countries), "printed": list(section.printed),
            "groups": list(section.groups)}


def _entity_json(entry: EntityEntry) -> dict[str, Any]:
    return {"country": entry.destination, "country_printed": entry.destination_printed, "entity": entry.name,
            "aliases": list(entry.aliases), "address": entry.address,
            "license_requirement": entry.license_requirement, "review_policy": entry.review_policy,
            "citations": list(entry.citations), "footnotes": list(entry.footnotes)}


def to_json(kind: DocumentKind, result: ParsedFile) -> dict[str, Any]:
    """The ``parse --json`` object; ``result`` is what parse_file returned with ``kind``."""
    if isinstance(result, FRFile):
        fr = result
        return {"type": kind.value, "documents": [_document_json(d, (s, e)) for d, s, e in
                                                  zip(fr.documents, fr.sections, fr.entity_list, strict=True)]}
    if isinstance(result, tuple):
        sections = result
        return {"type": kind.value, "version_date": _iso(sections[0].version_date),
                "sections": [_section_json(s) for s in sections],
                "review": [review_json(p) for s in sections for p in s.problems]}
    if isinstance(result, EntityList):
        entities = result
        return {"type": kind.value, "version_date": _iso(entities.version_date),
                "entries": [_entity_json(e) for e in entities.entries],
                "review": [review_json(p) for p in entities.problems]}
    if isinstance(result, CountryGroupTable):
        table = result
        return {
            "type": kind.value,
            "version_date": _iso(table.version_date),
            "columns": table.columns(),
            "memberships": [{"country": c, "group": g} for c, g in sorted(table.memberships())],
            "notes": [{"table": n.table, "marker": n.marker, "text": n.text} for n in table.notes],
        }
    if isinstance(result, ItarList):
        itar = result
        return {"type": kind.value, "version_date": _iso(itar.version_date), "countries": list(itar.countries),
                "entries": [{"country": e.country, "printed": e.printed, "in_d1": e.in_d1, "in_d2": e.in_d2,
                             "d2_paragraph": e.d2_paragraph, "paragraph": e.paragraph} for e in itar.entries],
                "review": [{"country": r.country, "reason": r.reason} for r in itar.review]}
    raise ValueError(f"unknown kind {kind!r}")


def _operation_text(op: Operation, own: str) -> str:
    if op.entity is not None:
        moved = (f" (moved from {op.moved_from})" if op.moved_from else "") + \
            (f" (moved to {op.moved_to})" if op.moved_to else "")
        corrects = f" (corrects {op.corrects})" if op.corrects else ""
        return f"  {op.action.value} {op.table} {op.country}: {op.entity}{moved}{corrects}{own}"
    marks = ""
    if op.marks:
        marks = " [" + " ".join(c for c, m in op.marks.items() if m) + "]"
    column = f" {op.column}" if op.column else ""
    review = f" (review: {op.review.value})" if op.review else ""
    return f"  {op.action.value} {op.table or '?'}{column} {op.country or ''}{marks}{own}".rstrip() + review


def _review_text(item: ReviewItem) -> str:
    return f"  review ({item.reason.value}): {item.detail or item.reason.description}"


def _fr_text(fr: FRFile) -> list[str]:
    lines = [f"{len(fr.documents)} Federal Register document{'' if len(fr.documents) == 1 else 's'}"]
    for doc, sections, entities in zip(fr.documents, fr.sections, fr.entity_list, strict=True):
        eff = doc.effective_date.isoformat() if doc.effective_date else "-"
        pub = doc.publication_date.isoformat() if doc.publication_date else "-"
        cited = f" {doc.citation}" if doc.citation else ""
        lines.append(f"FR Doc. {doc.document_number} ({doc.doc_type}){cited} "
                     f"published {pub} effective {eff}: {doc.subject or ''}".rstrip())
        for c in doc.effective_date_changes:
            named = c.document_number or c.citation or (c.published and f"the rule published {c.published}")
            lines.append(f"  {c.kind.value}: effective date of {named or '?'} moves from "
                         f"{_iso(c.old_date) or '?'} to {_iso(c.new_date) or '?'}")
        for problem in doc.effective_problems:
            lines.append(f"  effective date not exact: {problem}")
        extra = _list_operations((sections, entities))
        for ins in doc.instructions:
            own = f" (effective {ins.effective_date.isoformat()})" if ins.effective_date else ""
            lines.extend(_operation_text(op, own) for op in (*ins.operations, *extra.get(ins.index, ())))
        lines.extend(_review_text(item) for change in (sections, entities) for item in change.review)
    return lines


def to_text(kind: DocumentKind, result: ParsedFile) -> str:
    """A short human summary of what a file yields (``kind`` and ``result`` as parse_file returned them)."""
    lines: list[str] = []
    if isinstance(result, FRFile):
        lines = _fr_text(result)
    elif isinstance(result, CountryGroupTable):
        lines.append(f"Supplement No. 1 to part 740 ({result.version_date or 'undated'}): "
                     f"{len(result.memberships())} memberships")
        for table in result.tables:
            lines.append(f"  {table.title}: {len(table.rows)} countries, columns "
                         + ", ".join(c.code for c in table.columns))
        lines.append(f"  Country Group B: {len(result.b_list)} countries")
    elif isinstance(result, tuple):
        for section in result:
            lines.append(f"{section.table} ({section.version_date or 'undated'}): {len(section.countries)} countries: "
                         + "; ".join(section.countries))
            if section.groups:
                lines.append("  and Country Groups " + ", ".join(section.groups))
            lines.extend(_review_text(p) for p in section.problems)
    elif isinstance(result, EntityList):
        destinations = len({e.destination for e in result.entries})
        lines.append(f"Supplement No. 4 to part 744, the Entity List ({result.version_date or 'undated'}): "
                     f"{len(result.entries)} entries under {destinations} destinations")
        for entry in result.entries:
            aka = f" (a.k.a. {'; '.join(entry.aliases)})" if entry.aliases else ""
            lines.append(f"  {entry.destination}: {entry.name}{aka}")
        lines.extend(_review_text(p) for p in result.problems)
    else:
        lines.append(f"22 CFR 126.1: {len(result.countries)} proscribed countries")
        lines.append("  " + "; ".join(result.countries))
        lines.extend(f"  review: {r.country}: {r.reason}" for r in result.review)
    return "\n".join(lines) + "\n"
