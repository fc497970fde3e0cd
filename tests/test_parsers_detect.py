"""parse_file detects the kind; to_json follows the issue-4 contract exactly."""
from __future__ import annotations

import json

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
