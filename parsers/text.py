"""Text of XML elements, normalized the way every parser here needs it."""
from __future__ import annotations

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


def _collect(el, parts: list[str], skip: frozenset[str]) -> None:
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


def split_footnotes(el: etree._Element) -> tuple[str, tuple[str, ...]]:
    """(text without footnote markers, the markers) of an element like ``Iraq<SU>3</SU>``."""
    markers = tuple(squash("".join(c.itertext())) for c in el.iter() if c.tag in FOOTNOTE_TAGS)
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
