"""eCFR Supplement No. 1 to part 740: exact memberships before/after each modeled change."""
from __future__ import annotations

from datetime import date

import pytest

from parsers.ecfr_groups import join_split_names, parse_country_groups
from parsers.ecfr_tables import parse_ecfr_tables
from parsers.exceptions import ParseError
from parsers.model import Column, Note
from tests.conftest import FIXTURES


def groups(name):
    return parse_country_groups((FIXTURES / name).read_bytes(), name)


def delta(before, after):
    b, a = groups(before).memberships(), groups(after).memberships()
    return sorted(a - b), sorted(b - a)   # (added, removed)


@pytest.mark.parametrize("before, after, added, removed", [
    ("ecfr_supp1_2021-12-08_cambodia_before.xml", "ecfr_supp1_2021-12-09_cambodia_d5_added.xml",
     [("Cambodia", "D:5")], []),
    ("ecfr_supp1_2026-02-02_cambodia_before.xml", "ecfr_supp1_2026-02-03_cambodia_d5_removed.xml",
     [], [("Cambodia", "D:5")]),
    ("ecfr_supp1_2024-04-04_cyprus_removed.xml", "ecfr_supp1_2024-04-05_nicaragua_added.xml",
     [("Nicaragua", "D:5")], []),
    ("ecfr_supp1_2024-04-03_cyprus_before.xml", "ecfr_supp1_2024-04-04_cyprus_removed.xml",
     [], [("Cyprus", "D:5")]),
    ("ecfr_supp1_2021-12-08_sudan_before.xml", "ecfr_supp1_2021-12-14_sudan_e_removed.xml",
     [], [("Sudan", "E:1")]),
    ("ecfr_supp1_2022-03-01_belarus_before.xml", "ecfr_supp1_2022-03-02_belarus_a4_to_d2.xml",
     [("Belarus", "D:2")], [("Belarus", "A:4")]),
    ("ecfr_supp1_2023-05-24_b_before_handwritten.xml", "ecfr_supp1_2023-05-25_b_after_handwritten.xml",
     [("Montenegro", "B")], [("Nicaragua", "B")]),
])
def test_each_change_is_exactly_the_modeled_delta(before, after, added, removed):
    assert delta(before, after) == (added, removed)


def test_cambodia_keeps_d1_when_d5_goes():
    table = groups("ecfr_supp1_2026-02-03_cambodia_d5_removed.xml")
    assert {g for c, g in table.memberships() if c == "Cambodia"} == {"B", "D:1"}
    assert table.version_date == date(2026, 2, 3)


def test_handwritten_supplement_read_in_full():
    table = groups("ecfr_supp1_2023-05-24_b_before_handwritten.xml")
    assert table.version_date == date(2023, 5, 24)
    assert [t.title for t in table.tables] == ["Country Group A", "Country Group D", "Country Group E"]
    d = table.tables[1]
    assert d.footnotes == ("1",)
    assert d.columns == (
        Column("D:1", "National Security"), Column("D:2", "Nuclear"),
        Column("D:3", "Chemical & Biological"), Column("D:4", "Missile Technology"),
        Column("D:5", "U.S. Arms Embargoed Countries", ("2",)))
    iraq = next(r for r in d.rows if r.country == "Iraq")
    assert (iraq.printed, iraq.footnotes, sorted(iraq.groups())) == ("Iraq 3", ("3",), ["D:1", "D:3", "D:4", "D:5"])
    assert d.notes[2] == Note("Country Group D", "3",
                              "See \u00a7 746.3 of the EAR for additional license requirements for Iraq.")
    assert table.tables[0].columns[0] == Column("A:1", "Wassenaar Participating States", ("1",))
    assert table.tables[0].columns[4] == Column("A:5", "")
    assert table.b_list == (
        "Afghanistan", "Argentina", "Bosnia & Herzegovina", "Brazil", "Congo (Democratic Republic of)",
        "Cyprus", "India", "Iraq", "Korea, South", "Micronesia, Federated States of", "Nicaragua",
        "Saint Vincent and the Grenadines", "Yemen")
    assert table.memberships() >= {("Cuba", "E:1"), ("Cuba", "E:2"), ("Korea, North", "D:2"), ("Cyprus", "A:4")}
    assert len(table.memberships()) == 55
    assert table.columns()["D:5"] == "U.S. Arms Embargoed Countries"


def test_handwritten_and_synthesized_agree_on_the_format(tmp_path):
    from pipeline.synth import ecfr_supplement_xml
    table = groups("ecfr_supp1_2023-05-24_b_before_handwritten.xml")
    again = parse_country_groups(ecfr_supplement_xml(table), "synth")
    assert again.memberships() == table.memberships()
    assert again.notes == table.notes and again.b_list == table.b_list


def test_names_that_are_each_a_country_are_never_joined():
    # the real 2026 B list: three names end in a word that usually continues
    assert join_split_names(["Gambia, The", "Germany", "Micronesia, Federated States of", "Moldova",
                             "South Sudan, Republic of", "Spain"]) == [
        "Gambia, The", "Germany", "Micronesia, Federated States of", "Moldova", "South Sudan, Republic of", "Spain"]


def test_names_split_across_list_items_are_joined():
    assert join_split_names(["Congo (Democratic Republic of", "the)", "Saint Vincent and the", "Grenadines",
                             "Bosnia and", "Herzegovina", "Korea, South", "Iraq"]) == [
        "Congo (Democratic Republic of the)", "Saint Vincent and the Grenadines", "Bosnia and Herzegovina",
        "Korea, South", "Iraq"]


SHAPE = """<DIV9 N="Supplement No. 1 to Part 740" TYPE="APPENDIX"><HEAD>Supplement No. 1 to Part 740</HEAD>
<DIV width="100%"><DIV class="gpotbl_div"><P class="gpotbl_title">Country Group D</P>
<TABLE class="gpotbl_table"><TR><TH class="gpotbl_colhed">{first}</TH><TH class="gpotbl_colhed">{head}</TH></TR>
<TR><TD class="gpotbl_cell">Cambodia</TD>{cells}</TR></TABLE></DIV></DIV></DIV9>"""


@pytest.mark.parametrize("first, head, cells, problem", [
    ("Nation", "[D:1] National Security", '<TD class="gpotbl_cell">X</TD>', "first column is 'Nation'"),
    ("Country", "National Security", '<TD class="gpotbl_cell">X</TD>', "has no [X:n] code"),
    ("Country", "[E:1] Terrorist", '<TD class="gpotbl_cell">X</TD>', "column E:1 does not belong"),
    ("Country", "[D:1] National Security", "", "a row has 1 cells, expected 2"),
    ("Country", "[D:1] National Security", '<TD class="gpotbl_cell">Yes</TD>', "reads 'YES'"),
])
def test_unexpected_table_shapes_are_refused(first, head, cells, problem):
    data = SHAPE.format(first=first, head=head, cells=cells).encode()
    with pytest.raises(ParseError) as info:
        parse_country_groups(data, "supp1-2026-02-03.xml")
    assert info.value.document == "supp1-2026-02-03.xml"
    assert problem in info.value.problem and "Country Group D" in info.value.problem


def test_a_file_without_country_groups_is_refused():
    with pytest.raises(ParseError, match="no Country Group tables"):
        parse_country_groups(b"<DIV9><HEAD>Supplement No. 2</HEAD></DIV9>", "supp2.xml")


def test_real_title_1_ecfr_xml_tables_are_read(corpus):
    path = corpus / "ecfr_xml" / "ECFR-title1.gpo-bulk-2024-02.xml"
    if not path.exists():
        pytest.skip(f"{path} absent")
    (table,) = parse_ecfr_tables(path.read_bytes(), path.name)
    assert table.column_heads == ("Received before 2:00 p.m.", "Filed for public inspection", "Published")
    assert table.rows[0] == ("Monday", "Wednesday", "Thursday")
    assert len(table.rows) == 5
    with pytest.raises(ParseError, match="no Country Group tables"):
        parse_country_groups(path.read_bytes(), path.name)
