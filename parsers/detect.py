"""Which kind of file is this, its parse, and its JSON/text rendering.

The JSON shape below is a contract later tools rely on (issue 4):

    {"type": "fr_documents", "documents": [{"document_number", "citation",
      "publication_date", "effective_date", "rins", "cfr_parts",
      "instructions": [{"title", "part", "text", "operations": [{"action",
        "table", "country", "marks"}]}]}]}
      (an operation also carries "column" for add_mark/remove_mark, "review"
      with a ReviewReason value when it is held for a person, "text" then)
    {"type": "country_groups", "columns": {...}, "memberships": [{"country", "group"}], "notes": [...]}
    {"type": "itar_126_1", "countries": [...], "entries": [{"country", "printed", "in_d1", "in_d2",
      "d2_paragraph", "paragraph"}], "review": [{"country", "reason"}]}

Dates are ISO 8601; actions are Action values. Extra keys may be added,
never renamed or removed.
"""
from __future__ import annotations

from parsers.ecfr_groups import country_groups_from_tree
from parsers.errors import ParseError
from parsers.fr_xml import DOCUMENT_TAGS, parse_fr_tree
from parsers.itar import find_section, itar_from_tree
from parsers.model import CountryGroupTable, DocumentKind, FRDocument, ItarList, Operation
from parsers.xmlsafe import parse_xml

_FR_ROOTS = frozenset(("FEDREG", *DOCUMENT_TAGS))


def parse_file(data: bytes, name: str):
    """(DocumentKind, result) for FR XML, eCFR Supplement No. 1 to part 740, or 22 CFR 126.1."""
    root = parse_xml(data, name)
    if root.tag in _FR_ROOTS:
        return DocumentKind.FR_DOCUMENTS, parse_fr_tree(root, name)
    if find_section(root) is not None:
        return DocumentKind.ITAR_126_1, itar_from_tree(root, name)
    try:
        return DocumentKind.COUNTRY_GROUPS, country_groups_from_tree(root, name)
    except ParseError as exc:
        if "no Country Group tables" in exc.problem:
            raise ParseError(name, f"unrecognized document: root <{root.tag}> is neither FR XML, "
                                   "Supplement No. 1 to part 740, nor 22 CFR 126.1") from None
        raise


def _iso(value):
    return value.isoformat() if value is not None else None


def operation_json(op: Operation) -> dict:
    """One operation as ``parse --json`` prints it, for every list (Country Groups, § 744.21/22, Entity List)."""
    data = {"action": op.action.value, "table": op.table, "country": op.country, "marks": op.marks}
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


def _document_json(doc: FRDocument) -> dict:
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
             "operations": [operation_json(op) for op in i.operations]}
            for i in doc.instructions
        ],
    }


def to_json(kind: DocumentKind, result) -> dict:
    if kind is DocumentKind.FR_DOCUMENTS:
        return {"type": kind.value, "documents": [_document_json(d) for d in result]}
    if kind is DocumentKind.COUNTRY_GROUPS:
        table: CountryGroupTable = result
        return {
            "type": kind.value,
            "version_date": _iso(table.version_date),
            "columns": table.columns(),
            "memberships": [{"country": c, "group": g} for c, g in sorted(table.memberships())],
            "notes": [{"table": n.table, "marker": n.marker, "text": n.text} for n in table.notes],
        }
    if kind is DocumentKind.ITAR_126_1:
        itar: ItarList = result
        return {"type": kind.value, "version_date": _iso(itar.version_date), "countries": list(itar.countries),
                "entries": [{"country": e.country, "printed": e.printed, "in_d1": e.in_d1, "in_d2": e.in_d2,
                             "d2_paragraph": e.d2_paragraph, "paragraph": e.paragraph} for e in itar.entries],
                "review": [{"country": r.country, "reason": r.reason} for r in itar.review]}
    raise ValueError(f"unknown kind {kind!r}")


def to_text(kind: DocumentKind, result) -> str:
    """A short human summary of what a file yields."""
    lines: list[str] = []
    if kind is DocumentKind.FR_DOCUMENTS:
        lines.append(f"{len(result)} Federal Register document{'' if len(result) == 1 else 's'}")
        for doc in result:
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
            for ins in doc.instructions:
                own = f" (effective {ins.effective_date.isoformat()})" if ins.effective_date else ""
                for op in ins.operations:
                    marks = ""
                    if op.marks:
                        marks = " [" + " ".join(c for c, m in op.marks.items() if m) + "]"
                    column = f" {op.column}" if op.column else ""
                    review = f" (review: {op.review.value})" if op.review else ""
                    lines.append(f"  {op.action.value} {op.table or '?'}{column} {op.country or ''}{marks}{own}".rstrip()
                                 + review)
    elif kind is DocumentKind.COUNTRY_GROUPS:
        lines.append(f"Supplement No. 1 to part 740 ({result.version_date or 'undated'}): "
                     f"{len(result.memberships())} memberships")
        for table in result.tables:
            lines.append(f"  {table.title}: {len(table.rows)} countries, columns "
                         + ", ".join(c.code for c in table.columns))
        lines.append(f"  Country Group B: {len(result.b_list)} countries")
    else:
        lines.append(f"22 CFR 126.1: {len(result.countries)} proscribed countries")
        lines.append("  " + "; ".join(result.countries))
        lines.extend(f"  review: {r.country}: {r.reason}" for r in result.review)
    return "\n".join(lines) + "\n"
