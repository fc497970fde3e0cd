"""parse_file detects the kind; to_json follows the issue-4 contract exactly."""
from __future__ import annotations

import json

import pytest

from parsers.detect import parse_file, to_json, to_text
from parsers.model import DocumentKind
from tests.conftest import FIXTURES


def run(name):
    return parse_file((FIXTURES / name).read_bytes(), name)


def test_fr_json_contract():
    kind, result = run("fr_2026-02-04_issue_cambodia_d5_removed.xml")
    assert kind is DocumentKind.FR_DOCUMENTS
    data = json.loads(json.dumps(to_json(kind, result)))
    assert data["type"] == "fr_documents"
    (doc,) = data["documents"]
    assert {k: doc[k] for k in ("document_number", "citation", "publication_date", "effective_date", "rins",
                                "cfr_parts")} == {
        "document_number": "2026-02262", "citation": None, "publication_date": "2026-02-04",
        "effective_date": "2026-02-03", "rins": ["0694-AK41"], "cfr_parts": ["15 CFR 740"]}
    assert doc["instructions"][0] == {
        "title": 15, "part": "740", "operations": [], "number": 1, "effective_date": None, "effective_until": None,
        "text": "1. The authority citation for part 740 continues to read as follows:"}
    assert doc["instructions"][1]["operations"] == [{
        "action": "revise_entry", "table": "Country Group D", "country": "Cambodia",
        "marks": {"D:1": True, "D:2": False, "D:3": False, "D:4": False, "D:5": False}}]


def test_fr_json_remove_and_unrecognized():
    kind, result = run("fr_b_list_change.xml")
    ops = [op for i in to_json(kind, result)["documents"][0]["instructions"] for op in i["operations"]]
    assert [o["action"] for o in ops] == ["add_entry", "remove_entry", "amend_text", "unrecognized"]
    assert ops[1]["marks"] is None
    assert ops[3]["text"] == "Supplement No. 1 to part 740 is amended by reordering Country Group B."


def test_country_groups_json_contract():
    kind, result = run("ecfr_supp1_2023-05-25_b_after_handwritten.xml")
    assert kind is DocumentKind.COUNTRY_GROUPS
    data = json.loads(json.dumps(to_json(kind, result)))
    assert data["type"] == "country_groups"
    assert data["columns"]["D:5"] == "U.S. Arms Embargoed Countries" and data["columns"]["B"] == "Country Group B"
    assert {"country": "Montenegro", "group": "B"} in data["memberships"]
    assert {"country": "Cambodia", "group": "D:5"} in data["memberships"]
    assert len(data["memberships"]) == 112
    assert data["notes"][0] == {"table": "Country Group A", "marker": "1", "text":
                                "Russia is a Wassenaar participating state but is not included in Country Group A:1."}


def test_itar_json_contract():
    kind, result = run("itar_126_1_2025-11-07_handwritten.xml")
    assert kind is DocumentKind.ITAR_126_1
    data = to_json(kind, result)
    assert data["type"] == "itar_126_1" and "Korea, North" in data["countries"] and len(data["countries"]) == 22
    assert {"country": "Korea, North", "printed": "North Korea", "in_d1": True, "in_d2": False,
            "d2_paragraph": None, "paragraph": None} in data["entries"]
    assert data["review"] == []


def test_itar_review_items_are_in_the_json_and_the_text():
    data = (FIXTURES / "itar_126_1_2026-03-02_authored.xml").read_bytes()
    row = (b'<TR><TD align="left" class="gpotbl_cell" scope="row">Cyprus</TD><TD align="left" class="gpotbl_cell">'
           b'See also paragraph (r) of this section.</TD></TR>')
    kind, result = parse_file(data.replace(row, b""), "126.1.xml")
    assert to_json(kind, result)["review"] == [
        {"country": "Cyprus", "reason": "paragraph (r) (Cyprus) remains but no table row in paragraph (d) lists Cyprus"}]
    assert "  review: Cyprus: paragraph (r) (Cyprus) remains" in to_text(kind, result)


def test_text_summaries():
    text = to_text(*run("fr_2026-02-04_issue_cambodia_d5_removed.xml"))
    assert text.startswith("1 Federal Register document\n")
    assert "FR Doc. 2026-02262 (RULE) published 2026-02-04 effective 2026-02-03" in text   # no citation verified
    assert "revise_entry Country Group D Cambodia [D:1]" in text
    assert "Country Group B: 20 countries" in to_text(*run("ecfr_supp1_2023-05-24_b_before_handwritten.xml"))
    assert to_text(*run("itar_126_1_2025-11-07_handwritten.xml")).startswith("22 CFR 126.1: 22 proscribed")


def test_fr_json_mark_and_review_operations_extend_the_contract(tmp_path):
    xml = ("<RULE><SUPLINF><REGTEXT TITLE=\"15\" PART=\"740\"><AMDPAR>2. Supplement No. 1 to part 740 is amended by "
           "removing \u2018\u2018Cambodia\u2019\u2019 from Country Group D:5 and by revising Country Group E to read "
           "as follows:</AMDPAR></REGTEXT></SUPLINF><FRDOC>[FR Doc. 2099-00002 Filed 1-1-99; 8:45 am]</FRDOC></RULE>")
    kind, result = parse_file(xml.encode(), "invented.xml")
    ops = to_json(kind, result)["documents"][0]["instructions"][0]["operations"]
    assert ops == [
        {"action": "remove_mark", "table": "Country Group D", "country": "Cambodia", "marks": None, "column": "D:5"},
        {"action": "revise_table", "table": "Country Group E", "country": None, "marks": None, "entries": [],
         "review": "table_not_reprinted", "text": "revising Country Group E to read as follows:"},
    ]


# -- the lists beyond Country Groups (issue 15), through the CLI ------------------------------------

def cli_parse(path, *extra):
    """`frtrack parse PATH [--json]` through click's CliRunner: (exit code, output)."""
    from click.testing import CliRunner

    from pipeline.cli import cli
    result = CliRunner().invoke(cli, ["parse", str(path), *extra])
    return result.exit_code, result.output


def cli_json(path):
    code, output = cli_parse(path, "--json")
    assert code == 0, output
    return json.loads(output)


def list_ops(doc, table_prefix):
    """(instruction index, operation) for the operations of one kind of table, in document order."""
    return [(n, op) for n, ins in enumerate(doc["instructions"]) for op in ins["operations"]
            if op["table"].startswith(table_prefix)]


def test_cli_one_rule_gives_group_section_and_entity_list_operations():
    data = cli_json(FIXTURES / "fr_2099-90006_nicaragua_groups_and_744.xml")
    (doc,) = data["documents"]
    [(_, group)] = list_ops(doc, "Country Group")          # the existing operation, unchanged
    assert {k: group[k] for k in ("action", "table", "country")} == {
        "action": "add_entry", "table": "Country Group D", "country": "Nicaragua"}
    assert group["marks"]["D:5"] is True
    assert list_ops(doc, "15 CFR 744.") == [
        (1, {"action": "add_entry", "table": "15 CFR 744.21", "country": "Nicaragua", "marks": None}),
        (2, {"action": "add_entry", "table": "15 CFR 744.22", "country": "Nicaragua", "marks": None}),
    ]
    assert list_ops(doc, "Entity List") == [
        (4, {"action": "add_entry", "table": "Entity List", "country": "Nicaragua",
             "entity": "Example Harbor Services S.A. (SAMPLE)", "marks": None})]
    assert doc["review"] == [] and doc["listings"] == []


def test_cli_entity_list_rules():
    add = cli_json(FIXTURES / "fr_el_2099-90001_add.xml")["documents"][0]
    assert [(op["action"], op["country"], op["entity"]) for _, op in list_ops(add, "Entity List")] == [
        ("add_entry", "China (PRC)", "Example Photonics Co., Ltd. (SAMPLE)"),
        ("add_entry", "China (PRC)", "Sample Quantum Devices Company Limited (SAMPLE)"),
        ("add_entry", "Iran", "Placeholder Logistics FZE (SAMPLE)"),
        ("add_entry", "Russia", "Placeholder Logistics FZE (SAMPLE)")]
    assert add["review"] == []
    remove = cli_json(FIXTURES / "fr_el_2099-90002_remove.xml")["documents"][0]
    assert [op for _, op in list_ops(remove, "Entity List")] == [
        {"action": "remove_entry", "table": "Entity List", "country": "Russia",
         "entity": "Fictitious Avionics OOO (SAMPLE)", "marks": None}]
    revise = cli_json(FIXTURES / "fr_el_2099-90003_revise.xml")["documents"][0]
    [(_, op)] = list_ops(revise, "Entity List")
    assert (op["action"], op["country"], op["entity"]) == ("revise_entry", "Iran", "Imaginary Drone Works (SAMPLE)")
    assert "changed" not in op                  # no prior version given: what changed is unknown, not guessed
    move = cli_json(FIXTURES / "fr_el_2099-90004_move.xml")["documents"][0]
    assert [op for _, op in list_ops(move, "Entity List")] == [
        {"action": "remove_entry", "table": "Entity List", "country": "Armenia",
         "entity": "Sample Microwave Trading LLC (SAMPLE)", "marks": None, "moved_to": "Russia"},
        {"action": "add_entry", "table": "Entity List", "country": "Russia",
         "entity": "Sample Microwave Trading LLC (SAMPLE)", "marks": None, "moved_from": "Armenia"}]
    correction = cli_json(FIXTURES / "fr_el_2099-90005_correction.xml")["documents"][0]
    [(_, op)] = list_ops(correction, "Entity List")
    assert (op["action"], op["entity"], op["corrects"]) == (
        "revise_entry", "Example Photonics Co., Ltd. (SAMPLE)", "2099-90001")


def test_cli_section_removal_and_revision_with_its_listing():
    (doc,) = cli_json(FIXTURES / "fr_2099-90007_744_sections.xml")["documents"]
    assert [(n, op["action"], op["table"], op["country"]) for n, op in list_ops(doc, "15 CFR 744.")] == [
        (0, "remove_entry", "15 CFR 744.21", "Cambodia"),
        *[(1, "revise_entry", "15 CFR 744.22", c) for c in ("Belarus", "Burma", "China (PRC)", "Russia", "Venezuela")]]
    assert doc["listings"] == [{"table": "15 CFR 744.22", "instruction": 1,
                                "countries": ["Belarus", "Burma", "China (PRC)", "Russia", "Venezuela"]}]


def test_cli_list_review_items_are_in_the_json_and_the_text(tmp_path):
    path = tmp_path / "mismatch.xml"
    path.write_bytes((FIXTURES / "fr_el_2099-90001_add.xml").read_bytes().replace(
        b"adding three entities under four entries", b"adding twelve entities under four entries"))
    (doc,) = cli_json(path)["documents"]
    assert len(list_ops(doc, "Entity List")) == 4
    [item] = doc["review"]
    assert item["reason"] == "summary_mismatch" and item["table"] == "Entity List" and item["instruction"] is None
    assert item["detail"] == "the summary says 12 entities are added; the instructions add 3"
    assert "adding twelve entities" in item["text"]
    code, text = cli_parse(path)
    assert code == 0
    assert "  review (summary_mismatch): the summary says 12 entities are added; the instructions add 3" in text
    assert "  add_entry Entity List China (PRC): Example Photonics Co., Ltd. (SAMPLE)" in text


def test_cli_text_names_section_and_moved_entity_operations():
    code, text = cli_parse(FIXTURES / "fr_2099-90006_nicaragua_groups_and_744.xml")
    assert code == 0
    assert "  add_entry Country Group D Nicaragua [D:1 D:2 D:3 D:4 D:5]" in text or \
        "  add_entry Country Group D Nicaragua [" in text
    assert "  add_entry 15 CFR 744.21 Nicaragua\n" in text and "  add_entry 15 CFR 744.22 Nicaragua\n" in text
    code, text = cli_parse(FIXTURES / "fr_el_2099-90004_move.xml")
    assert "  remove_entry Entity List Armenia: Sample Microwave Trading LLC (SAMPLE) (moved to Russia)" in text
    assert "  add_entry Entity List Russia: Sample Microwave Trading LLC (SAMPLE) (moved from Armenia)" in text


def test_cli_country_group_rules_keep_their_json():
    """A Country Groups rule: the same operations as before, no list operation, no list review item."""
    (doc,) = cli_json(FIXTURES / "fr_2024-nicaragua_cyprus.xml")["documents"]
    ops = [op for ins in doc["instructions"] for op in ins["operations"]]
    assert [(o["action"], o["table"], o["country"]) for o in ops] == [
        ("remove_entry", "Country Group D", "Cyprus"), ("add_entry", "Country Group D", "Nicaragua")]
    assert doc["review"] == [] and doc["listings"] == []
    # § 740.17 and § 744.21 merely mentioning Country Groups give nothing
    data = cli_json(FIXTURES / "fr_2099-01-05_issue_invented_review_handwritten.xml")
    assert [o for d in data["documents"] for _, o in list_ops(d, "15 CFR 744.")] == []
    assert [r for d in data["documents"] for r in d["review"]] == []


def test_cli_ecfr_sections_744():
    data = cli_json(FIXTURES / "ecfr_744_2024-03-15_nicaragua_added.xml")
    assert data["type"] == "sections_744" and data["version_date"] == "2024-03-15"
    expected = ["Belarus", "Burma", "Cambodia", "China (PRC)", "Nicaragua", "Russia", "Venezuela"]
    s21, s22 = data["sections"]
    assert s21 == {"section": "744.21", "table": "15 CFR 744.21", "countries": expected,
                   "heading_countries": expected, "paragraph_a_countries": expected,
                   "printed": s21["printed"], "groups": []}
    assert "Nicaragua" in s21["printed"]
    assert (s22["section"], s22["countries"], s22["heading_countries"], s22["groups"]) == (
        "744.22", expected, [], ["E:1", "E:2"])
    assert data["review"] == []
    code, text = cli_parse(FIXTURES / "ecfr_744_2024-03-15_nicaragua_added.xml")
    assert code == 0
    assert text.startswith("15 CFR 744.21 (2024-03-15): 7 countries: Belarus; Burma; Cambodia; China (PRC); "
                           "Nicaragua; Russia; Venezuela\n")
    assert "15 CFR 744.22 (2024-03-15): 7 countries: " in text and "  and Country Groups E:1, E:2" in text


def test_cli_ecfr_sections_problems_are_review_items():
    data = cli_json(FIXTURES / "ecfr_744_2099-01-05_disagreeing.xml")
    reasons = sorted((r["table"], r["reason"]) for r in data["review"])
    assert reasons == [("15 CFR 744.21", "places_disagree"), ("15 CFR 744.21", "unknown_country")]
    assert all(set(r) == {"reason", "detail", "text", "table", "instruction"} for r in data["review"])
    code, text = cli_parse(FIXTURES / "ecfr_744_2099-01-05_disagreeing.xml")
    assert "  review (unknown_country): § 744.21 paragraph (a) names 'Freedonia'" in text


@pytest.mark.parametrize("name", ["ecfr_supp4_2099-06-08_gpotbl.xml", "ecfr_supp4_2099-06-08_gpo_table.xml"])
def test_cli_ecfr_entity_list(name):
    data = cli_json(FIXTURES / name)
    assert data["type"] == "entity_list" and data["version_date"] == "2099-06-08"
    assert [(e["country"], e["entity"]) for e in data["entries"]] == [
        ("Armenia", "Sample Microwave Trading LLC (SAMPLE)"),
        ("China (PRC)", "Example Photonics Co., Ltd. (SAMPLE)"),
        ("China (PRC)", "Sample Quantum Devices Company Limited (SAMPLE)"),
        ("Iran", "Imaginary Drone Works (SAMPLE)"),
        ("Russia", "Fictitious Avionics OOO (SAMPLE)"),
        ("Russia", "Sample Microwave Trading LLC (SAMPLE)")]
    assert data["entries"][1] == {
        "country": "China (PRC)", "country_printed": "CHINA, PEOPLE'S REPUBLIC OF",
        "entity": "Example Photonics Co., Ltd. (SAMPLE)",
        "aliases": ["Example Optoelectronics (SAMPLE)", "EP Sample Lasers"],
        "address": "Room 101, Building 9, No. 1 Imaginary Road, Sampletown, Exampleshire, China.",
        "license_requirement": "For all items subject to the EAR. (See § 744.11 of the EAR)",
        "review_policy": "Presumption of denial.", "citations": ["99 FR 00001, 1/2/99"], "footnotes": ["1"]}
    assert data["review"] == []
    code, text = cli_parse(FIXTURES / name)
    assert code == 0
    assert text.startswith("Supplement No. 4 to part 744, the Entity List (2099-06-08): 6 entries under 4 destinations\n")
    assert "  China (PRC): Example Photonics Co., Ltd. (SAMPLE) (a.k.a. Example Optoelectronics (SAMPLE); " \
           "EP Sample Lasers)\n" in text


def test_cli_ecfr_entity_list_problems_are_review_items(tmp_path):
    path = tmp_path / "bad.xml"
    path.write_bytes(
        b"<DIV9 N=\"Supplement No. 4 to Part 744\"><TABLE class=\"gpotbl_table\"><TR><TH>Country</TH><TH>Entity</TH>"
        b"<TH>License requirement</TH><TH>License review policy</TH><TH>Federal Register citation</TH></TR>"
        b"<TR><TD>FREEDONIA</TD><TD>Example Freedonia Works (SAMPLE), Fredville.</TD><TD>a</TD><TD>b</TD>"
        b"<TD>99 FR 00001, 1/2/99.</TD></TR></TABLE></DIV9>")
    data = cli_json(path)
    assert [(r["reason"], r["text"]) for r in data["review"]] == [("unknown_country", "FREEDONIA")]
    assert data["entries"][0]["country"] == "FREEDONIA"


def test_cli_detects_versioner_single_units(tmp_path):
    """The versioner answers `?section=744.21` with the DIV8 alone and an appendix with the DIV9 alone."""
    section = tmp_path / "744.21.xml"
    section.write_bytes(
        "<DIV8 N=\"744.21\" TYPE=\"SECTION\"><HEAD>§ 744.21 Restrictions on certain 'military end use' or "
        "'military end user' in Burma, the People’s Republic of China, Russia, or Venezuela.</HEAD><P>(a) "
        "<I>General prohibition.</I> ... to Burma, the People’s Republic of China (China), Russia, or Venezuela "
        "without a license ...</P></DIV8>".encode())
    data = cli_json(section)
    assert data["type"] == "sections_744" and data["version_date"] is None
    assert [s["countries"] for s in data["sections"]] == [["Burma", "China (PRC)", "Russia", "Venezuela"]]


def test_unrecognized_files_name_every_kind(tmp_path):
    path = tmp_path / "other.xml"
    path.write_bytes(b"<DIV5 N=\"744\"><DIV8 N=\"744.1\"><HEAD>x</HEAD></DIV8></DIV5>")
    code, output = cli_parse(path, "--json")
    assert code != 0
    assert "744.21" in output and "Supplement No. 4 to part 744" in output
