"""Text of XML elements, normalized the way every parser here needs it.

Also the one splitter of amendatory-instruction text into its lettered parts
(``split_lettered``), shared by every interpreter (Country Groups, § 744.21 /
§ 744.22, the Entity List) so they cut "a. … b. …" the same way.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import cast

from lxml import etree

# Elements whose text is a superscript footnote marker (FR: SU; eCFR: sup/SU).
FOOTNOTE_TAGS = frozenset({"SU", "sup", "SUP"})
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2212": "-"})


def squash(text: str | None) -> str:
    """Collapse runs of whitespace (incl. no-break and thin spaces) to one space."""
    if not text:
        return ""
    # str.split() splits on every Unicode space, incl. no-break and thin spaces.
    return " ".join(text.split())


def dehyphen(text: str) -> str:
    """Turn en dashes and other hyphen look-alikes into '-' (FR prints '2024–02930')."""
    return text.translate(_DASHES)


def element_text(el: etree._Element, *, skip: frozenset[str] = frozenset()) -> str:
    """All text under ``el``, a space before footnote markers, whitespace squashed."""
    if not len(el):
        return squash(el.text)
    parts: list[str] = []
    _collect(el, parts, skip)
    return squash("".join(parts))


def _collect(el: etree._Element, parts: list[str], skip: frozenset[str]) -> None:
    if el.text:
        parts.append(el.text)
    for child in el:
        tag = child.tag
        if isinstance(tag, str) and tag not in skip:
            if tag in FOOTNOTE_TAGS:
                parts.append(" ")
            _collect(child, parts, skip)
        if child.tail:
            parts.append(child.tail)


def first_descendant(el: etree._Element, tag: str) -> etree._Element | None:
    """The first element named ``tag`` at or below ``el`` in document order, or None.

    Like ``next(el.iter(tag), None)``, without its cost: lxml's iterator looks
    ahead for the following match, so asking for the first AMDDATE of a
    3,000-entry supplement walks the whole tree (~2 ms); XPath stops at it.
    """
    found = el.xpath(f"descendant-or-self::{tag}[1]")
    first = found[0] if isinstance(found, list) and found else None   # an element path yields a list of elements
    return first if isinstance(first, etree._Element) else None


def itertext(el: etree._Element) -> Iterator[str]:
    """``el.itertext()``: lxml yields str for a parsed tree; lxml-stubs also allows bytes."""
    return cast("Iterator[str]", el.itertext())


def split_footnotes(el: etree._Element) -> tuple[str, tuple[str, ...]]:
    """(text without footnote markers, the markers) of an element like ``Iraq<SU>3</SU>``."""
    markers = tuple(squash("".join(itertext(c))) for c in el.iter() if c.tag in FOOTNOTE_TAGS)
    return element_text(el, skip=FOOTNOTE_TAGS), tuple(m for m in markers if m)


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters; a cut text ends at a word boundary with "…"."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"


# "a. ", "(b) ", "c) " and roman "ii. " after a space, a colon or a semicolon, before a capital or a quote.
_LETTER = re.compile(r"(?:(?<=\s)|(?<=^)|(?<=:)|(?<=;))\(?([a-z]|[ivx]{1,4})[.)]\s+(?=[A-Z\"'])")
ROMAN_NUMERALS = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")
_TRAILING_AND = re.compile(r"\s*;?\s*and$")


def split_lettered(text: str) -> tuple[str, list[str]]:
    """("Amend … by:", ["Removing …", "Adding …"]): the header and the lettered parts, in order.

    Only a run of letters in order from "a" counts, so "U.S. Arms" or a stray
    initial never splits a sentence; a lone "a." splits (its siblings may be
    the next AMDPARs). Inside a lettered part a run of roman numerals i, ii, …
    splits it further, each sub-part prefixed with its part's own lead-in
    ("Under IRAN: i. Adding …" -> "Under IRAN: Adding …"). Without letters:
    ("", [text]).
    """
    starts: list[re.Match[str]] = []
    expected = "a"
    for match in _LETTER.finditer(text):
        if match.group(1) == expected:
            starts.append(match)
            expected = chr(ord(expected) + 1)
    if not starts:
        return "", [text]
    header = text[: starts[0].start()].strip()
    parts: list[str] = []
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        parts.extend(_split_roman(_trim_part(text[match.end(): end])))
    return header, parts


def _trim_part(part: str) -> str:
    return _TRAILING_AND.sub("", part.strip().rstrip(";").strip()).strip()


def _split_roman(part: str) -> list[str]:
    starts: list[re.Match[str]] = []
    for match in _LETTER.finditer(part):
        if len(starts) < len(ROMAN_NUMERALS) and match.group(1) == ROMAN_NUMERALS[len(starts)]:
            starts.append(match)
    if not starts:
        return [part]
    lead = part[: starts[0].start()].strip()
    out = []
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(part)
        piece = _trim_part(part[match.end(): end])
        out.append(f"{lead} {piece}".strip() if lead else piece)
    return out
