"""22 CFR 126.1: the proscribed countries, in the EAR's spelling."""
from __future__ import annotations

from datetime import date

import pytest

from parsers.exceptions import ParseError
from parsers.itar import parse_itar_126_1
from pipeline.synth import itar_126_1_xml
from tests.conftest import FIXTURES

EXPECTED_2025_11_07 = (
    "Afghanistan", "Belarus", "Burma", "Central African Republic", "China (PRC)", "Congo (Democratic Republic of)",
    "Cuba", "Eritrea", "Haiti", "Iran", "Iraq", "Korea, North", "Lebanon", "Libya", "Nicaragua", "Russia",
    "Somalia", "South Sudan, Republic of", "Sudan", "Syria", "Venezuela", "Zimbabwe")


def test_handwritten_126_1_after_cambodia_left():
    itar = parse_itar_126_1((FIXTURES / "itar_126_1_2025-11-07_handwritten.xml").read_bytes(), "126.1")
    assert itar.countries == EXPECTED_2025_11_07
    assert "Cambodia" not in itar.countries
    assert itar.version_date == date(2025, 11, 7)
    assert itar.printed[:8] == ("Belarus", "Burma", "China", "Cuba", "Iran", "North Korea", "Syria", "Venezuela")


def test_synthesized_126_1_round_trips():
    countries = ["Cambodia", "Korea, North", "Congo (Democratic Republic of)", "China (PRC)", "Iraq"]
    itar = parse_itar_126_1(itar_126_1_xml(countries, date(2021, 12, 9)), "synth")
    assert itar.countries == tuple(sorted(countries))
    assert itar.version_date == date(2021, 12, 9)


def test_not_126_1():
    with pytest.raises(ParseError, match="no DIV8 section 126.1"):
        parse_itar_126_1(b'<DIV8 N="\xc2\xa7 126.2"><HEAD>\xc2\xa7 126.2 Temporary</HEAD></DIV8>', "126.2.xml")
