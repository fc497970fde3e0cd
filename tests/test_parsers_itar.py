"""22 CFR 126.1: the proscribed countries, by canonical identity, with where 126.1 lists each."""
from __future__ import annotations

from datetime import date

import pytest

from parsers.countries import canonical_name
from parsers.ecfr_groups import parse_country_groups
from parsers.errors import ParseError
from parsers.itar import parse_itar_126_1
from parsers.model import ItarEntry, ItarReview
from pipeline.demo.synth import itar_126_1_xml
from tests.conftest import FIXTURES
from tests.itar_corpus import render_file

# The canonical (EAR 2026) names of parsers.countries.
DENIAL = {"Belarus", "Burma", "China (PRC)", "Cuba", "Iran", "Korea, North", "Syria", "Venezuela"}
D2_2017 = {"Afghanistan": "g", "Central African Republic": "u", "Cyprus": "r", "Congo (Democratic Republic of)": "i",
           "Eritrea": "h", "Haiti": "j", "Iraq": "f", "Lebanon": "t", "Libya": "k", "Somalia": "m", "Sudan": "v",
           "Zimbabwe": "s"}
D2_2020 = {**D2_2017, "South Sudan, Republic of": "w"}
D2_2022 = {**D2_2020, "Cambodia": "o", "Ethiopia": "n", "Russia": "l"}

EXPECTED_2025_11_07 = (
    "Afghanistan", "Belarus", "Burma", "Central African Republic", "China (PRC)", "Congo (Democratic Republic of)",
    "Cuba", "Eritrea", "Haiti", "Iran", "Iraq", "Korea, North", "Lebanon", "Libya", "Nicaragua", "Russia",
    "Somalia", "South Sudan, Republic of", "Sudan", "Syria", "Venezuela", "Zimbabwe")


def itar(name: str):
    return parse_itar_126_1((FIXTURES / name).read_bytes(), name)


@pytest.mark.parametrize("stem, d2", [("126.1_circa-2017-18", D2_2017), ("126.1_circa-2020", D2_2020),
                                      ("126.1_circa-2022", D2_2022)])
def test_real_126_1_text_parses_to_the_countries_its_tables_print(corpus, stem, d2):
    """The real text of each corpus version, rendered into eCFR XML at test time (tests/itar_corpus.py)."""
    path = corpus / "itar_126_1" / f"{stem}.md"
    if not path.exists():
        pytest.skip(f"{path} absent from the corpus")
    parsed = parse_itar_126_1(render_file(path), f"{stem}.xml")
    assert set(parsed.countries) == DENIAL | set(d2)
    assert {e.country for e in parsed.entries if e.in_d1} == DENIAL
    assert {e.country: e.d2_paragraph for e in parsed.entries if e.in_d2} == d2
    # every (d)(2) country has its own paragraph, under the letter its row points to; no other country has one
    assert {e.country: e.paragraph for e in parsed.entries if e.paragraph} == d2
    assert parsed.review == ()
    assert "North Korea." in parsed.printed and "Democratic Republic of Congo" in parsed.printed


def test_2017_note_naming_south_sudan_is_not_a_listing(corpus):
    """The 2017-18 text's 'Note to § 126.1' says the policy does NOT apply to South Sudan."""
    path = corpus / "itar_126_1" / "126.1_circa-2017-18.md"
    if not path.exists():
        pytest.skip(f"{path} absent from the corpus")
    parsed = parse_itar_126_1(render_file(path), "126.1-2017.xml")
    assert parsed.entry("South Sudan, Republic of") is None


def test_authored_2026_126_1_as_printed():
    parsed = itar("itar_126_1_2026-03-02_authored.xml")
    assert parsed.version_date == date(2026, 3, 2)
    assert parsed.entry("China (PRC)") == ItarEntry("China (PRC)", "China.", in_d1=True)
    assert parsed.entry("Korea, North") == ItarEntry("Korea, North", "North Korea.", in_d1=True)
    assert parsed.entry("Congo (Democratic Republic of)") == ItarEntry(
        "Congo (Democratic Republic of)", "Democratic Republic of Congo", in_d2=True, d2_paragraph="i", paragraph="i")
    assert parsed.entry("Cyprus") == ItarEntry("Cyprus", "Cyprus", in_d2=True, d2_paragraph="r", paragraph="r")
    assert parsed.entry("Cambodia") is None   # row gone and paragraph (o) reserved
    assert parsed.review == ()


def test_the_2026_fixture_pair_differs_only_by_the_real_standing_differences():
    """D:5 of the eCFR table and 126.1, both as printed in 2026, compared by identity.

    Printed spellings differ everywhere ("China (PRC)" / "China.", "Korea, North" / "North Korea.",
    "Congo (Democratic Republic of)" / "Democratic Republic of Congo", "South Sudan, Republic of" /
    "South Sudan"); the only real differences are 126.1's (d)(2) countries that BIS does not carry
    in D:5: Cyprus (paragraph (r), the yearly suspension) and Ethiopia (paragraph (n)).
    """
    name = "ecfr_supp1_2026-03-02_versioner_authored.xml"
    groups = parse_country_groups((FIXTURES / name).read_bytes(), name)
    d5 = {canonical_name(c) for c, g in groups.memberships() if g == "D:5"}
    assert None not in d5
    proscribed = set(itar("itar_126_1_2026-03-02_authored.xml").countries)
    assert (d5 - proscribed, proscribed - d5) == (set(), {"Cyprus", "Ethiopia"})


AUTHORED = (FIXTURES / "itar_126_1_2026-03-02_authored.xml").read_bytes()
CYPRUS_ROW = (b'<TR><TD align="left" class="gpotbl_cell" scope="row">Cyprus</TD><TD align="left" class="gpotbl_cell">'
              b'See also paragraph (r) of this section.</TD></TR>')


def test_a_paragraph_that_outlives_its_table_row_is_a_review_item_not_a_removal():
    assert CYPRUS_ROW in AUTHORED
    parsed = parse_itar_126_1(AUTHORED.replace(CYPRUS_ROW, b""), "126.1-2026-04-01.xml")
    assert "Cyprus" not in parsed.countries
    assert parsed.entry("Cyprus") == ItarEntry("Cyprus", "Cyprus", paragraph="r")
    assert parsed.review == (ItarReview(
        "Cyprus", "paragraph (r) (Cyprus) remains but no table row in paragraph (d) lists Cyprus"),)
    assert parsed.paragraph_only() == ("Cyprus",)


def test_a_row_pointing_at_another_countrys_paragraph_is_a_review_item():
    wrong = CYPRUS_ROW.replace(b"paragraph (r)", b"paragraph (s)")
    parsed = parse_itar_126_1(AUTHORED.replace(CYPRUS_ROW, wrong), "126.1-wrong.xml")
    assert "Cyprus" in parsed.countries
    assert ItarReview("Cyprus", "the (d)(2) row points to paragraph (s), which is the paragraph of Zimbabwe"
                      ) in parsed.review


def test_a_name_that_resolves_to_no_country_is_a_review_item_never_a_new_country():
    atlantis = CYPRUS_ROW.replace(b">Cyprus<", b">Atlantis<")
    parsed = parse_itar_126_1(AUTHORED.replace(CYPRUS_ROW, CYPRUS_ROW + atlantis), "126.1-atlantis.xml")
    assert "Atlantis" not in parsed.countries and parsed.entry("Atlantis") is None
    assert ItarReview("Atlantis", "'Atlantis' in Table 2 to Paragraph (d)(2) resolves to no known country"
                      ) in parsed.review


def test_handwritten_126_1_after_cambodia_left():
    parsed = itar("itar_126_1_2025-11-07_handwritten.xml")
    assert parsed.countries == EXPECTED_2025_11_07
    assert "Cambodia" not in parsed.countries
    assert parsed.version_date == date(2025, 11, 7)
    assert parsed.printed[:8] == ("Belarus", "Burma", "China", "Cuba", "Iran", "North Korea", "Syria", "Venezuela")
    assert {e.country for e in parsed.entries if e.in_d1} == DENIAL


def test_synthesized_126_1_round_trips():
    countries = ["Cambodia", "Korea, North", "Congo (Democratic Republic of)", "China (PRC)", "Iraq"]
    parsed = parse_itar_126_1(itar_126_1_xml(countries, date(2021, 12, 9)), "synth")
    assert parsed.countries == tuple(sorted(countries))
    assert parsed.version_date == date(2021, 12, 9)


def test_not_126_1():
    with pytest.raises(ParseError, match="no DIV8 section 126.1"):
        parse_itar_126_1(b'<DIV8 N="\xc2\xa7 126.2"><HEAD>\xc2\xa7 126.2 Temporary</HEAD></DIV8>', "126.2.xml")


def test_126_1_without_countries_in_paragraph_d_is_refused():
    data = b'<DIV8 N="\xc2\xa7 126.1"><HEAD>\xc2\xa7 126.1 Prohibited</HEAD><P>(a) <I>General.</I> Text.</P></DIV8>'
    with pytest.raises(ParseError, match="lists no countries in paragraph"):
        parse_itar_126_1(data, "126.1-empty.xml")


def test_126_1_tables_in_the_versioner_layout_are_read_without_their_footnote_rows():
    """TABLE class gpo_table with CAPTION and a TFOOT note row, as the versioner prints tables."""
    start = AUTHORED.index(b'<DIV width="100%"><DIV class="gpotbl_div"><P class="gpotbl_title">Table 1 to Paragraph')
    end = AUTHORED.index(b"</DIV></DIV>\n", start) + 13
    rows = "".join(f'<TR>\n<TD class="left">{n}</TD>\n</TR>' for n in ("Belarus.", "Burma.", "China.", "Cuba.", "Iran.",
                                                                       "Nicaragua.", "North Korea.", "Syria.", "Venezuela."))
    versioner = ('<DIV class="table-wrapper"><DIV width="100%"><DIV class="gpotbl_div">\n<TABLE class="gpo_table">\n'
                 '<CAPTION><P class="title">Table 1 to Paragraph (d)(1)</P></CAPTION>\n<THEAD>\n<TR>\n'
                 '<TH class="center">Country</TH>\n</TR>\n</THEAD>\n<TBODY>' + rows + '</TBODY>\n'
                 '<TFOOT><TR><TD colspan="1">Note: authored footnote row naming no country.</TD></TR></TFOOT>'
                 '</TABLE>\n</DIV></DIV></DIV>\n').encode()
    parsed = parse_itar_126_1(AUTHORED[:start] + versioner + AUTHORED[end:], "126.1-versioner.xml")
    assert parsed.countries == itar("itar_126_1_2026-03-02_authored.xml").countries
    assert {e.country for e in parsed.entries if e.in_d1} == DENIAL | {"Nicaragua"}
    assert parsed.review == ()
