"""Issue 15's one country view and list filters: ``frtrack country`` and ``changes --list/--entity``.

Over the seeded story with its § 744.21 / § 744.22 and Entity List facts
(tests/seed.py ``seed_lists``), through click's CliRunner on real SQLite
files; and over the demo, built by the real pipeline from its replay data.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.demo.run import run_demo
from tests.test_cli_contract import CHANGE_KEYS

COUNTRY_KEYS = ["country", "as_of", "groups", "sections", "entity_list", "divergences", "history"]
ENTITY_KEYS = CHANGE_KEYS + ["entity", "detail"]


def invoke(args: list[str]):
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def country_json(db_path, *args) -> dict:
    result = invoke(["--db", str(db_path), "country", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- frtrack country, over the lists world (tests/test_e2e_lists.py, built by the pipeline) -----------

def test_country_json_is_the_contract_over_every_list(lists_db_path):
    answer = country_json(lists_db_path, "Nicaragua", "--as-of", "2099-04-09")
    assert list(answer) == COUNTRY_KEYS
    assert answer["country"] == "Nicaragua" and answer["as_of"] == "2099-04-09"
    assert "B" not in answer["groups"] and {"D:1", "D:5"} <= set(answer["groups"])
    assert answer["sections"] == {"744.21": True, "744.22": True}
    assert answer["entity_list"] == [] and answer["divergences"] == []
    # history: every change of every list, oldest first, each exactly a `changes --json` row
    history = invoke(["--db", str(lists_db_path), "changes", "--country", "Nicaragua", "--json"])
    assert answer["history"] == json.loads(history.stdout)
    assert [(r["list"], r["group"], r["action"], r["fr_document"]) for r in answer["history"]] == [
        ("country_groups", "B", "removed", "2099-90016"), ("country_groups", "D:1", "added", "2099-90016"),
        ("country_groups", "D:5", "added", "2099-90016"), ("744.21", None, "added", "2099-90016"),
        ("744.22", None, "added", "2099-90016")]
    before = country_json(lists_db_path, "nicaragua", "--as-of", "2099-04-05")
    assert "B" in before["groups"] and "D:5" not in before["groups"]
    assert before["sections"] == {"744.21": False, "744.22": False}


def test_entity_list_entries_each_with_the_document_that_last_changed_it(lists_db_path):
    russia = country_json(lists_db_path, "Russia", "--as-of", "2099-04-09")
    assert russia["entity_list"] == [{"entity": "Sample Microwave Trading LLC (SAMPLE)", "since": "2099-03-02",
                                      "fr_document": "2099-90014"}]              # moved here from Armenia
    assert country_json(lists_db_path, "Russia", "--as-of", "2099-03-01")["entity_list"] == [
        {"entity": "Fictitious Avionics OOO (SAMPLE)", "since": "2099-01-05", "fr_document": None}]  # the eCFR showed it
    assert [r["action"] for r in russia["history"]] == ["removed", "added"]
    # a revision does not restart "since"; the document that last changed the entry is the revising rule
    iran = country_json(lists_db_path, "Iran", "--as-of", "2099-04-09")
    assert iran["entity_list"] == [{"entity": "Imaginary Drone Works (SAMPLE)", "since": "2099-01-05",
                                    "fr_document": "2099-90013"}]
    assert iran["sections"] == {"744.21": False, "744.22": False}
    china = country_json(lists_db_path, "China", "--as-of", "2099-04-09")
    assert china["country"] == "China (PRC)"
    assert china["entity_list"] == [{"entity": "Example Photonics Co., Ltd. (SAMPLE)", "since": "2099-02-09",
                                     "fr_document": "2099-90011"}]               # its correction belongs to it
    armenia = country_json(lists_db_path, "Armenia", "--as-of", "2099-04-09")
    assert armenia["entity_list"] == [] and [r["detail"] for r in armenia["history"]] == [{"moved_to": "Russia"}]


def test_country_before_a_lists_history_is_not_known_never_not_listed(seeded_db_path, lists_db_path):
    early = invoke(["--db", str(lists_db_path), "country", "Russia", "--as-of", "2099-01-01", "--json"])
    answer = json.loads(early.stdout)
    assert (answer["groups"], answer["sections"], answer["entity_list"]) == (
        None, {"744.21": None, "744.22": None}, None)
    assert "tracked history starts 2099-01-05" in early.stderr
    # the seed tracks Country Groups and 126.1 only: it knows nothing of the other lists
    only_groups = invoke(["--db", str(seeded_db_path), "country", "Cambodia", "--as-of", "2026-02-20", "--json"])
    answer = json.loads(only_groups.stdout)
    assert "D:1" in answer["groups"] and "D:5" not in answer["groups"]
    assert answer["sections"] == {"744.21": None, "744.22": None} and answer["entity_list"] is None
    assert "not tracked in this database" in only_groups.stderr
    text = invoke(["--db", str(seeded_db_path), "country", "Cambodia", "--as-of", "2026-02-20"]).stdout
    assert "§ 744.21 (military end use / end user): not known (not tracked in this database)" in text
    assert "not listed" not in text


def test_country_text_gives_each_fact_with_what_last_changed_it(lists_db_path):
    result = invoke(["--db", str(lists_db_path), "country", "Nicaragua", "--as-of", "2099-04-09"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Nicaragua on 2099-04-09"
    assert "    D:5 (U.S. Arms Embargoed Countries): since 2099-04-06 (FR Doc. 2099-90016)" in lines
    assert "    not in B since 2099-04-06 (FR Doc. 2099-90016)" in lines
    assert "  § 744.21 (military end use / end user): listed since 2099-04-06 (FR Doc. 2099-90016)" in lines
    assert "  § 744.22 (military-intelligence end use / end user): listed since 2099-04-06 (FR Doc. 2099-90016)" in lines
    assert "  Entity List: no entries under this destination" in lines
    assert "    2099-04-06  added to § 744.21  [confirmed]  FR Doc. 2099-90016" in lines
    russia = invoke(["--db", str(lists_db_path), "country", "Russia", "--as-of", "2099-04-09"]).stdout.splitlines()
    assert "  § 744.21 (military end use / end user): listed since 2099-01-05 (eCFR version of 2099-01-05)" in russia
    assert russia[russia.index("  Entity List: 1 entry under this destination") + 1] == \
        "    Sample Microwave Trading LLC (SAMPLE): since 2099-03-02 (last changed by FR Doc. 2099-90014)"
    assert "    2099-03-02  Entity List: removed \u201cFictitious Avionics OOO (SAMPLE)\u201d  [confirmed]  " \
        "FR Doc. 2099-90012" in russia
    iran = invoke(["--db", str(lists_db_path), "country", "Iran", "--as-of", "2099-04-09"]).stdout.splitlines()
    assert "  § 744.21 (military end use / end user): not listed" in iran


def test_country_that_is_no_country_exits_2_with_suggestions(lists_db_path):
    result = invoke(["--db", str(lists_db_path), "country", "Nicaragwa"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("frtrack: error: unknown country 'Nicaragwa'") and "Nicaragua" in result.stderr


def test_country_alias_says_which_entry_answers(lists_db_path):
    result = invoke(["--db", str(lists_db_path), "country", "PRC", "--as-of", "2099-04-09"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("China (PRC) on 2099-04-09")
    assert "frtrack: note: 'PRC' is listed in the EAR as 'China (PRC)'" in result.stderr
    assert "Example Photonics Co., Ltd. (SAMPLE): since 2099-02-09 (last changed by FR Doc. 2099-90011)" \
        in result.stdout


# --- changes --list / --entity ----------------------------------------------------------------

def changes(db_path, *args) -> list[dict]:
    result = invoke(["--db", str(db_path), "changes", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_changes_rows_carry_their_list_and_entity_rows_their_entity(lists_db_path):
    rows = changes(lists_db_path)
    assert {r["list"] for r in rows} == {"country_groups", "744.21", "744.22", "entity_list"}
    for r in rows:
        assert list(r) == (ENTITY_KEYS if r["list"] == "entity_list" else CHANGE_KEYS), r
    revised = [r for r in rows if r["action"] == "revised" and r["country"] == "Iran"]
    assert revised == [{
        "country": "Iran", "group": None, "action": "revised", "effective_date": "2099-03-02",
        "status": "confirmed", "fr_document": "2099-90013", "citation": None, "publication_date": "2099-03-02",
        "ecfr_version": "2099-03-02", "list": "entity_list", "entity": "Imaginary Drone Works (SAMPLE)",
        "detail": {"fields": {
            "aliases": {"before": ["IDW Sample"], "after": ["IDW Sample", "Drone Sample Works (SAMPLE)"]},
            "review_policy": {"before": "Presumption of denial.", "after": "Policy of denial."},
            "citations": {"before": ["99 FR 00011, 1/5/99"], "after": ["99 FR 00011, 1/5/99", "99 FR 00031, 3/2/99"]}}}}]
    moves = [(r["country"], r["action"], r["detail"]) for r in rows if r.get("entity", "").startswith("Sample Micro")]
    assert moves == [("Armenia", "removed", {"moved_to": "Russia"}), ("Russia", "added", {"moved_from": "Armenia"})]
    section = [r for r in rows if r["list"] == "744.21"]
    assert section == [{"country": "Nicaragua", "group": None, "action": "added", "effective_date": "2099-04-06",
                        "status": "confirmed", "fr_document": "2099-90016", "citation": None,
                        "publication_date": "2099-04-06", "ecfr_version": "2099-04-06", "list": "744.21"}]


def test_changes_filter_by_list_country_and_entity(lists_db_path):
    def keys(*args):
        return [(r["country"], r["list"], r.get("entity"), r["action"]) for r in changes(lists_db_path, *args)]

    assert keys("--list", "744.21") == [("Nicaragua", "744.21", None, "added")]
    assert keys("--list", "§ 744.21") == keys("--list", "744-21") == keys("--list", "744.21")
    assert keys("--list", "entity-list", "--country", "russia") == [
        ("Russia", "entity_list", "Fictitious Avionics OOO (SAMPLE)", "removed"),
        ("Russia", "entity_list", "Sample Microwave Trading LLC (SAMPLE)", "added")]
    assert [k[1] for k in keys("--country", "Nicaragua")] == ["country_groups"] * 3 + ["744.21", "744.22"]
    assert keys("--list", "country_groups", "--country", "Russia") == []
    # names as typed: case, punctuation, legal forms, part of the name, an a.k.a.
    photonics = [("China (PRC)", "entity_list", "Example Photonics Co., Ltd. (SAMPLE)", "added"),
                 ("China (PRC)", "entity_list", "Example Photonics Co., Ltd. (SAMPLE)", "revised")]
    for typed in ("EXAMPLE PHOTONICS COMPANY LIMITED", "example photonics co. ltd", "Photonics", "EP Sample Lasers"):
        assert keys("--entity", typed) == photonics, typed
    assert keys("--entity", "drone sample works") == [("Iran", "entity_list", "Imaginary Drone Works (SAMPLE)",
                                                       "revised")]
    # whole words, not fragments: a name that matches no entity on record is a usage error with the closest names
    photon = invoke(["--db", str(lists_db_path), "changes", "--json", "--entity", "Photon"])
    assert photon.exit_code == 2 and photon.stdout == ""
    assert "did you mean 'Example Photonics Co., Ltd. (SAMPLE)'" in photon.stderr
    assert keys("--entity", "microwave", "--country", "Armenia") == [
        ("Armenia", "entity_list", "Sample Microwave Trading LLC (SAMPLE)", "removed")]
    none = invoke(["--db", str(lists_db_path), "changes", "--entity", "No Such Entity"])
    assert none.exit_code == 2 and "no Entity List entity on record is so named" in none.stderr


def test_changes_list_errors_exit_2_naming_the_valid_values(lists_db_path):
    result = invoke(["--db", str(lists_db_path), "changes", "--list", "entities"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == ("frtrack: error: --list 'entities': not a list; use one of country_groups, 744.21, "
                             "744.22, entity_list\n")
    result = invoke(["--db", str(lists_db_path), "changes", "--list", "744.21", "--group", "D:5"])
    assert result.exit_code == 2 and "--group D:5 is a Country Group" in result.stderr
    result = invoke(["--db", str(lists_db_path), "changes", "--list", "744.22", "--entity", "x"])
    assert result.exit_code == 2 and "--entity names an Entity List entry" in result.stderr


def test_changes_and_history_text_for_every_list(lists_db_path):
    text = invoke(["--db", str(lists_db_path), "changes", "--country", "Iran"]).stdout.splitlines()
    assert text == ["2099-03-02  Iran: Entity List: revised \u201cImaginary Drone Works (SAMPLE)\u201d (aliases, license"
                    " review policy, citations)  [confirmed]  FR Doc. 2099-90013"]
    history = invoke(["--db", str(lists_db_path), "history", "Nicaragua"]).stdout.splitlines()
    assert history == [
        "2099-04-06  removed B     [confirmed]  FR Doc. 2099-90016",
        "2099-04-06  added   D:1   [confirmed]  FR Doc. 2099-90016",
        "2099-04-06  added   D:5   [confirmed]  FR Doc. 2099-90016",
        "2099-04-06  added to § 744.21  [confirmed]  FR Doc. 2099-90016",
        "2099-04-06  added to § 744.22  [confirmed]  FR Doc. 2099-90016"]
    rows = json.loads(invoke(["--db", str(lists_db_path), "history", "Russia", "--json"]).stdout)
    assert [r["list"] for r in rows] == ["entity_list", "entity_list"]


# --- the demo, built by the real pipeline ---------------------------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    report = run_demo(tmp_path_factory.mktemp("demo") / "out")
    assert report.ok, report.summary()
    return report


def test_cambodia_on_2026_02_04_over_the_demo(demo):
    db = str(demo.db_path)
    result = invoke(["--db", db, "country", "Cambodia", "--as-of", "2026-02-04"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "    D:1 (National Security): since 2021-01-04 (eCFR version of 2021-01-04)" in text
    assert "    not in D:5 since 2026-02-03 (FR Doc. 2026-02262)" in text
    assert "  § 744.21 (military end use / end user): listed since 2021-12-09 (FR Doc. 2021-26633)" in text
    answer = json.loads(invoke(["--db", db, "country", "Cambodia", "--as-of", "2026-02-04", "--json"]).stdout)
    assert "D:1" in answer["groups"] and "D:5" not in answer["groups"]
    assert answer["sections"]["744.21"] is True
    # the sample tracks § 744.22 but stores no version of it: not known, never "not listed"
    assert answer["sections"]["744.22"] is None
    assert [(e["fr_document"]) for e in answer["entity_list"]] == ["2099-90003"]
    assert "(last changed by FR Doc. 2099-90003)" in text
    assert [r["fr_document"] for r in answer["history"] if r["list"] == "744.21"] == ["2021-26633"]


def test_country_is_a_read_command(tmp_path, lists_db_path):
    result = invoke(["--db", str(tmp_path / "typo.db"), "country", "Cambodia"])
    assert result.exit_code == 2
    assert result.stderr == f"frtrack: error: no database at {tmp_path / 'typo.db'} — run `frtrack init` or `frtrack run`\n"
    assert not (tmp_path / "typo.db").exists()
    before = lists_db_path.read_bytes()
    lists_db_path.chmod(0o444)
    try:
        assert invoke(["--db", str(lists_db_path), "country", "Cambodia", "--json"]).exit_code == 0
    finally:
        lists_db_path.chmod(0o644)
    assert lists_db_path.read_bytes() == before
