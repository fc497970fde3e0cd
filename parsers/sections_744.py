"""eCFR XML of 15 CFR 744.21 and 744.22 -> the countries each section names.

§ 744.21 (military end use/user) names its countries twice: in the section
heading ("... in Belarus, Burma, Cambodia, the People's Republic of China,
Nicaragua, Russia, or Venezuela.") and in paragraph (a). § 744.22
(military-intelligence) names them only in paragraph (a), and adds "a country
listed in Country Groups E:1 or E:2". The two places of § 744.21 disagreeing,
or a listed name that resolves to no country, is a problem the engine turns
into a review item -- never silently dropped, never silently fixed.

Names are found in running text (``countries_in_text``), so paragraph (a)'s
prose around the list ("to ... without a license if ...") is skipped: a word
run counts as a country only where a list puts one -- after "to"/"in"/a list
separator, before a separator or the end of the list.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from lxml import etree

from parsers.countries import resolve
from parsers.dates import parse_fr_date
from parsers.errors import ParseError
from parsers.lists_common import SECTION_TABLES
from parsers.model import ReviewItem, ReviewReason
from parsers.text import element_text, first_descendant, squash
from parsers.xmlsafe import parse_xml

# Sections whose heading never lists countries (the real § 744.22 heading).
HEADING_WITHOUT_COUNTRIES = frozenset({"744.22"})

_SECTION_NUMBER = re.compile(r"^\s*(?:§+\s*)?(\d+\.\d+)\s*")
_GROUP_REFS = re.compile(r"Country\s+Groups?\s+((?:[A-E]:\d)(?:\s*(?:,|or|and)\s*(?:[A-E]:\d))*)")
_GROUP_CODE = re.compile(r"[A-E]:\d")
_PAREN = re.compile(r"\s*\(([^()]{1,40})\)")
_ENDS_LIST = (".", ";", ":")
_OPENERS = frozenset({"to", "in", "within"})
_JOINERS = frozenset({"or", "and"})
_MAX_WORDS = 7
_RESERVED = re.compile(r"\[\s*Reserved\s*\]", re.IGNORECASE)


@dataclass(frozen=True)
class NameScan:
    """Countries a text names (canonical, first-seen order), as printed, and list names that resolve to none."""

    countries: tuple[str, ...]
    printed: tuple[str, ...]
    unknown: tuple[str, ...]


@dataclass(frozen=True)
class SectionCountryList:
    """The countries one eCFR version of § 744.21 or § 744.22 names.

    ``countries`` is the union of the heading's and paragraph (a)'s names
    (canonical, sorted); ``problems`` says where they disagree or a name is
    unknown. ``groups`` are the Country Group codes paragraph (a) refers to.
    """

    section: str                          # "744.21"
    table: str                            # "15 CFR 744.21"
    countries: tuple[str, ...]
    heading_countries: tuple[str, ...]
    paragraph_a_countries: tuple[str, ...]
    printed: tuple[str, ...]              # names as printed, heading first
    groups: tuple[str, ...] = ()
    problems: tuple[ReviewItem, ...] = ()
    version_date: date | None = None
    heading: str = ""
    paragraph_a: str = ""


# --------------------------------------------------------------- scanning

def _strip_country_parentheticals(text: str) -> str:
    """"the People's Republic of China (China)" -> "... of China": the short form repeats a country."""
    return _PAREN.sub(lambda m: "" if resolve(m.group(1)) else m.group(0), text)


def _bare(token: str) -> str:
    return token.strip(" ,;:.")


def _resolve_words(words: list[str]) -> str | None:
    phrase = " ".join(words).strip(" ,;:.")
    if not phrase or not phrase[0].isupper() and not phrase.lower().startswith("the "):
        return None
    found = resolve(phrase)
    return found.name if found else None


def _longest_match(tokens: list[str], i: int) -> tuple[int, str] | None:
    """(words used, country) for the longest run of tokens from ``i`` naming a country and ending a list item."""
    for n in range(min(_MAX_WORDS, len(tokens) - i), 0, -1):
        words = tokens[i: i + n]
        if any(w.endswith(_ENDS_LIST + (",",)) for w in words[:-1]) and not _comma_name(words):
            continue
        country = _resolve_words(words)
        if country and _ends_item(tokens, i + n):
            return n, country
    return None


def _comma_name(words: list[str]) -> bool:
    """Names the EAR prints with an inner comma ("Korea, North") are one item."""
    return any(w.endswith(",") for w in words[:-1]) and resolve(" ".join(words).strip(" ,;:.")) is not None \
        and len(words) <= 4


def _ends_item(tokens: list[str], j: int) -> bool:
    if j >= len(tokens):
        return True
    last, following = tokens[j - 1], tokens[j]
    return last.endswith(_ENDS_LIST + (",",)) or following in _JOINERS or following in ("without", "for") \
        or following.startswith("(")


def _starts_item(tokens: list[str], i: int, in_list: bool) -> bool:
    if i == 0:
        return True
    previous = tokens[i - 1]
    return previous.lower() in _OPENERS or (in_list and (previous.endswith(",") or previous in _JOINERS))


def _unknown_item(tokens: list[str], i: int) -> tuple[int, str] | None:
    """A capitalized list item that resolves to nothing ("Freedonia,"): (words used, text)."""
    words = []
    for token in tokens[i: i + 4]:
        words.append(token)
        if token.endswith(_ENDS_LIST + (",",)):
            break
    else:
        if i + len(words) < len(tokens) and tokens[i + len(words)] not in _JOINERS:
            return None
    phrase = _bare(" ".join(words))
    if phrase.lower().startswith("the "):
        phrase = phrase[4:]
    if not phrase or not phrase[0].isupper() or phrase.split()[0] in ("Country", "Supplement"):
        return None
    return len(words), phrase


def countries_in_text(text: str) -> NameScan:
    """Every country a list in ``text`` names, and list items that resolve to no country."""
    tokens = _strip_country_parentheticals(squash(text)).split(" ")
    countries: list[str] = []
    printed: list[str] = []
    unknown: list[str] = []
    in_list = False
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if in_list and token in _JOINERS:
            i += 1
            continue
        match = _longest_match(tokens, i) if _starts_item(tokens, i, in_list) else None
        if match:
            n, country = match
            if country not in countries:
                countries.append(country)
                printed.append(_bare(" ".join(tokens[i: i + n])))
            in_list = not tokens[i + n - 1].endswith(_ENDS_LIST)
            i += n
            continue
        if in_list and (tokens[i - 1].endswith(",") or tokens[i - 1] in _JOINERS):
            item = _unknown_item(tokens, i)
            if item:
                n, phrase = item
                if phrase not in unknown:
                    unknown.append(phrase)
                in_list = not tokens[i + n - 1].endswith(_ENDS_LIST)
                i += n
                continue
        in_list = False
        i += 1
    return NameScan(tuple(countries), tuple(printed), tuple(unknown))


def group_references(text: str) -> tuple[str, ...]:
    """("E:1", "E:2") from "a country listed in Country Groups E:1 or E:2"."""
    codes: list[str] = []
    for match in _GROUP_REFS.finditer(text):
        codes.extend(c for c in _GROUP_CODE.findall(match.group(1)) if c not in codes)
    return tuple(codes)


# --------------------------------------------------------------- sections

def section_list_from_text(section: str, heading: str, paragraph_a: str,
                           version_date: date | None = None) -> SectionCountryList:
    """The country list of one section from its heading and paragraph (a) text."""
    table = SECTION_TABLES.get(section, f"15 CFR {section}")
    heading_text = _SECTION_NUMBER.sub("", squash(heading))
    head_scan = countries_in_text(heading_text)
    a_scan = countries_in_text(paragraph_a)
    problems: list[ReviewItem] = []
    for name, where, text in [*((n, "heading", heading_text) for n in head_scan.unknown),
                              *((n, "paragraph (a)", paragraph_a) for n in a_scan.unknown)]:
        problems.append(ReviewItem(ReviewReason.UNKNOWN_COUNTRY,
                                   f"§ {section} {where} names {name!r}, which resolves to no country", text, table))
    if head_scan.countries or section not in HEADING_WITHOUT_COUNTRIES:
        only_a = sorted(set(a_scan.countries) - set(head_scan.countries))
        only_head = sorted(set(head_scan.countries) - set(a_scan.countries))
        if only_a:
            problems.append(ReviewItem(ReviewReason.PLACES_DISAGREE,
                                       f"§ {section} paragraph (a) names {', '.join(only_a)} but the heading does not",
                                       heading_text, table))
        if only_head:
            problems.append(ReviewItem(ReviewReason.PLACES_DISAGREE,
                                       f"§ {section} heading names {', '.join(only_head)} but paragraph (a) does not",
                                       paragraph_a, table))
    printed = tuple(dict.fromkeys(head_scan.printed + a_scan.printed))
    return SectionCountryList(
        section=section, table=table,
        countries=tuple(sorted(set(head_scan.countries) | set(a_scan.countries))),
        heading_countries=tuple(sorted(head_scan.countries)),
        paragraph_a_countries=tuple(sorted(a_scan.countries)),
        printed=printed, groups=group_references(paragraph_a), problems=tuple(problems),
        version_date=version_date, heading=heading_text, paragraph_a=paragraph_a)


def paragraph_text(paragraphs: list[str], letter: str = "a") -> str | None:
    """Paragraph (a) with its subparagraphs: from the P starting "(a)" up to the next lettered one."""
    out: list[str] = []
    for text in paragraphs:
        marker = re.match(r"^\(([a-z])\)", text)
        if marker and out:
            break
        if marker and marker.group(1) == letter:
            out.append(text)
        elif out:
            out.append(text)
    return " ".join(out) if out else None


def parse_sections_744(data: bytes, name: str) -> tuple[SectionCountryList, ...]:
    """The country lists of § 744.21 and § 744.22 in an eCFR XML file (either or both)."""
    return sections_from_tree(parse_xml(data, name), name)


def section_divs(root: etree._Element) -> list[tuple[str, etree._Element]]:
    """("744.21", its DIV8) for each tracked section in the tree (N="§ 744.21" in bulk data, "744.21" alone)."""
    found = []
    for div in root.iter("DIV8"):
        number = _SECTION_NUMBER.match(div.get("N") or "")
        if number and number.group(1) in SECTION_TABLES:
            found.append((number.group(1), div))
    return found


def sections_from_tree(root: etree._Element, name: str) -> tuple[SectionCountryList, ...]:
    """Like parse_sections_744 on a parsed (never modified) tree; ParseError when neither section is there."""
    amd = first_descendant(root, "AMDDATE")
    version = parse_fr_date(element_text(amd)) if amd is not None else None
    found: list[SectionCountryList] = []
    for section, div in section_divs(root):
        head = div.find("HEAD")
        if head is not None and _RESERVED.search(element_text(head)):
            # "§ 744.22 [Reserved]" (before 2021): a section that names no country is an empty list.
            found.append(SectionCountryList(section=section, table=SECTION_TABLES[section], countries=(),
                                            heading_countries=(), paragraph_a_countries=(), printed=(),
                                            version_date=version, heading=element_text(head)))
            continue
        paragraphs = [element_text(p) for p in div if p.tag == "P"]
        paragraph_a = paragraph_text(paragraphs)
        if head is None or paragraph_a is None:
            raise ParseError(name, f"§ {section} has no {'heading' if head is None else 'paragraph (a)'}")
        found.append(section_list_from_text(section, element_text(head), paragraph_a, version))
    if not found:
        raise ParseError(name, "neither § 744.21 nor § 744.22 found (no DIV8 N=\"§ 744.21\"/\"§ 744.22\")")
    return tuple(found)



def section_delta(before: SectionCountryList, after: SectionCountryList) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(added, removed) countries between two versions of one section: what an eCFR version confirms."""
    return (tuple(sorted(set(after.countries) - set(before.countries))),
            tuple(sorted(set(before.countries) - set(after.countries))))
