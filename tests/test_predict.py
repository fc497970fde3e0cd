"""`frtrack predict RULE.xml --against TABLE.xml`: the CLI run for real on fixture rules and tables."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.predict import predict_rule
from tests.conftest import FIXTURES

CAMBODIA_2026 = FIXTURES / "fr_2026-02-04_issue_cambodia_d5_removed.xml"
TABLE_2026 = FIXTURES / "ecfr_supp1_2026-02-02_cambodia_before.xml"
INVENTED_ISSUE = FIXTURES / "fr_2099-01-05_issue_invented_review_handwritten.xml"


def run(*args):
    return CliRunner().invoke(cli, ["predict", *map(str, args)])


def test_cambodia_2026_is_exactly_one_removal_from_d5():
    result = run(CAMBODIA_2026, "--against", TABLE_2026, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"documents": [{
        "document_number": "2026-02262", "effective_date": "2026-02-03",
        "deltas": [{"country": "Cambodia", "group": "D:5", "action": "removed", "effective_date": "2026-02-03"}],
        "review": []}]}


def test_text_output_is_one_line_per_delta():
    result = run(CAMBODIA_2026, "--against", TABLE_2026)
    assert result.exit_code == 0
    assert result.output == "Cambodia: removed from D:5 (effective 2026-02-03, FR Doc. 2026-02262)\n"


@pytest.mark.parametrize("rule, table, deltas", [
    ("fr_2021-12-09_issue_cambodia_d5_added.xml", "ecfr_supp1_2021-12-08_cambodia_before.xml",
     [("Cambodia", "D:5", "added")]),
    ("fr_2024-nicaragua_cyprus.xml", "ecfr_supp1_2024-04-03_cyprus_before.xml",
     [("Cyprus", "D:5", "removed"), ("Nicaragua", "D:5", "added")]),
    ("fr_2022-belarus_a4_to_d.xml", "ecfr_supp1_2022-03-01_belarus_before.xml",
     [("Belarus", "A:4", "removed"), ("Belarus", "D:2", "added")]),
    ("fr_2021-sudan_e1_removed.xml", "ecfr_supp1_2021-12-08_sudan_before.xml", [("Sudan", "E:1", "removed")]),
])
def test_fixture_rules_predict_what_the_next_ecfr_version_shows(rule, table, deltas):
    result = run(FIXTURES / rule, "--against", FIXTURES / table, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    doc = data["documents"][0] if "documents" in data else data
    assert [(d["country"], d["group"], d["action"]) for d in doc["deltas"]] == deltas
    assert doc["review"] == []


def test_single_document_is_one_object_with_its_review_items():
    result = run(FIXTURES / "fr_b_list_change.xml", "--against", FIXTURES / "ecfr_supp1_2023-05-24_b_before_handwritten.xml",
                 "--json")
    assert result.exit_code == 0
    assert json.loads(result.output) == {
        "document_number": "2099-90016", "effective_date": "2023-05-25",   # a SAMPLE fixture
        "deltas": [{"country": "Montenegro", "group": "B", "action": "added", "effective_date": "2023-05-25"},
                   {"country": "Nicaragua", "group": "B", "action": "removed", "effective_date": "2023-05-25"}],
        "review": [{"instruction": 3, "amdpar": 4,
                    "text": "Supplement No. 1 to part 740 is amended by reordering Country Group B.",
                    "reason": "unrecognized_wording"}]}


def test_daily_issue_with_wrong_part_columns_an_unprinted_table_and_other_sections():
    result = run(INVENTED_ISSUE, "--against", TABLE_2026, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"documents": [
        {"document_number": "2099-00101", "effective_date": "2099-01-05",
         "deltas": [{"country": "Cambodia", "group": "D:5", "action": "removed", "effective_date": "2099-01-05"},
                    {"country": "Egypt", "group": "D:5", "action": "added", "effective_date": "2099-01-05"}],
         "review": [{"instruction": 3, "amdpar": 2, "text": "Revising Country Group E to read as follows:",
                     "reason": "table_not_reprinted"}]},
        {"document_number": "2099-00102", "effective_date": "2099-01-05", "deltas": [], "review": []},
    ]}
    text = run(INVENTED_ISSUE, "--against", TABLE_2026).output.splitlines()
    assert text == [
        "Cambodia: removed from D:5 (effective 2099-01-05, FR Doc. 2099-00101)",
        "Egypt: added to D:5 (effective 2099-01-05, FR Doc. 2099-00101)",
        "review (FR Doc. 2099-00101, AMDPAR 2): whole-table revision without the reprinted table: "
        "Revising Country Group E to read as follows:",
    ]


def _rule(amdpar: str) -> bytes:
    return ("<RULE><SUPLINF><REGTEXT TITLE=\"15\" PART=\"740\"><AMDPAR>" + amdpar + "</AMDPAR></REGTEXT></SUPLINF>"
            "<FRDOC>[FR Doc. 2099-00103 Filed 1-2-99; 8:45 am]</FRDOC></RULE>").encode()


@pytest.mark.parametrize("name, printed", [("China (PRC)", "China"), ("Myanmar", "Burma"), ("North Korea", "Korea, North")])
def test_deltas_use_the_tables_own_spelling(name, printed):
    # The fixture table prints "China", "Burma", "Korea, North": the delta says what the table says.
    rule = _rule(f"2. Supplement No. 1 to part 740 is amended by removing \u201c{name}\u201d from Country Group D:5.")
    (doc,) = predict_rule(rule, "invented.xml", TABLE_2026.read_bytes(), TABLE_2026.name).documents
    assert [(d.country, d.group, d.action.value) for d in doc.deltas] == [(printed, "D:5", "removed")]


def test_a_name_that_is_no_country_is_review_not_a_delta():
    rule = _rule("2. Supplement No. 1 to part 740 is amended by adding \u201cAtlantis\u201d to Country Group D:5.")
    (doc,) = predict_rule(rule, "invented.xml", TABLE_2026.read_bytes(), TABLE_2026.name).documents
    assert doc.deltas == ()
    assert [(r.instruction, r.reason.value) for r in doc.review] == [(0, "unknown_country")]


@pytest.mark.parametrize("make_args, problem", [
    (lambda tmp: [tmp / "missing.xml", "--against", TABLE_2026], "missing.xml: cannot read the file"),
    (lambda tmp: [CAMBODIA_2026, "--against", tmp / "missing.xml"], "missing.xml: cannot read the file"),
    (lambda tmp: [_write(tmp / "broken.xml", b"<RULE><PREAMB>"), "--against", TABLE_2026], "broken.xml"),
    (lambda tmp: [TABLE_2026, "--against", TABLE_2026], "not Federal Register XML"),
    (lambda tmp: [CAMBODIA_2026, "--against", CAMBODIA_2026], "no Country Group tables"),
])
def test_unreadable_input_is_exit_1_with_one_line_naming_the_file(tmp_path, make_args, problem):
    result = CliRunner().invoke(cli, ["predict", *map(str, make_args(tmp_path))])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("frtrack: error: ") and problem in lines[0], result.output


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


_DATED = ("<RULE><PREAMB><DATES><HD SOURCE=\"HED\">DATES:</HD><P>This rule is effective March 15, 2026, except for "
          "the amendments to supplement no. 1 to part 740, which are effective February 3, 2026.</P></DATES></PREAMB>"
          "<SUPLINF><REGTEXT TITLE=\"15\" PART=\"740\">"
          "<AMDPAR>2. Section 744.21 is amended by revising paragraph (a).</AMDPAR>"
          "<AMDPAR>3. Supplement No. 1 to part 740 is amended by removing \u201cCambodia\u201d from Country Group "
          "D:5.</AMDPAR>"
          "<AMDPAR>4. Supplement No. 1 to part 740 is amended by transposing Country Group B.</AMDPAR>"
          "</REGTEXT></SUPLINF><FRDOC>[FR Doc. 2099-00108 Filed 1-2-99; 8:45 am]</FRDOC></RULE>")


def test_each_delta_carries_the_date_of_its_own_instruction(tmp_path):
    rule = _write(tmp_path / "dated.xml", _DATED.encode())
    result = run(rule, "--against", TABLE_2026, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "document_number": "2099-00108", "effective_date": "2026-03-15",     # the document's own date
        "deltas": [{"country": "Cambodia", "group": "D:5", "action": "removed", "effective_date": "2026-02-03"}],
        "review": [{"instruction": 2, "amdpar": 4,
                    "text": "Supplement No. 1 to part 740 is amended by transposing Country Group B.",
                    "reason": "unrecognized_wording"}]}
    assert run(rule, "--against", TABLE_2026).output.splitlines() == [
        "Cambodia: removed from D:5 (effective 2026-02-03, FR Doc. 2099-00108)",
        "review (FR Doc. 2099-00108, AMDPAR 4): unrecognized amendment wording: "
        "Supplement No. 1 to part 740 is amended by transposing Country Group B."]


def test_public_inspection_plain_text_gives_exact_marks_and_holds_rows_it_does_not_print(tmp_path):
    """Public inspection has no XML: its plain text is read; a revised entry whose row is not printed is held."""
    result = CliRunner().invoke(cli, ["predict", str(FIXTURES / "pi_2099-90003_sample.txt"), "--against",
                                      str(FIXTURES / "ecfr_supp1_2026-02-02_cambodia_before.xml"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["document_number"] == "2099-90003"
    assert data["effective_date"] == "2026-02-03"
    assert [(d["country"], d["group"], d["action"]) for d in data["deltas"]] == [("Cambodia", "D:5", "removed")]
    assert [(r["amdpar"], r["reason"]) for r in data["review"]] == [(3, "row_not_reprinted")]


def test_plain_text_with_no_document_number_is_one_error_line(tmp_path):
    rule = tmp_path / "2026-02262.txt"          # a number in the file name is not evidence
    rule.write_text("2. Supplement No. 1 to part 740 is amended by removing \"Cambodia\" from Country Group D:5.\n")
    result = CliRunner().invoke(cli, ["predict", str(rule), "--against",
                                      str(FIXTURES / "ecfr_supp1_2026-02-02_cambodia_before.xml")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"frtrack: error: {rule}: plain text with no \"[FR Doc. …]\" line")
