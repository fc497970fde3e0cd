"""FR documents -> Rules: a unit's operations grouped by the date they take effect.

Effective dates: an instruction's own date (a DATES exception) beats the
document's; the DATES text beats the API's ``effective_on``, with a review
item when they disagree; a date the text makes unknowable is never replaced
by the publication date. A delay or correction notice moves its target
rule's date: the rule carries "effective date moved from X to Y by FR Doc. N".
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import NamedTuple

from parsers.dates import dates_section, read_effective
from parsers.model import EffectiveDateChange
from pipeline.derive.rows import ReviewItem, Rule, RuleInstruction, StoredDocument
from pipeline.derive.units import FrReading, UnitInstruction

InstructionsOf = Callable[[str, StoredDocument], FrReading]


class DateMove(NamedTuple):
    """A notice's move of a stored rule's effective date (``old`` None: whatever date it has)."""

    old: str | None
    new: str
    notice: str


def derive_rules(stored: dict[str, StoredDocument], instructions_of: InstructionsOf) -> list[Rule]:
    """Every Rule of the stored documents on one unit, and the review-only Rules of date notices.

    ``instructions_of(number, document)`` is the unit's interpreter. Ordered by
    effective date, publication date and number.
    """
    moves, notice_rules = date_moves(stored)
    out = list(notice_rules)
    for number, s in stored.items():
        out.extend(document_rules(number, s, instructions_of(number, s), moves.get(number, [])))
    out.sort(key=lambda r: (r.effective, r.published or "", r.number))
    return out


def document_rules(number: str, s: StoredDocument, reading: FrReading, moves: list[DateMove]) -> list[Rule]:
    """The document's Rules, one per distinct effective date, with their date review items.

    The interpreter's own review items travel with the first Rule (or a review-only one).
    """
    doc = s.doc
    instrs: tuple[UnitInstruction, ...] = reading.instructions
    if not instrs:
        return [Rule(number, "", s.published, doc.corrects, (), (), review=reading.review)] if reading.review else []
    ops = [op for i in instrs for op in i.operations]
    corrects = s.correction_of or doc.corrects or next((o.corrects for o in ops if o.corrects), None)
    reasons: dict[tuple[int | None, str], list[str]] = {}   # one review item per (instruction, text)

    def say(idx: int | None, text: str, reason: str) -> None:
        reasons.setdefault((idx, text), []).append(reason)

    dates_text = doc.dates_text or ""
    text_date = doc.effective_date.isoformat() if doc.effective_date else None
    api = s.effective_on
    if doc.effective_problems:
        say(None, dates_text, "effective date: " + "; ".join(doc.effective_problems)
            + (f"; federalregister.gov's effective_on {api} is used" if api and not text_date else ""))
        base = text_date or api          # never the publication date: the text says it is something else
    else:
        base = text_date or api or s.published
    if text_date and api and text_date != api:
        say(None, dates_text, f"the DATES text makes the document effective {text_date}, but "
                              f"federalregister.gov's effective_on is {api}; the text's date is kept")
    by_date: dict[str, list[UnitInstruction]] = {}
    for item in instrs:
        ins = item.instruction
        own = ins.effective_date.isoformat() if ins.effective_date else None
        if own and api and own != api:
            say(ins.index, ins.text, f"the DATES text makes this instruction effective {own}, but "
                                     f"federalregister.gov's effective_on is {api}; the text's date is kept")
        until = ins.effective_until or (doc.effective_until if not own else None)
        if until:
            say(ins.index, ins.text, f"effective only through {until.isoformat()}; frtrack does not "
                                     "apply the end of the interval")
        day = own or base
        if day is None:
            continue                     # no date known: held for review, not guessed
        by_date.setdefault(day, []).append(item)
    for move in moves:
        if move.old is not None and move.old not in by_date and not any(m.new == move.old for m in moves):
            say(None, dates_text, f"FR Doc. {move.notice} moves this rule's effective date from {move.old} to "
                                  f"{move.new}, but the rule is effective {', '.join(sorted(by_date)) or 'on no known date'};"
                                  " not moved")
    review = tuple(ReviewItem(number, idx, text, "; ".join(r)) for (idx, text), r in reasons.items()) + reading.review
    if not by_date:
        return [Rule(number, "", s.published, corrects, (), (), review=review)]
    rules: list[Rule] = []
    for day, group in sorted(by_date.items()):
        moved: list[str] = []
        for move in moves:   # in notice order, so a second delay moves the first one's date
            if move.old is None or move.old == day:
                moved.append(f"effective date moved from {day} to {move.new} by FR Doc. {move.notice}")
                day = move.new
        rules.append(Rule(number, day, s.published, corrects, tuple(op for i in group for op in i.operations),
                          tuple(RuleInstruction(i.instruction.index, i.instruction.text, i.operations) for i in group),
                          tuple(moved), review if not rules else ()))
    return rules


def date_moves(stored: dict[str, StoredDocument]) -> tuple[dict[str, list[DateMove]], list[Rule]]:
    """Target rule -> its DateMoves in notice order, and review-only Rules for the notices."""
    moves: dict[str, list[DateMove]] = {}
    notices: list[Rule] = []
    order = sorted(stored.items(), key=lambda kv: (kv[1].published or "", kv[0]))
    for number, s in order:
        review: list[ReviewItem] = []
        for change in s.doc.effective_date_changes:
            target = date_target(number, s, change, stored)
            if target is None:
                review.append(ReviewItem(number, None, change.text, "moves the effective date of a rule frtrack has"
                                         " not stored (named by " + _named_rule(change) + ")"))
            elif change.new_date is None:
                review.append(ReviewItem(number, None, change.text, f"moves the effective date of FR Doc. {target}"
                                         " to no stated date; its date is not moved"))
            else:
                moves.setdefault(target, []).append(DateMove(change.old_date.isoformat() if change.old_date else None,
                                                             change.new_date.isoformat(), number))
        if review:
            notices.append(Rule(number, "", s.published, None, (), (), review=tuple(review)))
    return moves, notices


def date_target(number: str, s: StoredDocument, change: EffectiveDateChange,
                stored: dict[str, StoredDocument]) -> str | None:
    """The stored rule a notice names: by document number, else FR citation, else publication date + part + agency."""
    if change.document_number:
        return change.document_number if change.document_number in stored else None
    if change.citation:
        hits = [n for n, o in stored.items() if n != number and " ".join((o.citation or "").split()) == change.citation]
        return hits[0] if len(hits) == 1 else None
    if change.published:
        day = change.published.isoformat()
        hits = [n for n, o in stored.items() if n != number and o.published == day and o.cfr_parts & s.cfr_parts
                and (not o.agencies or not s.agencies or o.agencies & s.agencies)]
        return hits[0] if len(hits) == 1 else None
    corrected = s.correction_of or s.doc.corrects
    return corrected if corrected in stored else None


def _named_rule(change: EffectiveDateChange) -> str:
    parts = [f"FR Doc. {change.document_number}" if change.document_number else "",
             change.citation or "", f"published {change.published.isoformat()}" if change.published else ""]
    return ", ".join(p for p in parts if p) or "nothing frtrack can match"


def announced_effective(text: bytes, scheduled: str | None) -> str | None:
    """The date a public-inspection DATES text states ("[INSERT DATE 30 DAYS AFTER ...]" counts from the
    scheduled publication date); the scheduled publication date when it states none, and no date when
    what it states cannot be read exactly."""
    section = dates_section(text.decode("utf-8", errors="replace"))
    stated = read_effective(section, date.fromisoformat(scheduled) if scheduled else None)
    if stated.date is not None:
        return stated.date.isoformat()
    return None if stated.problems or stated.days_after_publication is not None else scheduled
