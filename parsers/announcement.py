"""Country-group changes announced in a public-inspection document's raw text.

Public inspection gives only a PDF and plain text (no XML), so before
publication we read two things: the preamble's own statement of the change
("This rule removes Cambodia from Country Group D:5"), and the amendatory
instructions, whose wording the FR XML interpreter already knows. Removals,
a mark put in or taken out of one column, and B-list moves are exact from the
instruction alone; a revised row printed
as plain text is not guessed at: the published FR XML gives its delta.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.amendments import interpret
from parsers.dates import dates_section, read_effective
from parsers.errors import ParseError
from parsers.model import Action, FRDocument, GroupTableId, Instruction, Operation

_Q = "\"'\u201c\u201d\u2018\u2019"
_COUNTRY = r"[A-Z][A-Za-z.'\u2019 ,()-]*?"
_CODE = r"([A-E]:\d)"
_VERB = re.compile(
    rf"\b(?P<verb>remov(?:e|es|ed|ing)|add(?:s|ed|ing)?|mov(?:e|es|ed|ing)|plac(?:e|es|ed|ing))\s+"
    rf"[{_Q}]?(?P<country>{_COUNTRY})[{_Q}]?\s+(?P<prep>from|to|into|in)\s+"
    rf"(?:the\s+)?Country\s+Groups?\s+{_CODE}",
)
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Announced:
    """A change the preamble states: (country, group code, 'added'|'removed')."""

    country: str
    group: str
    action: str
    sentence: str


def announced_changes(text: bytes | str) -> tuple[Announced, ...]:
    """Plain statements of country-group moves in the text, deduplicated, in order."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    flat = _WS.sub(" ", text)
    seen: dict[tuple[str, str, str], Announced] = {}
    for m in _VERB.finditer(flat):
        verb, prep = m.group("verb").lower(), m.group("prep").lower()
        action = "removed" if verb.startswith("remov") or prep == "from" else "added"
        country = m.group("country").strip(" ,")
        country = re.sub(r"^(?:the|entry for)\s+", "", country, flags=re.I).strip()
        if not country or len(country) > 60:
            continue
        key = (country, m.group(4), action)
        seen.setdefault(key, Announced(country, m.group(4), action, m.group(0)))
    return tuple(seen.values())


# "2. Supplement No. 1 to part 740 is amended by ... ." up to the sentence's end; the "a." of a
# lettered part ends nothing. Case-sensitive (scoped flags make "supplement no." either case) so
# that [a-z] is one lower-case letter.
_INSTRUCTION = re.compile(r"(?:^|\s)\d{1,2}\.\s+((?i:In\s+)?(?i:Supplement\s+No\.\s*1\s+to\s+part\s+740)\b.*?"
                          r"(?:to\s+read\s+as\s+follows:|(?<!\b[a-z])\.(?=\s+[A-Z0-9*]|\s*$)))", re.DOTALL)


def announced_operations(text: bytes | str) -> tuple[Operation, ...]:
    """Operations of the amendatory instructions in the raw text that need no reprinted row."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    ops: list[Operation] = []
    for m in _INSTRUCTION.finditer(text):
        for op in interpret(_WS.sub(" ", m.group(1)).strip(), (), title=15, part="740"):
            b_list = GroupTableId.of_title(op.table) is GroupTableId.B
            exact = (op.action in (Action.REMOVE_ENTRY, Action.ADD_MARK, Action.REMOVE_MARK)
                     or (b_list and op.action in (Action.ADD_ENTRY, Action.REVISE_ENTRY)))
            if exact and op.review is None:
                ops.append(op)
    return tuple(ops)


# A numbered amendatory instruction opening a paragraph of the plain text ("    2. Section 744.21 is amended ...").
_NUMBERED = re.compile(r"^\s*\d{1,2}\.\s+(?=[A-Z])")
_AS_FOLLOWS = re.compile(r"\bas\s+follows:", re.IGNORECASE)


def amendatory_paragraphs(text: bytes | str) -> tuple[str, ...]:
    """The numbered instructions of a public-inspection text, one per paragraph, whitespace squashed.

    An instruction ends at the blank line after it, or at its "as follows:"
    (what follows is a reprint, which plain text cannot carry exactly). The
    number is kept, as the FR XML's AMDPAR keeps it.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    out: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        if not _NUMBERED.match(paragraph):
            continue
        flat = _WS.sub(" ", paragraph).strip()
        cut = _AS_FOLLOWS.search(flat)
        out.append(flat[: cut.end()] if cut else flat)
    return tuple(out)


_FR_DOC_LINE = re.compile(r"\bFR\s+Doc\.?\s+(\d{4}[-\u2013]\d{5})")
_PRINTED_NUMBER = re.compile(r"(?:^|\s)(\d{1,2})\.\s+$")


def public_inspection_document(text: bytes | str, name: str) -> FRDocument:
    """A public-inspection document's plain text as an FRDocument, for ``frtrack predict``.

    Every amendatory instruction aimed at Supplement No. 1 to part 740 becomes
    an Instruction with its operations; plain text reprints no table rows, so
    an added or revised entry is held for review by the predictor, never
    guessed. The document number comes from the "[FR Doc. …]" line the
    desk's text always ends with (a file name is not evidence); the effective date from the DATES paragraph (a date
    relative to publication stays unknown: the text does not say the day).
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    found = _FR_DOC_LINE.search(text)
    if found is None:
        raise ParseError(name, "plain text with no \"[FR Doc. …]\" line: not a public-inspection document")
    stated = read_effective(dates_section(text), None)
    instructions = []
    for index, m in enumerate(_INSTRUCTION.finditer(text)):
        sentence = _WS.sub(" ", m.group(1)).strip()
        printed = _PRINTED_NUMBER.search(text[max(0, m.start(1) - 6): m.start(1)])
        instructions.append(Instruction(index=index, title=15, part="740", text=sentence,
                                        operations=interpret(sentence, (), title=15, part="740"),
                                        number=int(printed.group(1)) if printed else None))
    return FRDocument(document_number=found.group(1).replace("\u2013", "-"), doc_type="PUBLIC_INSPECTION",
                      effective_date=stated.date, instructions=tuple(instructions),
                      effective_problems=stated.problems)
