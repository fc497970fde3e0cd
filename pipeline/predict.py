"""What an FR rule would do to a given Supplement No. 1 table: ``frtrack predict``.

The analyst's "what will this change?" and a test seam for the interpreter:
a rule (published or public-inspection FR XML, one document or a daily issue)
is applied to one eCFR version of Supplement No. 1 to part 740, and the
result is the exact deltas plus every operation held for a person. Deltas
name each country the way the given table prints it, so they can be read
against that table.

JSON contract (one document)::

    {"document_number", "effective_date",
     "deltas": [{"country", "group", "action": "added"|"removed", "effective_date"}],
     "review": [{"instruction", "amdpar", "text", "reason"}]}

The top-level ``effective_date`` is the document's; each delta's is the date
of the instruction that makes it (a DATES exception such as "except for the
amendments to supplement no. 1 …, effective February 3, 2026" gives those
instructions their own). ``instruction`` is the AMDPAR's 0-based position in
its document (as in ``Instruction.index``), ``amdpar`` its printed number
("3." -> 3; a lettered part takes its instruction's; null when unnumbered),
``reason`` a ``ReviewReason`` value. A daily issue
(root FEDREG) gives ``{"documents": [one object per document]}``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from parsers.announcement import public_inspection_document
from parsers.countries import canonical_name, country_key, split_country
from parsers.ecfr_groups import parse_country_groups
from parsers.errors import ParseError
from parsers.fr_xml import parse_fr_tree
from parsers.lifecycle import ChangeAction
from parsers.model import CountryGroupTable, FRDocument, ReviewReason
from parsers.xmlsafe import parse_xml
from pipeline.derive.history import apply_deltas, predict_detailed


@dataclass(frozen=True)
class ReviewLine:
    """An operation of the rule that is not applied: where it is, its words, why."""

    instruction: int | None
    text: str
    reason: ReviewReason
    amdpar: int | None = None         # the AMDPAR's printed number, where it has one


@dataclass(frozen=True, order=True)
class DatedDelta:
    """A predicted delta with the effective date of the instruction that makes it."""

    country: str
    group: str
    action: ChangeAction
    effective_date: date | None = None


@dataclass(frozen=True)
class DocumentPrediction:
    """One FR document's predicted effect on the given table."""

    document_number: str
    effective_date: date | None
    deltas: tuple[DatedDelta, ...]
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


def _by_date(doc: FRDocument) -> list[tuple[date | None, list]]:
    """The document's operations grouped by the date they take effect, earliest first (unknown last)."""
    groups: dict[date | None, list] = {}
    for ins in doc.instructions:
        groups.setdefault(ins.effective_date or doc.effective_date, []).extend(ins.operations)
    return sorted(groups.items(), key=lambda item: (item[0] is None, item[0] or date.min))


def predict_document(doc: FRDocument, table: CountryGroupTable) -> DocumentPrediction:
    """Apply one document's operations to ``table`` in date order; countries spelled as the table spells them.

    Operations that take effect on different dates (a DATES exception) are
    applied in the order they take effect, and each delta carries its date.
    """
    where = {id(op): ins for ins in doc.instructions for op in ins.operations}
    spelled = _table_spelling(table)
    state = table.memberships()
    deltas: list[DatedDelta] = []
    review: list[ReviewLine] = []
    for when, operations in _by_date(doc):
        result = predict_detailed(state, operations)
        state = apply_deltas(state, result.deltas)
        deltas.extend(DatedDelta(spelled.get(canonical_name(d.country) or d.country, d.country), d.group, d.action,
                                 when) for d in result.deltas)
        for item in result.review:
            ins = where.get(id(item.operation))
            review.append(ReviewLine(ins.index if ins else None, item.operation.text, item.reason,
                                     ins.number if ins else None))
    review.sort(key=lambda r: (r.instruction is None, r.instruction or 0))
    return DocumentPrediction(doc.document_number, doc.effective_date, tuple(sorted(deltas)), tuple(review))


def predict_rule(rule: bytes, rule_name: str, table: bytes, table_name: str) -> PredictResult:
    """The effect of every document in ``rule`` on ``table`` (eCFR Supplement No. 1 bytes).

    ``rule`` is FR XML (one document or a daily issue), or a public-inspection
    document's plain text, which carries no XML and reprints no rows.
    """
    groups_first = rule.lstrip()[:1] != b"<"
    if groups_first:
        groups = parse_country_groups(table, table_name)
        doc = public_inspection_document(rule, rule_name)
        return PredictResult((predict_document(doc, groups),), False)
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
        "deltas": [{"country": d.country, "group": d.group, "action": d.action.value,
                    "effective_date": d.effective_date.isoformat() if d.effective_date else None}
                   for d in doc.deltas],
        "review": [{"instruction": r.instruction, "amdpar": r.amdpar, "text": r.text, "reason": r.reason.value}
                   for r in doc.review],
    }


def to_json(result: PredictResult) -> dict:
    if result.issue:
        return {"documents": [_document_json(d) for d in result.documents]}
    return _document_json(result.documents[0])


def to_text(result: PredictResult) -> str:
    """One line per delta ("Cambodia: removed from D:5 (effective …, FR Doc. …)") and one per review item.

    A review item names the AMDPAR by its printed number; an unnumbered one by
    its position ("the 4th AMDPAR").
    """
    lines: list[str] = []
    for doc in result.documents:
        for d in doc.deltas:
            effective = f"effective {d.effective_date.isoformat()}" if d.effective_date else "effective date unknown"
            verb = "added to" if d.action is ChangeAction.ADDED else "removed from"
            lines.append(f"{d.country}: {verb} {d.group} ({effective}, FR Doc. {doc.document_number})")
        for r in doc.review:
            where = (f", AMDPAR {r.amdpar}" if r.amdpar is not None
                     else f", unnumbered AMDPAR (position {r.instruction + 1})" if r.instruction is not None else "")
            lines.append(f"review (FR Doc. {doc.document_number}{where}): {r.reason.description}: {r.text}")
    if not lines:
        lines.append("no change to Supplement No. 1 to part 740")
    return "\n".join(lines) + "\n"
