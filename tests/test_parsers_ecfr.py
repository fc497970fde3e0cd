"""eCFR Supplement No. 1 to part 740: exact memberships before/after each modeled change."""
from __future__ import annotations

import re
from datetime import date

import pytest

from parsers.ecfr_groups import join_split_names, parse_country_groups
from parsers.ecfr_tables import parse_ecfr_tables
from parsers.errors import ParseError
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
        "Afghanistan", "Argentina", "Australia", "Austria", "Belgium", "Bosnia & Herzegovina", "Brazil", "Canada",
        "Congo (Democratic Republic of)", "Cyprus", "France", "Germany", "India", "Iraq", "Japan", "Korea, South",
        "Micronesia, Federated States of", "Nicaragua", "Saint Vincent and the Grenadines", "Yemen")
    assert table.memberships() >= {("Cuba", "E:1"), ("Cuba", "E:2"), ("Korea, North", "D:2"), ("Cyprus", "A:4")}
    assert [len(t.rows) for t in table.tables] == [10, 10, 4]
    assert len(table.memberships()) == 112
    assert table.columns()["D:5"] == "U.S. Arms Embargoed Countries"


def test_handwritten_and_synthesized_agree_on_the_format(tmp_path):
    from pipeline.demo.synth import ecfr_supplement_xml
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


# ---------------------------------------------------------------- the versioner (eCFR) layout, 2026 spellings

VERSIONER = "ecfr_supp1_2026-03-02_versioner_authored.xml"


def test_versioner_layout_is_read_like_the_bulk_layout():
    """CAPTION inside TABLE class gpo_table, THEAD/TBODY/TFOOT, footnote rows, <TD/>, plain-text digits."""
    table = groups(VERSIONER)
    assert [(t.title, len(t.rows)) for t in table.tables] == [
        ("Country Group A", 48), ("Country Group D", 48), ("Country Group E", 4)]
    a, d, e = table.tables
    assert a.columns[0] == Column("A:1", "Wassenaar Participating States", ("1",))
    assert d.columns[4] == Column("D:5", "U.S. Arms Embargoed Countries", ("1",))
    assert e.footnotes == ("1",)
    ukraine = next(r for r in a.rows if r.country == "Ukraine")
    assert (ukraine.printed, ukraine.footnotes, sorted(ukraine.groups())) == ("Ukraine 4", ("4",),
                                                                              ["A:1", "A:2", "A:3", "A:4"])
    uae = next(r for r in d.rows if r.country == "United Arab Emirates")
    assert (uae.footnotes, sorted(uae.groups())) == (("5",), ["D:3", "D:4"])
    iraq = next(r for r in d.rows if r.country == "Iraq")
    assert (iraq.footnotes, sorted(iraq.groups())) == (("2",), ["D:1", "D:3", "D:4", "D:5"])
    # the footnote rows are notes, never countries
    assert not any(r.country[0].isdigit() or r.country.startswith("(") for t in table.tables for r in t.rows)
    assert a.notes[0] == Note("Country Group A", "1", "Country Group A:1 is composed of the Wassenaar Arrangement "
                              "participating states, except that Russia is not included in Country Group A:1.")
    assert [n.marker for n in a.notes] == ["1", "2", "4"]
    assert [n.marker for n in d.notes] == ["1", "2", "3", "4", "5"]
    assert e.notes[0].marker == "(a)" and e.notes[0].text.startswith("Country Group E:1 is composed")
    assert {g for c, g in table.memberships() if c == "Cambodia"} == {"B", "D:1", "D:3"}
    assert {g for c, g in table.memberships() if c == "T\u00fcrkiye"} == {"A:1", "A:2", "A:3", "A:4", "A:5", "B"}


def test_versioner_b_list_keeps_names_that_end_in_a_joining_word():
    b = groups(VERSIONER).b_list
    assert len(b) == 175
    for first, second in (("Gambia, The", "Germany"), ("Micronesia, Federated States of", "Monaco"),
                          ("South Sudan, Republic of", "Spain")):
        assert b[b.index(first) + 1] == second
    assert {"Congo (Democratic Republic of)", "Papua New Guinea", "Saint Vincent and the Grenadines",
            "Bosnia & Herzegovina", "The Bahamas", "Cote d'Ivoire"} <= set(b)
    printed = groups(VERSIONER).b_printed
    assert "Cote d'lvoire" in printed and "Congo (Democratic Republic of)" in printed


def test_versioner_and_bulk_renderings_of_one_table_agree():
    from pipeline.demo.synth import ecfr_supplement_xml
    table = groups(VERSIONER)
    again = parse_country_groups(ecfr_supplement_xml(table), "bulk-rendering.xml")
    assert [t.title for t in again.tables] == ["Country Group A", "Country Group D", "Country Group E"]
    assert again.memberships() == table.memberships()
    assert again.b_list == table.b_list


def test_two_names_that_are_each_a_country_are_never_joined():
    names = ["Gambia, The", "Germany", "Micronesia, Federated States of", "Monaco", "South Sudan, Republic of",
             "Spain"]
    assert join_split_names(names) == names
    assert join_split_names(["Papua New", "Guinea", "Paraguay"]) == ["Papua New Guinea", "Paraguay"]


def test_synthesized_b_list_with_joining_words_round_trips():
    from dataclasses import replace

    from pipeline.demo.synth import ecfr_supplement_xml
    table = groups("ecfr_supp1_2023-05-24_b_before_handwritten.xml")
    names = tuple(sorted(set(table.b_list) | {"Gambia, The", "Germany", "Micronesia, Federated States of", "Monaco",
                                              "South Sudan, Republic of", "Spain"}))
    again = parse_country_groups(ecfr_supplement_xml(replace(table, b_list=names, b_printed=names)), "synth")
    assert again.b_list == names


# ---------------------------------------------------------------- refusals: never a partial supplement

def _without(data: bytes, start: bytes, end: bytes) -> bytes:
    i = data.index(start)
    return data[:i] + data[data.index(end, i) + len(end):]


def _versioner_without_table(letter: str) -> bytes:
    data = (FIXTURES / VERSIONER).read_bytes()
    i = data.index(f'<P class="title">Country Group {letter}'.encode())
    start = data.rindex(b'<DIV class="table-wrapper">', 0, i)
    return data[:start] + data[data.index(b"</DIV></DIV></DIV>\n", i) + 19:]


@pytest.mark.parametrize("letter", ["A", "D", "E"])
def test_a_version_missing_a_matrix_table_is_refused(letter):
    with pytest.raises(ParseError) as info:
        parse_country_groups(_versioner_without_table(letter), "supp1-2026-03-02.xml")
    assert info.value.document == "supp1-2026-03-02.xml"
    assert f"lacks Country Group {letter}" in info.value.problem


def test_a_version_missing_the_b_list_is_refused():
    data = _without((FIXTURES / VERSIONER).read_bytes(), b"<HD1>Country Group B", b"</SCOL2>\n")
    with pytest.raises(ParseError, match="lacks the Country Group B list"):
        parse_country_groups(data, "supp1-2026-03-02.xml")


def test_a_bulk_version_missing_a_table_is_refused():
    data = (FIXTURES / "ecfr_supp1_2026-02-03_cambodia_d5_removed.xml").read_bytes()
    i = data.index(b'<P class="gpotbl_title">Country Group E')
    start = data.rindex(b'<DIV width="100%">', 0, i)
    with pytest.raises(ParseError, match="lacks Country Group E"):
        parse_country_groups(data[:start] + data[data.index(b"<CITA", i):], "supp1.xml")   # E is the last table


def _truncate_rows(data: bytes, letter: str, keep: int) -> bytes:
    i = data.index(f'<P class="title">Country Group {letter}'.encode())
    body = data.index(b"<TBODY>", i) + 7
    end = data.index(b"</TBODY>", body)
    rows = data[body:end].split(b"\n<TR>")
    return data[:body] + b"\n<TR>".join(rows[:keep + 1]) + b"\n" + data[end:]


@pytest.mark.parametrize("letter, keep, problem", [
    ("A", 9, "Country Group A prints 9 rows, fewer than the 10"),
    ("D", 3, "Country Group D prints 3 rows, fewer than the 10"),
    ("E", 1, "Country Group E prints 1 rows, fewer than the 2"),
])
def test_implausibly_few_rows_are_refused(letter, keep, problem):
    with pytest.raises(ParseError) as info:
        parse_country_groups(_truncate_rows((FIXTURES / VERSIONER).read_bytes(), letter, keep), "supp1.xml")
    assert problem in info.value.problem


def test_implausibly_short_b_list_is_refused():
    data = (FIXTURES / VERSIONER).read_bytes()
    start = data.index(b"<SCOL2>\n") + 8
    items = data[start:data.index(b"</SCOL2>", start)].split(b"\n")
    with pytest.raises(ParseError, match="Country Group B lists 19 names, fewer than the 20"):
        parse_country_groups(data[:start] + b"\n".join(items[:19]) + b"\n" + data[data.index(b"</SCOL2>", start):],
                             "supp1.xml")


def test_a_second_table_of_one_group_is_refused():
    data = (FIXTURES / VERSIONER).read_bytes()
    i = data.index(b'<P class="title">Country Group E')
    start = data.rindex(b'<DIV class="table-wrapper">', 0, i)
    end = data.index(b"</DIV></DIV></DIV>\n", i) + 19
    with pytest.raises(ParseError, match="a second Country Group E table"):
        parse_country_groups(data[:end] + data[start:end] + data[end:], "supp1.xml")


def test_a_note_shaped_row_with_marks_is_refused():
    data = (FIXTURES / VERSIONER).read_bytes()
    note = b'<TD class="left">1 Country Group A:1 is composed'
    i = data.index(note)
    cell = data.index(b"<TD/>", i)
    data = data[:cell] + b"<TD>X</TD>" + data[cell + 5:]
    with pytest.raises(ParseError, match="Country Group A: a row reads like a footnote"):
        parse_country_groups(data, "supp1.xml")


def test_versioner_cell_that_is_not_a_mark_is_refused():
    data = (FIXTURES / VERSIONER).read_bytes()
    i = data.index(b'<TD class="left border-right-single">Belarus</TD>')
    x = data.index(b">X</TD>", i)
    with pytest.raises(ParseError, match="reads 'YES'"):
        parse_country_groups(data[:x] + b">Yes</TD>" + data[x + 7:], "supp1.xml")


def test_b_heading_as_hd_with_source_attribute_is_found():
    data = (FIXTURES / VERSIONER).read_bytes().replace(
        "<HD1>Country Group B\u2014Countries</HD1>".encode(),
        '<HD SOURCE="HD1">Country Group B\u2014Countries</HD>'.encode())
    assert b'<HD SOURCE="HD1">' in data
    assert parse_country_groups(data, "supp1.xml").b_list == groups(VERSIONER).b_list


# ---------------------------------------------------------------- mark cells with markup, row-header cells

def _versioner(old: bytes, new: bytes, count: int = -1) -> bytes:
    data = (FIXTURES / VERSIONER).read_bytes()
    assert old in data
    return data.replace(old, new, count)


X_CELL = b'<TD class="center border-right-single">X</TD>'


@pytest.mark.parametrize("wrapped", [
    b'<TD class="center border-right-single"><P>X</P></TD>',
    b'<TD class="center border-right-single"><E T="03">X</E></TD>',
    b'<TD class="center border-right-single"><P>X<sup>1</sup></P></TD>',
    b'<TD class="center border-right-single">\n<P>X</P>\n</TD>',
    b'<TD class="center border-right-single"><P> x </P></TD>',
])
def test_a_mark_inside_child_markup_is_a_mark(wrapped):
    """An "X" wrapped in P or E (with or without a footnote reference) is read, never taken for a blank."""
    expected = groups(VERSIONER).memberships()
    assert parse_country_groups(_versioner(X_CELL, wrapped), "supp1.xml").memberships() == expected   # every cell
    assert parse_country_groups(_versioner(X_CELL, wrapped, 5), "supp1.xml").memberships() == expected  # a few


def test_a_wrapped_cell_that_is_not_a_mark_is_refused_naming_table_column_and_country():
    data = _versioner(b'<TD class="left border-right-single">Belarus</TD>\n' + X_CELL,
                      b'<TD class="left border-right-single">Belarus</TD>\n'
                      b'<TD class="center border-right-single"><P>Yes</P></TD>')
    with pytest.raises(ParseError) as info:
        parse_country_groups(data, "supp1.xml")
    assert info.value.problem == "Country Group D: cell D:1 of 'Belarus' reads 'YES', expected 'X' or blank"


def test_a_wrapped_blank_cell_is_blank():
    blank = b'<TD class="center border-right-single"/>'
    data = _versioner(blank, b'<TD class="center border-right-single"><P> </P></TD>')
    assert parse_country_groups(data, "supp1.xml").memberships() == groups(VERSIONER).memberships()


def test_a_table_whose_every_mark_is_lost_is_refused():
    """Every D cell blank is a rendering failure: read, it would report every D membership as removed."""
    data = (FIXTURES / VERSIONER).read_bytes()
    i = data.index(b'<P class="title">Country Group D')
    end = data.index(b"</TBODY>", i)
    data = data[:i] + data[i:end].replace(b">X</TD>", b"></TD>") + data[end:]
    with pytest.raises(ParseError) as info:
        parse_country_groups(data, "supp1.xml")
    assert info.value.problem == ("Country Group D: none of its 48 rows has a mark in any column;"
                                  " a table with every X lost is a rendering failure, not read")


def test_a_column_with_no_mark_is_read_because_one_can_empty_legitimately():
    """E:2 holds Cuba alone in every real version: one rule can empty it. Emptying is the engine's check."""
    data = _versioner(b'Cuba<sup>2</sup></TD>\n' + X_CELL + b'\n' + X_CELL,
                      b'Cuba<sup>2</sup></TD>\n' + X_CELL + b'\n<TD class="center border-right-single"/>')
    assert groups(VERSIONER).memberships() - parse_country_groups(data, "supp1.xml").memberships() == {
        ("Cuba", "E:2")}


def test_country_cells_printed_as_row_headers_are_read():
    """<TH scope="row"> for the country cell (HTML's row header) in body rows, one row or every row."""
    cell = b'<TD class="left border-right-single">'
    expected = groups(VERSIONER).memberships()
    data = (FIXTURES / VERSIONER).read_bytes()
    rows = data.replace(cell + b"Argentina</TD>", b'<TH scope="row" class="left">Argentina</TH>')
    assert parse_country_groups(rows, "supp1.xml").memberships() == expected
    every = re.sub(rb'<TD class="left border-right-single">([^<]*(?:<sup>\d</sup>)?)</TD>',
                   rb'<TH scope="row" class="left">\1</TH>', data)
    assert every.count(b'<TH scope="row"') > 90
    assert parse_country_groups(every, "supp1.xml").memberships() == expected


def test_a_real_second_header_row_is_still_refused():
    original = (FIXTURES / VERSIONER).read_bytes()
    head = original[original.index(b"<THEAD>") + 7:original.index(b"</THEAD>")]
    body = original.index(b"<TBODY>") + 7
    data = original[:body] + head + original[body:]
    with pytest.raises(ParseError, match="Country Group A: a second header row"):
        parse_country_groups(data, "supp1.xml")
    k = original.index(b"</TR>", original.index(b">Australia<")) + 5   # the header repeated after some rows
    later = original[:k] + head.strip() + original[k:]
    with pytest.raises(ParseError, match="Country Group A: a second header row"):
        parse_country_groups(later, "supp1.xml")
