"""FR XML: the fixture rules give exact operations; every real corpus file parses."""
from __future__ import annotations

from datetime import date

import pytest
from lxml import etree

from parsers.fr_xml import cfr_references, parse_fr_xml
from parsers.model import Action, Entry
from tests.conftest import FIXTURES

D = ("D:1", "D:2", "D:3", "D:4", "D:5")


def fixture_docs(name):
    return parse_fr_xml((FIXTURES / name).read_bytes(), name)


def operations(docs):
    return [(o.action, o.table, o.country, o.marks, o.corrects)
            for d in docs for i in d.instructions for o in i.operations]


def marks(*on):
    return {c: c in on for c in D}


def test_2026_cambodia_rule_effective_before_publication():
    (doc,) = fixture_docs("fr_2026-02-04_issue_cambodia_d5_removed.xml")
    assert (doc.document_number, doc.doc_type, doc.rins, doc.subject) == (
        "2026-02262", "RULE", ("0694-AK41",),
        "Conforming Change to the Export Administration Regulations for Cambodia")
    assert (doc.publication_date, doc.effective_date, doc.effective_on_publication) == (
        date(2026, 2, 4), date(2026, 2, 3), False)
    assert doc.effective_date < doc.publication_date
    assert doc.citation is None      # the fixture prints no page: 2026-02262's citation is not verified
    assert (doc.agency, doc.subagency, doc.action) == (
        "DEPARTMENT OF COMMERCE", "Bureau of Industry and Security", "Final rule.")
    assert doc.cfr_parts == ("15 CFR 740",)
    assert doc.dates_text == "This rule is effective February 3, 2026."
    assert [(i.index, i.title, i.part) for i in doc.instructions] == [(0, 15, "740"), (1, 15, "740")]
    assert doc.instructions[0].operations == ()
    assert doc.instructions[1].content_tags == ("APPENDIX",)
    assert operations([doc]) == [(Action.REVISE_ENTRY, "Country Group D", "Cambodia", marks("D:1"), None)]
    assert doc.instructions[1].operations[0].entries == (
        Entry("Cambodia", "Cambodia", tuple((c, c == "D:1") for c in D)),)


def test_2021_cambodia_rule():
    (doc,) = fixture_docs("fr_2021-12-09_issue_cambodia_d5_added.xml")
    assert (doc.document_number, doc.citation, doc.publication_date, doc.effective_date) == (
        "2021-26633", "86 FR 70015", date(2021, 12, 9), date(2021, 12, 9))
    assert operations([doc]) == [
        (Action.REVISE_ENTRY, "Country Group D", "Cambodia", marks("D:1", "D:5"), None)]


@pytest.mark.parametrize("name, expected", [
    ("fr_2021-sudan_e1_removed.xml", [(Action.REMOVE_ENTRY, "Country Group E", "Sudan", None, None)]),
    ("fr_2022-belarus_a4_to_d.xml", [
        (Action.REMOVE_ENTRY, "Country Group A", "Belarus", None, None),
        (Action.REVISE_ENTRY, "Country Group D", "Belarus", marks(*D), None)]),
    ("fr_2024-nicaragua_cyprus.xml", [
        (Action.REMOVE_ENTRY, "Country Group D", "Cyprus", None, None),
        (Action.ADD_ENTRY, "Country Group D", "Nicaragua", marks("D:5"), None)]),
    ("fr_2020-russia_yemen.xml", [
        (Action.REVISE_ENTRY, "Country Group D", "Russia", marks(*D), None),
        (Action.REVISE_ENTRY, "Country Group D", "Yemen", marks("D:1", "D:3", "D:4", "D:5"), None)]),
    ("fr_2021-russia_yemen_correction.xml", [
        (Action.REVISE_ENTRY, "Country Group D", "Yemen", marks("D:3", "D:4", "D:5"), "2099-90014")]),
    ("fr_correct_C1-2021-00913_handwritten.xml", [
        (Action.REVISE_ENTRY, "Country Group D", "Yemen", marks("D:1", "D:3", "D:4", "D:5"), "2021-00913")]),
    ("fr_b_list_change.xml", [
        (Action.ADD_ENTRY, "Country Group B", "Montenegro", {"B": True}, None),
        (Action.REMOVE_ENTRY, "Country Group B", "Nicaragua", None, None),
        (Action.AMEND_TEXT, "Country Group E", None, None, None),
        (Action.UNRECOGNIZED, "Country Group B", None, None, None)]),
])
def test_fixture_rules_give_exact_operations(name, expected):
    assert operations(fixture_docs(name)) == expected


def test_revise_whole_table_carries_every_row():
    (doc,) = fixture_docs("fr_2018-india_a5_revise_table.xml")
    (op,) = doc.instructions[1].operations
    assert (op.action, op.table, op.country, op.marks) == (Action.REVISE_TABLE, "Country Group A", None, None)
    assert len(op.entries) == 24
    india = next(e for e in op.entries if e.country == "India")
    assert india.groups() == {"A:1", "A:2", "A:3", "A:5"}
    assert op.review is None and not doc.instructions[1].tables[0].elided   # the whole table, reprinted whole


_ELIDED_D = (b"<RULE><SUPLINF><REGTEXT TITLE=\"15\" PART=\"740\"><AMDPAR>2. Supplement No. 1 to part 740 is amended by "
             b"revising Country Group D to read as follows:</AMDPAR><APPENDIX><GPOTABLE COLS=\"6\"><TTITLE>Country Group "
             b"D</TTITLE><BOXHD><CHED H=\"1\">Country</CHED><CHED H=\"1\">[D:1]</CHED><CHED H=\"1\">[D:2]</CHED>"
             b"<CHED H=\"1\">[D:3]</CHED><CHED H=\"1\">[D:4]</CHED><CHED H=\"1\">[D:5]</CHED></BOXHD>"
             b"<ROW><ENT I=\"28\">*  *  *</ENT></ROW><ROW><ENT I=\"01\">Cambodia</ENT><ENT>X</ENT><ENT/><ENT>X</ENT>"
             b"<ENT/><ENT/></ROW><ROW><ENT I=\"28\">*  *  *</ENT></ROW></GPOTABLE></APPENDIX></REGTEXT></SUPLINF>"
             b"<FRDOC>[FR Doc. 2099-00107 Filed 1-2-99; 8:45 am]</FRDOC></RULE>")


def test_a_whole_table_reprint_with_elided_rows_is_held_not_applied():
    (doc,) = parse_fr_xml(_ELIDED_D, "invented.xml")
    (ins,) = doc.instructions
    assert ins.tables[0].elided and ins.tables[0].rows == (("Cambodia", "X", "", "X", "", ""),)
    (op,) = ins.operations
    assert (op.action, op.review.value) == (Action.REVISE_TABLE, "table_incomplete")


def test_correction_document():
    (doc,) = fixture_docs("fr_correct_C1-2021-00913_handwritten.xml")
    assert (doc.document_number, doc.doc_type, doc.corrects, doc.rins) == (
        "C1-2021-00913", "CORRECT", "2021-00913", ("0694-AH76",))


def test_effective_on_publication_without_a_known_date():
    (doc,) = fixture_docs("fr_2021-russia_yemen_correction.xml")
    assert (doc.effective_date, doc.effective_on_publication, doc.action, doc.corrects) == (
        None, True, "Final rule; correcting amendment.", "2099-90014")
    (doc,) = parse_fr_xml((FIXTURES / "fr_2021-russia_yemen_correction.xml").read_bytes(), "x",
                          publication_date=date(2021, 1, 19))
    assert (doc.publication_date, doc.effective_date) == (date(2021, 1, 19), date(2021, 1, 19))


def test_input_tree_is_not_modified():
    data = (FIXTURES / "fr_2024-nicaragua_cyprus.xml").read_bytes()
    before = bytes(data)
    parse_fr_xml(data, "x")
    assert data == before


@pytest.mark.parametrize("text, refs", [
    ("37 CFR Parts 1 and 2", ["37 CFR 1", "37 CFR 2"]),
    ("15 CFR Parts 730, 734, 740, and 744", ["15 CFR 730", "15 CFR 734", "15 CFR 740", "15 CFR 744"]),
    ("12 CFR Part 226", ["12 CFR 226"]),
    ("14 CFR Part 39", ["14 CFR 39"]),
])
def test_cfr_references(text, refs):
    assert cfr_references(text) == refs


# -- the real corpus -----------------------------------------------------------
def corpus_files(corpus):
    files = sorted((corpus / "fr_xml").glob("*.xml"))
    if not files:
        pytest.skip(f"no FR XML files in {corpus / 'fr_xml'}")
    return files


def test_every_real_file_parses_with_one_instruction_per_amdpar(corpus):
    counts = {}
    for path in corpus_files(corpus):
        data = path.read_bytes()
        docs = parse_fr_xml(data, path.name)
        root = etree.fromstring(data)
        assert sum(len(d.instructions) for d in docs) == sum(1 for _ in root.iter("AMDPAR")), path.name
        assert len(docs) == sum(1 for _ in root.iter("FRDOC")), path.name
        counts[path.name] = sum(len(d.instructions) for d in docs)
    # Counted with lxml: the 2024-02-12 issue holds 148 AMDPAR elements.
    assert counts.get("FR-2024-02-12.gpo-bulk.xml", 148) == 148


def test_real_daily_issue_metadata(corpus):
    path = corpus / "fr_xml" / "FR-2024-02-12.gpo-bulk.xml"
    if not path.exists():
        pytest.skip(f"{path} absent")
    docs = parse_fr_xml(path.read_bytes(), path.name)
    first = docs[0]
    assert (first.document_number, first.citation, first.publication_date, first.effective_date) == (
        "2024-02930", "89 FR 9741", date(2024, 2, 12), date(2024, 2, 12))
    assert first.rins == ("2120-AA64",) and first.cfr_parts == ("14 CFR 39",)
    assert [i.text for i in first.instructions] == [
        "1. The authority citation for part 39 continues to read as follows:",
        "2. The FAA amends \u00a7 39.13 by adding the following new airworthiness directive:"]
    assert [(i.title, i.part) for i in first.instructions] == [(14, "39"), (14, "39")]
    assert {d.doc_type for d in docs} == {"RULE", "PRORULE", "NOTICE", "PRESDOCU"}
    assert all(d.publication_date == date(2024, 2, 12) for d in docs)
    assert {d.document_number: d.corrects for d in docs if d.corrects} == {
        "2024-02705": "2023-24184", "2024-02756": "2023-27834", "2024-02839": "2024-00998"}
    # No BIS rule in this issue: nothing is read as a country-group operation.
    assert not any(i.operations for d in docs for i in d.instructions)


def test_real_single_document(corpus):
    path = corpus / "fr_xml" / "2011-29462.xml"
    if not path.exists():
        pytest.skip(f"{path} absent")
    (doc,) = parse_fr_xml(path.read_bytes(), path.name)
    assert (doc.document_number, doc.effective_date, doc.publication_date, doc.citation) == (
        "2011-29462", date(2011, 11, 15), None, None)
    assert [len(i.tables) for i in doc.instructions] == [0, 1, 2]
    assert doc.instructions[1].tables[0].rows == (("By a small entity (\u00a7 1.27(a))", "$200.00"),
                                                  ("By other than a small entity", "$400.00"))
