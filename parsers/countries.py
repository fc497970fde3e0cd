"""Country names as the EAR prints them, normalized for comparison.

The printed form ("Iraq 3", "Korea, North") is always kept beside the
normalized one ("Iraq"); normalizing only removes typography (footnote
digits, odd whitespace, dashes, curly quotes), never changes the EAR's words.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from functools import lru_cache

from parsers.text import squash

_TYPO = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
    "\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-", "\u2212": "-",
})
# Trailing footnote markers: "Iraq 3", "Iraq3", "Iraq 1 2", "Iraq 1,2", "Iraq *".
_TRAILING_MARKS = re.compile(r"(?:\s*(?:\d{1,2}|\*)(?:\s*,\s*|\s+)?)+$")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,)])")
_SPACE_AFTER_OPEN = re.compile(r"\(\s+")

# ITAR 126.1 and other State Department spellings → the EAR's own names.
EAR_NAME: dict[str, str] = {
    "North Korea": "Korea, North",
    "South Korea": "Korea, South",
    "Democratic Republic of the Congo": "Congo (Democratic Republic of the)",
    "Republic of the Congo": "Congo (Republic of the)",
    "Myanmar": "Burma",
    "Burma (Myanmar)": "Burma",
    "Republic of Cyprus": "Cyprus",
    "People's Republic of China": "China",
}


@lru_cache(maxsize=8192)
@functools.lru_cache(maxsize=8192)
def split_country(printed: str) -> tuple[str, tuple[str, ...]]:
    """("Iraq", ("3",)) from "Iraq 3": the normalized name and its footnote markers.

    Cached: a supplement prints each country in up to three tables, and every
    eCFR version of a backfill prints them all again.
    """
    text = squash(printed).translate(_TYPO)
    markers: tuple[str, ...] = ()
    match = _TRAILING_MARKS.search(text)
    if match and match.start() > 0:
        markers = tuple(re.findall(r"\d{1,2}|\*", match.group(0)))
        text = text[: match.start()]
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _SPACE_AFTER_OPEN.sub("(", text)
    return text.strip(" .;"), markers


def normalize_country(printed: str) -> str:
    """The comparable name: footnote digits stripped, typography normalized."""
    return split_country(printed)[0]


def ear_name(name: str) -> str:
    """The EAR's spelling of a country named elsewhere (e.g. in ITAR 126.1)."""
    normalized = normalize_country(name)
    return EAR_NAME.get(normalized, normalized)

# The EAR's names as 22 CFR 126.1 spells them (for writing 126.1 XML).
ITAR_NAME: dict[str, str] = {
    "Korea, North": "North Korea",
    "Congo (Democratic Republic of the)": "Democratic Republic of the Congo",
}

# Names that contain " and ", so an unquoted "X and Y" is not always two countries.
NAMES_WITH_AND: frozenset[str] = frozenset({
    "Antigua and Barbuda", "Bosnia and Herzegovina", "Heard Island and McDonald Islands",
    "Saint Kitts and Nevis", "Saint Pierre and Miquelon", "Saint Vincent and the Grenadines",
    "Sao Tome and Principe", "South Georgia and the South Sandwich Islands", "Trinidad and Tobago",
    "Turks and Caicos Islands", "Wallis and Futuna",
})


def split_name_list(text: str) -> list[str]:
    """["Russia", "Yemen"] from "Russia and Yemen", keeping "Bosnia and Herzegovina" whole."""
    parts = [p.strip() for p in re.split(r"\s+and\s+", text) if p.strip()]
    names: list[str] = []
    for part in parts:
        if names and f"{names[-1]} and {part}" in NAMES_WITH_AND:
            names[-1] = f"{names[-1]} and {part}"
        else:
            names.append(part)
    return names


# ---------------------------------------------------------------- identity
# (interface; the alias table and pycountry index fill it in)

@dataclass(frozen=True)
class Country:
    """One country identity: ISO 3166-1 alpha-2 code (where one exists) and frtrack's EAR name."""

    code: str
    name: str


def resolve(name: str) -> Country | None:
    """The identity behind any spelling (printed, footnoted, aliased); None when unknown."""
    text = normalize_country(name)
    if not text:
        return None
    return Country(code=text.upper(), name=EAR_NAME.get(text, text))


def canonical_name(name: str) -> str | None:
    """frtrack's one name for the country ``name`` spells; None when unknown."""
    found = resolve(name)
    return found.name if found else None


def suggest(name: str, n: int = 3) -> list[str]:
    """The closest known country names, best first, for an error message."""
    return []


def lookup(name: str) -> Country:
    """Like ``resolve`` for names a person typed: unknown raises UnknownCountryError with suggestions."""
    from parsers.exceptions import UnknownCountryError
    found = resolve(name)
    if found is None:
        raise UnknownCountryError(name, suggest(name))
    return found


def treated_as(country: Country) -> tuple[Country, str] | None:
    """Where the EAR treats ``country`` under another entry: (that entry, why). Hong Kong -> China (PRC)."""
    return None
