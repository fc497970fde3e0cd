"""Country names: the printed form, and the one identity behind every spelling.

Two layers. ``split_country``/``normalize_country`` only remove typography
(footnote digits, odd whitespace, dashes, curly quotes) and keep the printed
words ("Iraq 3" -> "Iraq"). ``resolve`` maps any spelling -- the EAR's
("Korea, North", "China (PRC)", the 2026 typo "Cote d'lvoire"), the ITAR's
("North Korea.", "Democratic Republic of Congo") or a person's ("Myanmar",
"DRC", "Turkey", "UAE") -- to one ``Country``; everything that compares
countries compares those identities.
"""
from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass

import pycountry

from parsers.errors import UnknownCountryError
from parsers.text import squash

_TYPO = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
    "\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-", "\u2212": "-",
})
# Trailing footnote markers: "Iraq 3", "Iraq3", "Iraq 1 2", "Iraq 1,2", "Iraq *".
_TRAILING_MARKS = re.compile(r"(?:\s*(?:\d{1,2}|\*)(?:\s*,\s*|\s+)?)+$")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,)])")
_SPACE_AFTER_OPEN = re.compile(r"\(\s+")

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
    """The EAR's spelling of a country named elsewhere (e.g. in ITAR 126.1); unknown names as printed."""
    return canonical_name(name) or normalize_country(name)


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
#
# Every spelling resolves to one identity before anything is compared: the
# ISO 3166-1 alpha-2 code (pycountry is the source of codes and of the ISO,
# common and official names) plus frtrack's one display name, the EAR's own
# 2026 spelling. A name is matched exactly after folding (case, accents,
# punctuation, "&", a leading/trailing "The"), then as a bag of words without
# "the"/"of"/"and" (so "Korea, North" = "North Korea" and "Congo (Democratic
# Republic of)" = "Democratic Republic of the Congo"); never by substring or
# similarity: "Sudan" is not "South Sudan". Similarity is only for suggestions.


@dataclass(frozen=True)
class Country:
    """One country identity: ISO 3166-1 alpha-2 code (where one exists) and frtrack's EAR name."""

    code: str
    name: str


# The EAR's own spelling where it is not pycountry's common or ISO name.
_EAR_NAMES: dict[str, str] = {
    "BA": "Bosnia & Herzegovina", "BN": "Brunei", "BO": "Bolivia", "BS": "The Bahamas",
    "CD": "Congo (Democratic Republic of)", "CG": "Congo (Republic of the)", "CI": "Cote d'Ivoire",
    "CN": "China (PRC)", "CZ": "Czech Republic", "FM": "Micronesia, Federated States of", "GB": "United Kingdom",
    "GM": "Gambia, The", "IR": "Iran", "KP": "Korea, North", "KR": "Korea, South", "LA": "Laos",
    "MD": "Moldova", "MM": "Burma", "MO": "Macau", "RU": "Russia", "SS": "South Sudan, Republic of",
    "SY": "Syria", "TR": "T\u00fcrkiye", "TW": "Taiwan", "TZ": "Tanzania", "VA": "Holy See",
    "VE": "Venezuela", "VN": "Vietnam", "XK": "Kosovo", "SK": "Slovakia", "KG": "Kyrgyzstan",
    "US": "United States", "CV": "Cabo Verde", "SZ": "Eswatini", "TL": "Timor-Leste",
    "PS": "Palestinian Territories",
}
# Places without an ISO 3166-1 code that the EAR names as destinations.
_EXTRA_CODES: dict[str, str] = {"XK": "Kosovo"}

# Spellings of the EAR, the ITAR, the FR and of people that no ISO name gives.
ALIASES: dict[str, str] = {
    # EAR and ITAR printings
    "Burma (Myanmar)": "MM", "Myanmar": "MM", "Burma": "MM",
    "China (PRC)": "CN", "PRC": "CN", "People's Republic of China": "CN", "Mainland China": "CN",
    "China, People's Republic of": "CN",
    "Cote d'lvoire": "CI",     # the real 2026 eCFR typo, lower-case L
    "Ivory Coast": "CI",
    "Congo (Democratic Republic of)": "CD", "DRC": "CD", "DR Congo": "CD", "D.R.C.": "CD",
    "Congo-Kinshasa": "CD", "Zaire": "CD",
    "Congo (Republic of the)": "CG", "Congo-Brazzaville": "CG", "Republic of Congo": "CG",
    "North Korea": "KP", "DPRK": "KP", "Korea (North)": "KP",
    "South Korea": "KR", "ROK": "KR", "Korea (South)": "KR",
    "Turkey": "TR", "Turkiye": "TR",
    "Macao": "MO", "Macau": "MO",
    "UAE": "AE", "U.A.E.": "AE", "Emirates": "AE",
    "Russia": "RU", "Russian Federation": "RU",
    "UK": "GB", "U.K.": "GB", "Great Britain": "GB", "Britain": "GB",
    "USA": "US", "U.S.": "US", "United States of America": "US",
    "Czech Republic": "CZ", "Slovak Republic": "SK", "Kyrgyz Republic": "KG",
    "Swaziland": "SZ", "Cape Verde": "CV", "East Timor": "TL", "Vatican": "VA", "Vatican City": "VA",
    "Macedonia": "MK", "Former Yugoslav Republic of Macedonia": "MK",
    "Brunei": "BN", "Laos": "LA", "Syria": "SY", "Iran": "IR", "Vietnam": "VN", "Tanzania": "TZ",
    "Moldova": "MD", "Bolivia": "BO", "Venezuela": "VE", "Taiwan": "TW",
    "Micronesia": "FM", "Federated States of Micronesia": "FM",
    "Bahamas": "BS", "Gambia": "GM", "Kosovo": "XK",
    "Palestinian Territories": "PS", "West Bank": "PS", "Gaza": "PS",
}

# Where the EAR treats a place under another entry: the entry and why.
_TREATED_AS: dict[str, tuple[str, str]] = {
    "HK": ("CN", "BIS removed Hong Kong as a separate destination (85 FR 83788, December 2020); "
                 "it takes the treatment of China (PRC)"),
}

# Bare names that mean more than one entry: never resolved, only suggested.
_AMBIGUOUS: dict[str, tuple[str, ...]] = {"congo": ("CD", "CG"), "korea": ("KP", "KR")}

_STOPWORDS = frozenset({"the", "of", "and"})
_WORD_FIXES = {"st": "saint", "ste": "sainte"}


def _fold(name: str) -> str:
    """Case, accents, punctuation, "&" and a leading/trailing "The" folded away."""
    text = split_country(name)[0]
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ").replace("'", "").replace("\u2019", "")
    text = re.sub(r"[^0-9a-z]+", " ", text)
    words = [_WORD_FIXES.get(w, w) for w in text.split()]
    if words and words[0] == "the":
        words = words[1:]
    if words and words[-1] == "the":
        words = words[:-1]
    return " ".join(words)


def _bag(folded: str) -> str:
    return " ".join(sorted(set(folded.split()) - _STOPWORDS))


def _build_index() -> tuple[dict[str, str], dict[str, str], dict[str, Country]]:
    """(exact folded spelling -> code, word bag -> code, code -> Country); ambiguous keys dropped."""
    by_code: dict[str, Country] = {}
    spellings: list[tuple[str, str]] = []
    for iso in pycountry.countries:
        code = iso.alpha_2
        if _fold(iso.name) in _AMBIGUOUS:      # ISO calls the Republic of the Congo just "Congo"
            spellings += [(s, code) for s in (getattr(iso, "official_name", None),) if s]
            by_code[code] = Country(code, _EAR_NAMES.get(code) or iso.name)
            continue
        common = getattr(iso, "common_name", None)
        by_code[code] = Country(code, _EAR_NAMES.get(code) or common or iso.name)
        spellings += [(s, code) for s in (iso.name, common, getattr(iso, "official_name", None)) if s]
    for code, name in _EXTRA_CODES.items():
        by_code[code] = Country(code, _EAR_NAMES.get(code, name))
    spellings += [(c.name, c.code) for c in by_code.values()]
    spellings += list(ALIASES.items())
    exact: dict[str, str] = {}
    bags: dict[str, set[str]] = {}
    for spelling, code in spellings:
        folded = _fold(spelling)
        if folded:
            exact.setdefault(folded, code)
            bags.setdefault(_bag(folded), set()).add(code)
    return exact, {b: next(iter(codes)) for b, codes in bags.items() if len(codes) == 1 and b}, by_code


_EXACT, _BAGS, _BY_CODE = _build_index()


@functools.lru_cache(maxsize=4096)
def resolve(name: str) -> Country | None:
    """The identity behind any spelling (printed, footnoted, aliased); None when unknown."""
    folded = _fold(name or "")
    if not folded or folded in _AMBIGUOUS:
        return None
    code = _EXACT.get(folded) or _BAGS.get(_bag(folded))
    return _BY_CODE[code] if code else None


def by_code(code: str) -> Country | None:
    """The identity with this ISO 3166-1 alpha-2 code (or frtrack's extra code)."""
    return _BY_CODE.get(code.upper())


def canonical_name(name: str) -> str | None:
    """frtrack's one name for the country ``name`` spells; None when unknown."""
    found = resolve(name)
    return found.name if found else None


def suggest(name: str, n: int = 3) -> list[str]:
    """The closest known country names, best first, for an error message."""
    folded = _fold(name or "")
    if not folded:
        return []
    out: list[str] = [_BY_CODE[c].name for c in _AMBIGUOUS.get(folded, ())]
    for key in difflib.get_close_matches(folded, list(_EXACT), n=n * 4, cutoff=0.6):
        display = _BY_CODE[_EXACT[key]].name
        if display not in out:
            out.append(display)
    return out[:n]


def country_key(printed: str) -> str:
    """The name a parsed row is stored under: the canonical name, or the normalized print when unknown.

    Unknown names are kept (never dropped) so the caller can hold them for review.
    """
    return canonical_name(printed) or normalize_country(printed)


def lookup(name: str) -> Country:
    """Like ``resolve`` for names a person typed: unknown raises UnknownCountryError with suggestions."""
    found = resolve(name)
    if found is None:
        raise UnknownCountryError(name, suggest(name))
    return found


def treated_as(country: Country) -> tuple[Country, str] | None:
    """Where the EAR treats ``country`` under another entry: (that entry, why). Hong Kong -> China (PRC)."""
    target = _TREATED_AS.get(country.code)
    if target is None:
        return None
    return _BY_CODE[target[0]], target[1]
