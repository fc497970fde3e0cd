"""Dates as the Federal Register and the eCFR print them.

Effective dates come from the DATES/EFFDATE paragraph, whose wording varies:
"This rule is effective February 3, 2026.", "Effective Date: November 15,
2011.", "effective from ... through ...", "effective on publication",
"effective 30 days after publication", "[INSERT DATE 30 DAYS AFTER DATE OF
PUBLICATION IN THE FEDERAL REGISTER]" (public-inspection text), "effective on
the day following the end of the comment period". The stated date may be
earlier than publication (a retroactive conforming rule); it is returned as
stated, never clamped.

Two other things live in the same paragraph and must not be mistaken for
the document's own date: a delay or correction notice's statement that
*another* rule's date moves ("The effective date of the final rule published
January 5, 2026 (91 FR 123) is delayed from February 3, 2026 to March 3,
2026"), and per-instruction exceptions ("..., except for amendatory
instruction 3, which is effective February 3, 2026"). ``read_effective``
returns all three; what cannot be read exactly is a problem, never a guess.
"""
from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from parsers.model import DateChangeKind, EffectiveDateChange
from parsers.text import dehyphen, squash

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH_RE = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
             r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?")
DATE_RE = re.compile(rf"({_MONTH_RE})\s+(\d{{1,2}}),?\s+(\d{{4}})", re.IGNORECASE)
_ISO_RE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_ON_PUBLICATION = re.compile(
    r"(?:effective|takes? effect|in effect)\s+(?:on\s+|upon\s+|as of\s+)?(?:the\s+date\s+of\s+)?"
    r"(?:its\s+)?(?:upon\s+)?publication",
    re.IGNORECASE,
)
_EFFECTIVE = re.compile(r"effective|takes? effect", re.IGNORECASE)


def parse_fr_date(text: str | None) -> date | None:
    """The first date in ``text`` ("Monday, February 12, 2024", "Feb. 3, 2026", "2026-02-03")."""
    if not text:
        return None
    match = DATE_RE.search(text)
    if match:
        return _to_date(match)
    iso = _ISO_RE.search(text)
    if iso:
        try:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            return None
    return None


def _to_date(match: re.Match[str]) -> date | None:
    month = _MONTHS[match.group(1).rstrip(".").lower()]
    try:
        return date(int(match.group(3)), month, int(match.group(2)))
    except ValueError:
        return None


@dataclass(frozen=True)
class InstructionDate:
    """A DATES exception: the instructions it names and their own date (or interval).

    ``numbers`` are printed amendatory instruction numbers; ``names`` is what
    the text says is amended ("supplement no. 1 to part 740"), lower-cased.
    """

    numbers: tuple[int, ...]
    names: str | None
    date: datetime.date | None   # (the field's name hides the type inside the class)
    until: datetime.date | None
    text: str


@dataclass(frozen=True)
class EffectiveText:
    """Everything a DATES/EFFDATE paragraph says about effective dates."""

    date: datetime.date | None = None   # (the field's name hides the type inside the class)
    on_publication: bool = False
    days_after_publication: int | None = None   # the date relative to publication, when stated so
    until: datetime.date | None = None
    exceptions: tuple[InstructionDate, ...] = ()
    changes: tuple[EffectiveDateChange, ...] = ()
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class _When:
    """A date expression before it is resolved against the publication date."""

    day: date | None = None
    days_after: int | None = None            # relative to publication
    after_comment_period: bool = False       # "the day following the end of the comment period"
    inexact: str | None = None               # "a minimum of 30 days after publication": no exact date


_NUMBER_WORDS = {"ten": 10, "fifteen": 15, "twenty": 20, "thirty": 30, "forty-five": 45, "forty five": 45,
                 "sixty": 60, "seventy-five": 75, "ninety": 90, "one hundred twenty": 120, "180": 180}
_N = r"(\d{1,3}|" + "|".join(re.escape(w) for w in _NUMBER_WORDS) + r")"
_DATE_NC = rf"{_MONTH_RE}\s+\d{{1,2}},?\s+\d{{4}}"
_INSERT = re.compile(r"\[\s*INSERT\s+DATE\s+(?:OF\s+PUBLICATION|" + _N + r"\s+DAYS\s+(?:AFTER|FROM|FOLLOWING)\s+"
                     r"(?:THE\s+)?DATE\s+OF\s+PUBLICATION)\s+IN\s+THE\s+FEDERAL\s+REGISTER\s*\]", re.IGNORECASE)
_DAYS_AFTER = re.compile(r"(?P<qualifier>(?:a\s+minimum\s+of|at\s+least|not\s+less\s+than|no\s+(?:earlier|sooner)\s+"
                         r"than|up\s+to|within)\s+)?" + _N + r"\s+(?:calendar\s+)?days\s+(?:after|following|from)\s+"
                         r"(?:the\s+)?(?:date\s+of\s+)?"
                         r"(?:its\s+|this\s+rule's\s+|the\s+rule's\s+)?publication\b"
                         r"(?:\s+of\s+this\s+(?:rule|document|notice))?(?:\s+in\s+the\s+Federal\s+Register)?",
                         re.IGNORECASE)
_COMMENT_END = re.compile(r"(?:on\s+)?the\s+(?:day|date)\s+(?:following|after)\s+(?:the\s+)?(?:end|close|closing|"
                          r"expiration)\s+of\s+the\s+(?:public\s+)?comment\s+period", re.IGNORECASE)
_COMMENT_DEADLINE = re.compile(
    r"(?:comment\s+period\s+(?:ends|closes|will\s+end|will\s+close|expires)(?:\s+on)?|"
    r"comments?\s+(?:must|should|will|are\s+to)\s+be\s+(?:received|submitted|filed|accepted)(?:\s+on\s+or\s+before|"
    r"\s+by|\s+no\s+later\s+than|\s+until|\s+through)|comments?\s+(?:are|is)\s+due(?:\s+on|\s+by)?)\s+",
    re.IGNORECASE)
_RANGE_END = re.compile(rf"\s*,?\s*(?:through|to|until)\s+({_DATE_NC})", re.IGNORECASE)
_CHANGE = re.compile(
    r"effective\s+dates?\s+(?:(?:of|for)\s+(?P<target>.{0,300}?),?\s+)?(?:is|are|was|were|has\s+been|have\s+been|"
    r"will\s+be)\s+(?:hereby\s+|further\s+|also\s+)?(?P<verb>delayed|postponed|deferred|extended|corrected|"
    r"changed|revised|moved)\b"
    r"(?:\s+for\s+(?:an?\s+(?:additional\s+)?)?\S+\s+(?:additional\s+)?days,?)?"
    rf"(?:\s+from\s+(?P<d1>{_DATE_NC}))?(?:\s*,?\s*(?:to|until)\s+(?:read\s+)?(?P<d2>{_DATE_NC}))?",
    re.IGNORECASE)
_CONDITIONAL = re.compile(r"\b(?:if|whether|unless|should|when)\s+(?:the\s+|its\s+)?$", re.IGNORECASE)
_TARGET_DOC = re.compile(r"FR\s+Doc\.?\s+(?:No\.\s*)?(\d{4}-\d{4,5})", re.IGNORECASE)
_TARGET_CITATION = re.compile(r"\b(\d{1,3})\s+FR\s+(\d{1,6})\b")
_TARGET_PUBLISHED = re.compile(rf"published\s+(?:in\s+the\s+Federal\s+Register\s+)?(?:on\s+)?({_DATE_NC})",
                               re.IGNORECASE)
_EXCEPT = re.compile(r"\bexcept\s+(?:for\s+|that\s+)?(?P<what>[^;]{1,250}?),?\s+(?:which\s+|that\s+)?"
                     r"(?:is|are|will\s+be|shall\s+be|becomes?|become)\s+effective\s+", re.IGNORECASE)
_MORE_EXCEPT = re.compile(r"\s*,?\s*(?:and\s+)?(?P<what>(?:the\s+)?(?:amendatory\s+instructions?|instructions?|"
                          r"amendments?|revisions?)\b[^;]{0,250}?),?\s+(?:which\s+|that\s+)?(?:is|are|will\s+be)\s+"
                          r"effective\s+", re.IGNORECASE)
_INSTRUCTION_NUMBERS = re.compile(r"instructions?\s+(?:nos?\.\s*)?(\d+(?:\s*(?:,\s*and|,|and|through|to|-)\s*\d+)*)",
                                  re.IGNORECASE)
_NAMED = re.compile(r"\b(?:amendments?|revisions?|changes?|additions?|removals?)\s+(?:made\s+)?(?:to|of|in)\s+"
                    r"(?:the\s+)?(?P<name>[^()]+?)\s*(?:\(|,|$)", re.IGNORECASE)
_PRINTED_NUMBER = re.compile(r"^\s*(\d{1,3})\s*\.")
_SECTION = re.compile(r"§§?\s*")


def parse_effective(text: str | None, publication_date: date | None = None) -> tuple[date | None, bool]:
    """(effective date, effective-on-publication flag) from DATES/EFFDATE text.

    A range ("effective February 3, 2026, through May 1, 2026") yields its
    start. "Effective on publication" yields the publication date when known.
    Text that names no effective date (comment deadlines only, another rule's
    delayed date) yields None. ``read_effective`` tells everything else.
    """
    stated = read_effective(text, publication_date)
    return stated.date, stated.on_publication


def read_effective(text: str | None, publication_date: date | None = None) -> EffectiveText:
    """The document's own date, its exceptions and the other rules' dates it moves."""
    text = squash(dehyphen(text or ""))
    if not text:
        return EffectiveText()
    problems: list[str] = []
    changes, masked = _changes(text, problems)
    exceptions, masked = _exceptions(masked, text, publication_date, problems)
    own = _own_date(masked)
    if own is None:
        return EffectiveText(exceptions=exceptions, changes=changes, problems=tuple(problems))
    when, until = own
    day, days_after = _resolve(when, text, publication_date, problems)
    return EffectiveText(date=day, on_publication=when.days_after == 0, days_after_publication=days_after,
                         until=until, exceptions=exceptions, changes=changes, problems=tuple(problems))


def _own_date(masked: str) -> tuple[_When, date | None] | None:
    for keyword in _EFFECTIVE.finditer(masked):
        found = _expression_near(masked, keyword.end())
        if found is not None:
            when, end = found
            until = None
            if when.day is not None:
                tail = _RANGE_END.match(masked, end)
                until = parse_fr_date(tail.group(1)) if tail else None
            return when, until
    return None


def _expression_near(text: str, pos: int, reach: int = 60) -> tuple[_When, int] | None:
    """The date expression that follows ``pos`` closely (starting within ``reach`` chars)."""
    window = text[pos: pos + reach + 120]
    best: tuple[int, _When, int] | None = None
    for regex, make in ((_INSERT, _when_insert), (_DAYS_AFTER, _when_days), (_COMMENT_END, _when_comment),
                        (_ON_PUBLICATION_AFTER, _when_publication), (DATE_RE, _when_date)):
        match = regex.search(window)
        if match is None or match.start() > reach:
            continue
        when = make(match)
        if when is not None and (best is None or match.start() < best[0]):
            best = (match.start(), when, pos + match.end())
    return (best[1], best[2]) if best else None


def _when_insert(match: re.Match[str]) -> _When:
    return _When(days_after=_days(match.group(1)) if match.group(1) else 0)


def _when_days(match: re.Match[str]) -> _When:
    if match.group("qualifier"):
        return _When(inexact=match.group(0))
    return _When(days_after=_days(match.group(2)))


def _when_comment(_match: re.Match[str]) -> _When:
    return _When(after_comment_period=True)


def _when_publication(_match: re.Match[str]) -> _When:
    return _When(days_after=0)


def _when_date(match: re.Match[str]) -> _When | None:
    day = _to_date(match)
    return _When(day=day) if day else None


def _days(word: str) -> int:
    word = word.lower()
    return int(word) if word.isdigit() else _NUMBER_WORDS[word]


# "on publication" right after the keyword ("effective upon publication", "effective on the date of publication").
_ON_PUBLICATION_AFTER = re.compile(r"(?:on\s+|upon\s+|as\s+of\s+)?(?:the\s+date\s+of\s+)?(?:its\s+)?(?:upon\s+)?"
                                   r"publication\b(?!\s+of\s+(?:the|a)\s+(?:final|interim|proposed))", re.IGNORECASE)


def _resolve(when: _When, text: str, publication_date: date | None,
             problems: list[str]) -> tuple[date | None, int | None]:
    """(date, days after publication) of an expression; a missing fact is a problem, not a guess."""
    if when.day is not None:
        return when.day, None
    if when.inexact is not None:
        problems.append(f"effective {when.inexact!r}: not an exact date")
        return None, None
    if when.after_comment_period:
        deadline = _comment_deadline(text)
        if deadline is None:
            problems.append("effective on the day following the end of the comment period, but the DATES text "
                            "states no end of the comment period")
            return None, None
        if deadline.day is not None:
            return deadline.day + timedelta(days=1), None
        when = _When(days_after=(deadline.days_after or 0) + 1)
    if publication_date is None:
        return None, when.days_after
    return publication_date + timedelta(days=when.days_after or 0), when.days_after


def _comment_deadline(text: str) -> _When | None:
    for match in _COMMENT_DEADLINE.finditer(text):
        rest = text[match.end():]
        insert = _INSERT.match(rest)
        if insert:
            return _when_insert(insert)
        day = DATE_RE.match(rest)
        if day and _to_date(day):
            return _When(day=_to_date(day))
    return None


def _mask(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _changes(text: str, problems: list[str]) -> tuple[tuple[EffectiveDateChange, ...], str]:
    """Statements that another rule's effective date moves; their spans are blanked out."""
    out: list[EffectiveDateChange] = []
    masked = text
    previous_end = 0
    for match in _CHANGE.finditer(text):
        verb = match.group("verb").lower()
        target = match.group("target") or ""
        if target.lower().startswith(("this rule", "this document", "this notice", "this final rule")):
            continue
        # "FHFA will publish a new notice if the effective date is delayed" states no move.
        if _CONDITIONAL.search(text[max(0, match.start() - 30): match.start()]) or (
                not target and match.group("d2") is None):
            continue
        # The rule may be named before the phrase ("In FR Doc. 2026-00012 ..., the effective date ...").
        context = text[previous_end: match.start()][-300:] + " " + target
        new = parse_fr_date(match.group("d2"))
        published = _TARGET_PUBLISHED.search(context)
        citation = _TARGET_CITATION.search(context)
        number = _TARGET_DOC.search(context)
        sentence_end = text.find(". ", match.end())
        end = len(text) if sentence_end < 0 else sentence_end + 1
        change = EffectiveDateChange(
            kind=DateChangeKind.CORRECTION if verb in ("corrected", "changed", "revised") else DateChangeKind.DELAY,
            old_date=parse_fr_date(match.group("d1")), new_date=new,
            document_number=number.group(1) if number else None,
            citation=f"{citation.group(1)} FR {citation.group(2)}" if citation else None,
            published=parse_fr_date(published.group(1)) if published else None,
            text=text[_sentence_start(text, match.start()): end].strip())
        if new is None:
            problems.append(f"the effective date of another rule is {verb}, but no new effective date is stated")
        out.append(change)
        masked = _mask(masked, _sentence_start(text, match.start()), end)
        previous_end = end
    return tuple(out), masked


def _sentence_start(text: str, pos: int) -> int:
    """Start of the sentence holding ``pos`` (a ". " followed by a capital, not after "Doc"/"No")."""
    for match in reversed(list(re.finditer(r"(?<!Doc)(?<!No)\.\s+(?=[A-Z])", text[:pos]))):
        return match.end()
    return 0


def _exceptions(masked: str, text: str, publication_date: date | None,
                problems: list[str]) -> tuple[tuple[InstructionDate, ...], str]:
    """"except for amendatory instruction N, which is effective ..." clauses; blanked out once read."""
    out: list[InstructionDate] = []
    pos = 0
    while True:
        match = _EXCEPT.search(masked, pos)
        if match is None:
            break
        start, end = match.start(), match.end()
        clause: re.Match[str] | None = match
        while clause is not None:
            found = _expression_near(masked, end, reach=5)
            if found is None:
                problems.append(f"cannot read the date of the exception {clause.group(0).strip()!r}")
                break
            when, end = found
            until = None
            tail = _RANGE_END.match(masked, end)
            if tail and when.day is not None:
                until, end = parse_fr_date(tail.group(1)), tail.end()
            day, _days_after = _resolve(when, text, publication_date, problems)
            what = clause.group("what")
            numbers, names = _instruction_numbers(what), _named(what)
            if not numbers and names is None:
                problems.append(f"cannot tell which instructions {what.strip()!r} names")
            out.append(InstructionDate(numbers, names, day, until, squash(masked[clause.start(): end])))
            clause = _MORE_EXCEPT.match(masked, end)
            if clause is not None:
                end = clause.end()
        masked = _mask(masked, start, end)
        pos = end
    return tuple(out), masked


def _instruction_numbers(what: str) -> tuple[int, ...]:
    match = _INSTRUCTION_NUMBERS.search(what)
    if match is None:
        return ()
    numbers: list[int] = []
    for part in re.split(r"\s*(?:,\s*and|,|and)\s*", match.group(1)):
        bounds = re.split(r"\s*(?:through|to|-)\s*", part)
        if len(bounds) == 2 and all(b.isdigit() for b in bounds) and int(bounds[0]) <= int(bounds[1]):
            numbers.extend(range(int(bounds[0]), int(bounds[1]) + 1))
        elif part.isdigit():
            numbers.append(int(part))
    return tuple(numbers)


def _named(what: str) -> str | None:
    match = _NAMED.search(what)
    if match is None:
        return None
    name = match.group("name").strip(" ,.").lower()
    return name or None


def printed_number(text: str) -> int | None:
    """The amendatory instruction number an AMDPAR prints ("3. Supplement No. 1 ..." -> 3)."""
    match = _PRINTED_NUMBER.match(text)
    return int(match.group(1)) if match else None


def _normal(text: str) -> str:
    return _SECTION.sub("section ", squash(text).lower())


def match_instructions(exception: InstructionDate, instructions: Sequence[tuple[int | None, str]]) -> tuple[int, ...]:
    """Positions of the (number, text) instructions an exception governs.

    By number when it gives numbers (the printed "3." and the lettered parts
    under it); else by name: an instruction whose text, or whose numbered
    header's text, names what the exception names.
    """
    if exception.numbers:
        wanted = set(exception.numbers)
        return tuple(i for i, (number, _text) in enumerate(instructions) if number in wanted)
    if not exception.names:
        return ()
    name = re.compile(re.escape(_normal(exception.names)) + r"(?![0-9a-z])")
    naming = {number for number, text in instructions if number is not None and name.search(_normal(text))}
    return tuple(i for i, (number, text) in enumerate(instructions)
                 if (number is not None and number in naming) or name.search(_normal(text)))


_DATES_HEAD = re.compile(r"(?:^|\n|\s)(?:DATES|EFFECTIVE\s+DATES?)\s*:\s*")
_NEXT_HEAD = re.compile(r"\s(?:ADDRESSES|FOR\s+FURTHER\s+INFORMATION\s+CONTACT|SUPPLEMENTARY\s+INFORMATION|SUMMARY|"
                        r"AGENCY|ACTION)\s*:")


def dates_section(text: str) -> str | None:
    """The DATES paragraph of a plain-text document (public inspection gives no XML)."""
    head = _DATES_HEAD.search(text)
    if head is None:
        return None
    rest = text[head.end(): head.end() + 2000]
    stop = _NEXT_HEAD.search(rest)
    return squash(rest[: stop.start()] if stop else rest) or None


_Q_OPEN, _Q_CLOSE = "[\"\u201c\u2018']{0,2}", "[\"\u201d\u2019']{0,2}"
_DATES_CORRECTION = re.compile(
    r"\bDATES\b[^.]{0,200}?(?:correct\s+" + _Q_OPEN + rf"(?P<a1>{_DATE_NC})" + _Q_CLOSE + r"\s+to\s+read\s+"
    + _Q_OPEN + rf"(?P<a2>{_DATE_NC})|" + _Q_OPEN + rf"(?P<b1>{_DATE_NC})" + _Q_CLOSE
    + r",?\s+(?:is|are)\s+corrected\s+to\s+read\s+" + _Q_OPEN + rf"(?P<b2>{_DATE_NC}))", re.IGNORECASE)


def dates_corrections(text: str) -> tuple[EffectiveDateChange, ...]:
    """A correction's body fixing another rule's DATES ("in the DATES section, correct
    'February 3, 2026' to read 'March 3, 2026'"); the rule is the one named before it, if any."""
    text = squash(dehyphen(text or ""))
    out = []
    for match in _DATES_CORRECTION.finditer(text):
        old = parse_fr_date(match.group("a1") or match.group("b1"))
        new = parse_fr_date(match.group("a2") or match.group("b2"))
        context = text[: match.start()][-300:]
        number = _TARGET_DOC.search(context)
        out.append(EffectiveDateChange(DateChangeKind.CORRECTION, old, new,
                                       number.group(1) if number else None, None, None, match.group(0)))
    return tuple(out)
