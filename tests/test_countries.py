"""One identity behind every spelling: the EAR's, the ITAR's and people's."""
from __future__ import annotations

import pytest

from parsers.countries import by_code, canonical_name, lookup, resolve, suggest, treated_as
from parsers.errors import UnknownCountryError


@pytest.mark.parametrize("spelling, code, name", [
    # the real 2026 eCFR Country Group tables
    ("China (PRC)", "CN", "China (PRC)"),
    ("Congo (Democratic Republic of)", "CD", "Congo (Democratic Republic of)"),
    ("South Sudan, Republic of", "SS", "South Sudan, Republic of"),
    ("Korea, North", "KP", "Korea, North"),
    ("Korea, South", "KR", "Korea, South"),
    ("Burma", "MM", "Burma"),
    ("T\u00fcrkiye", "TR", "T\u00fcrkiye"),
    ("Bosnia & Herzegovina", "BA", "Bosnia & Herzegovina"),
    ("The Bahamas", "BS", "The Bahamas"),
    ("Gambia, The", "GM", "Gambia, The"),
    ("Cote d'lvoire", "CI", "Cote d'Ivoire"),          # the eCFR's typo: lower-case L
    ("Micronesia, Federated States of", "FM", "Micronesia, Federated States of"),
    ("Ukraine 4", "UA", "Ukraine"),                     # footnote digit as plain text
    ("United Arab Emirates 5", "AE", "United Arab Emirates"),
    ("Iraq 3", "IQ", "Iraq"),
    # the real 22 CFR 126.1
    ("China.", "CN", "China (PRC)"),
    ("North Korea.", "KP", "Korea, North"),
    ("Burma.", "MM", "Burma"),
    ("Democratic Republic of Congo", "CD", "Congo (Democratic Republic of)"),
    ("South Sudan", "SS", "South Sudan, Republic of"),
    # older EAR spellings and what people type
    ("Congo (Democratic Republic of the)", "CD", "Congo (Democratic Republic of)"),
    ("Democratic Republic of the Congo", "CD", "Congo (Democratic Republic of)"),
    ("DRC", "CD", "Congo (Democratic Republic of)"),
    ("Congo (Republic of the)", "CG", "Congo (Republic of the)"),
    ("Republic of the Congo", "CG", "Congo (Republic of the)"),
    ("North Korea", "KP", "Korea, North"),
    ("south korea", "KR", "Korea, South"),
    ("Myanmar", "MM", "Burma"),
    ("Turkey", "TR", "T\u00fcrkiye"),
    ("Ivory Coast", "CI", "Cote d'Ivoire"),
    ("C\u00f4te d\u2019Ivoire", "CI", "Cote d'Ivoire"),
    ("Macao", "MO", "Macau"),
    ("UAE", "AE", "United Arab Emirates"),
    ("Russian Federation", "RU", "Russia"),
    ("Iran, Islamic Republic of", "IR", "Iran"),
    ("Viet Nam", "VN", "Vietnam"),
    ("Bosnia and Herzegovina", "BA", "Bosnia & Herzegovina"),
    ("St. Kitts & Nevis", "KN", "Saint Kitts and Nevis"),
    ("  cambodia ", "KH", "Cambodia"),
    ("Kosovo", "XK", "Kosovo"),
])
def test_every_spelling_resolves_to_one_identity(spelling, code, name):
    found = resolve(spelling)
    assert found is not None, spelling
    assert (found.code, found.name) == (code, name)
    assert canonical_name(spelling) == name


@pytest.mark.parametrize("a, b", [
    ("Sudan", "South Sudan"), ("Guinea", "Equatorial Guinea"), ("Guinea", "Guinea-Bissau"),
    ("Niger", "Nigeria"), ("Dominica", "Dominican Republic"), ("Congo (Republic of the)", "DRC"),
    ("Korea, North", "Korea, South"), ("Macau", "China (PRC)"),
])
def test_similar_names_stay_different_countries(a, b):
    assert resolve(a) != resolve(b)


@pytest.mark.parametrize("text", [
    "Atlantis", "Cambodja", "X", "Country Group D", "Gambia, The Germany", "", "  ",
    "Congo", "Korea",   # ambiguous bare names: never guessed
])
def test_unknown_or_ambiguous_names_resolve_to_nothing(text):
    assert resolve(text) is None


def test_suggestions_for_typos_and_ambiguous_names():
    assert suggest("North Koria")[0] == "Korea, North"
    assert suggest("Cambodja")[0] == "Cambodia"
    assert set(suggest("Congo")[:2]) == {"Congo (Democratic Republic of)", "Congo (Republic of the)"}


def test_lookup_raises_with_suggestions_and_exit_code_2():
    with pytest.raises(UnknownCountryError) as err:
        lookup("North Koria")
    assert err.value.exit_code == 2
    assert str(err.value).startswith("unknown country 'North Koria'; did you mean 'Korea, North'")
    assert lookup("Myanmar").name == "Burma"


def test_hong_kong_takes_chinas_treatment_and_macau_keeps_its_own():
    hong_kong = resolve("Hong Kong")
    target, why = treated_as(hong_kong)
    assert target == by_code("CN")
    assert "85 FR 83788" in why
    assert treated_as(resolve("Macau")) is None
    assert treated_as(resolve("Cambodia")) is None
