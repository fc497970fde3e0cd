"""What an FR rule would do to a given Supplement No. 1 table: ``frtrack predict``.

The analyst's "what will this change?" and a test seam for the interpreter:
a rule (published or public-inspection FR XML, one document or a daily issue)
is applied to one eCFR version of Supplement No. 1 to part 740, and the
result is the exact deltas plus every operation held for a person. Deltas
name each country the way the given table prints it, so they can be read
against that table.

JSON contract (one document)::

    {"document_number", "effective_date",
     "deltas": [{"country", "group", "action": "added"|"removed"}],
     "review": [{"instruction", "text", "reason"}]}

``instruction`` is the AMDPAR's 0-based position in its document (as in
``Instruction.index``), ``reason`` a ``ReviewReason`` value. A daily issue
(root FEDREG) gives ``{"documents": [one object per document]}``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from parsers.countries import canonical_name, country_key, split_country
from parsers.ecfr_groups import parse_country_groups
from parsers.exceptions import ParseError
from parsers.fr_xml import parse_fr_tree
from parsers.model import CountryGroupTable, FRDocument, ReviewReason
from parsers.xmlsafe import parse_xml
from pipeline.history import Delta, predict_detailed
from store.enums import ChangeAction


@dataclass(frozen=True)
class ReviewLine:
    """An operation of the rule that is not applied: where it is, its words, why."""

    instruction: int | None
    text: str
    reason: ReviewReason


@dataclass(frozen=True)
class DocumentPrediction:
    """One FR document's predicted effect on the given table."""

    document_number: str
    effective_date: date | None
    deltas: tuple[Delta, ...]
    review: tuple[ReviewLine, ...]


@dataclass(frozen=True)
class PredictResult:
    """Every document of the rule file; ``issue`` when the file is a daily issue (root FEDREG)."""

    documents: tuple[DocumentPrediction, ...]
    issue: bool


def _table_spelling(table: CountryGroupTable) -> dict[str, str]:
    """Country identity -> the table's own printed name for it (footnote digits off), B names included."""
    printed = [(row.country, row.printed) for t in table.tables for row in t.rows]
    printed += [(country_key(p), p) for p in table.b_printed]
    spelled: dict[str, str] = {}
    for key, name in printed:
        spelled.setdefault(canonical_name(key) or key, split_country(name)[0])
    return spelled


def predict_document(doc: FRDocument, table: CountryGroupTable) -> DocumentPrediction:
    """Apply one document's operations to ``table``; countries spelled as the table spells them."""
    operations = [op for ins in doc.instructions for op in ins.operations]
    where = {id(op): ins.index for ins in doc.instructions for op in ins.operations}
    result = predict_detailed(table.memberships(), operations)
    spelled = _table_spelling(table)
    deltas = tuple(Delta(spelled.get(canonical_name(d.country) or d.country, d.country), d.group, d.action)
                   for d in result.deltas)
    review = tuple(ReviewLine(where.get(id(item.operation)), item.operation.text, item.reason)
                   for item in result.review)
    return DocumentPrediction(doc.document_number, doc.effective_date, tuple(sorted(deltas)), review)


def predict_rule(rule: bytes, rule_name: str, table: bytes, table_name: str) -> PredictResult:
    """The effect of every document in ``rule`` (FR XML bytes) on ``table`` (eCFR Supplement No. 1 bytes)."""
    root = parse_xml(rule, rule_name)
    documents = parse_fr_tree(root, rule_name)
    if not documents:
        raise ParseError(rule_name, "no Federal Register document in the file")
    groups = parse_country_groups(table, table_name)
    return PredictResult(tuple(predict_document(doc, groups) for doc in documents), root.tag == "FEDREG")


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ParseError(path, f"cannot read the file: {exc.strerror or exc}") from None


def predict_files(rule_path: str, table_path: str) -> PredictResult:
    """``predict_rule`` on two files; an unreadable file is a ParseError naming it."""
    rule, table = _read(rule_path), _read(table_path)
    return predict_rule(rule, rule_path, table, table_path)


def _document_json(doc: DocumentPrediction) -> dict:
    return {
        "document_number": doc.document_number,
        "effective_date": doc.effective_date.isoformat() if doc.effective_date else None,
        "deltas": [{"country": d.country, "group": d.group, "action": d.action.value} for d in doc.deltas],
        "review": [{"instruction": r.instruction, "text": r.text, "reason": r.reason.value} for r in doc.review],
    }


def to_json(result: PredictResult) -> dict:
    if result.issue:
        return {"documents": [_document_json(d) for d in result.documents]}
    return _document_json(result.documents[0])


def to_text(result: PredictResult) -> str:
    """One line per delta ("Cambodia: removed from D:5 (effective …, FR Doc. …)") and one per review item."""
    lines: list[str] = []
    for doc in result.documents:
        effective = f"effective {doc.effective_date.isoformat()}" if doc.effective_date else "effective date unknown"
        for d in doc.deltas:
            verb = "added to" if d.action is ChangeAction.ADDED else "removed from"
            lines.append(f"{d.country}: {verb} {d.group} ({effective}, FR Doc. {doc.document_number})")
        for r in doc.review:
            where = f", AMDPAR {r.instruction + 1}" if r.instruction is not None else ""
            lines.append(f"review (FR Doc. {doc.document_number}{where}): {r.reason.description}: {r.text}")
    if not lines:
        lines.append("no change to Supplement No. 1 to part 740")
    return "\n".join(lines) + "\n"
