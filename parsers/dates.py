"""Dates as the Federal Register and the eCFR print them.

Effective dates come from the DATES/EFFDATE paragraph, whose wording varies:
"This rule is effective February 3, 2026.", "Effective Date: November 15,
2011.", "effective from ... through ...", "effective on publication". The
stated date may be earlier than publication (a retroactive conforming rule);
it is returned as stated, never clamped.
"""
from __future__ import annotations

import re
from datetime import date

from parsers.text import squash

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH_RE = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
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


def _to_date(match: re.Match) -> date | None:
    month = _MONTHS[match.group(1).rstrip(".").lower()]
    try:
        return date(int(match.group(3)), month, int(match.group(2)))
    except ValueError:
        return None


def parse_effective(text: str | None, publication_date: date | None = None) -> tuple[date | None, bool]:
    """(effective date, effective-on-publication flag) from DATES/EFFDATE text.

    A range ("effective February 3, 2026, through May 1, 2026") yields its
    start. "Effective on publication" yields the publication date when known.
    Text that names no effective date (comment deadlines only) yields None.
    """
    text = squash(text)
    if not text:
        return None, False
    if _ON_PUBLICATION.search(text):
        return publication_date, True
    for keyword in _EFFECTIVE.finditer(text):
        window = text[keyword.end(): keyword.end() + 120]
        match = DATE_RE.search(window)
        # Only a date that follows the keyword closely is the effective date;
        # "effective ... comments due March 1" must not be read as one.
        if match and match.start() <= 60:
            return _to_date(match), False
    return None, False
