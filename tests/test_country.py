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


# --- frtrack country ------------------------------------------------------------------------

def test_country_json_is_the_contract_over_every_list(lists_db_path):
    answer = country_json(lists_db_path, "Cambodia", "--as-of", "2026-02-20")
    assert list(answer) == COUNTRY_KEYS
    assert answer["country"] == "Cambodia" and answer["as_of"] == "2026-02-20"
    assert answer["groups"] == ["D:1"]                       # out of D:5 since 2026-02-03
    assert answer["sections"] == {"744.21": True, "744.22": True}
    assert answer["entity_list"] == [{"entity": "Sample Khmer Trading Co., Ltd.", "since": "2026-02-17",
                                      "fr_document": "2099-90104"}]
    assert answer["divergences"] == [{"country": "Cambodia", "side": "ear_only", "kind": "closed",
                                      "since": "2025-11-07", "until": "2026-02-03", "opened_by": "fr:2025-19822",
                                      "closed_by": "fr:2026-02262"}]
    # history: every change of every list, oldest first, each exactly a `changes --json` row
    history = invoke(["--db", str(lists_db_path), "changes", "--country", "Cambodia", "--json"])
    assert answer["history"] == json.loads(history.stdout)
    assert [(r["list"], r["action"], r["effective_date"], r["fr_document"]) for r in answer["history"]] == [
        ("country_groups", "added", "2021-12-09", "2021-26633"),
        ("744.21", "added", "2021-12-09", "2021-26633"),
        ("country_groups", "removed", "2026-02-03", "2026-02262"),
        ("entity_list", "added", "2026-02-17", "2099-90104")]


def test_country_on_an_earlier_date_and_the_last_document_of_each_entry(lists_db_path):
    before = country_json(lists_db_path, "cambodia", "--as-of", "2024-06-01")
    assert before["groups"] == ["D:1", "D:5"] and before["entity_list"] == []
    china = country_json(lists_db_path, "China", "--as-of", "2026-02-20")
    assert china["country"] == "China (PRC)"                  # the EAR's name for the entry answered for
    # listed since the first stored version; revised by 2099-90104, the document that last changed it
    assert china["entity_list"] == [{"entity": "Example Precision Optics Co., Ltd.", "since": "2021-01-04",
                                     "fr_document": "2099-90104"}]
    russia = country_json(lists_db_path, "Russia", "--as-of", "2026-02-20")
    assert russia["entity_list"] == [] and russia["sections"] == {"744.21": True, "744.22": True}
    assert [r["action"] for r in russia["history"]] == ["removed"]
    assert country_json(lists_db_path, "Russia", "--as-of", "2026-02-16")["entity_list"] == [
        {"entity": "Fictional Avionics LLC", "since": "2021-01-04", "fr_document": None}]   # the eCFR showed it


def test_country_before_a_lists_history_is_not_known_never_not_listed(seeded_db_path, lists_db_path):
    early = invoke(["--db", str(lists_db_path), "country", "Cambodia", "--as-of", "2020-06-01", "--json"])
    answer = json.loads(early.stdout)
    assert (answer["groups"], answer["sections"], answer["entity_list"]) == (
        None, {"744.21": None, "744.22": None}, None)
    assert "tracked history starts 2021-01-04" in early.stderr
    # a database that tracks only Country Groups knows nothing of the other lists
    only_groups = invoke(["--db", str(seeded_db_path), "country", "Cambodia", "--as-of", "2026-02-20", "--json"])
    answer = json.loads(only_groups.stdout)
    assert answer["groups"] == ["D:1"]
    assert answer["sections"] == {"744.21": None, "744.22": None} and answer["entity_list"] is None
    assert "not tracked in this database" in only_groups.stderr
    text = invoke(["--db", str(seeded_db_path), "country", "Cambodia", "--as-of", "2026-02-20"]).stdout
    assert "§ 744.21 (military end use / end user): not known (not tracked in this database)" in text
    assert "not listed" not in text


def test_country_text_gives_each_fact_with_what_last_changed_it(lists_db_path):
    result = invoke(["--db", str(lists_db_path), "country", "Cambodia", "--as-of", "2026-02-20"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:8] == [
        "Cambodia on 2026-02-20",
        "  Country Groups:",
        "    D:1 (National Security): since 2021-01-04 (eCFR version of 2021-01-04)",
        "    not in D:5 since 2026-02-03 (FR Doc. 2026-02262)",
        "  § 744.21 (military end use / end user): listed since 2021-12-09 (FR Doc. 2021-26633)",
        "  § 744.22 (military-intelligence end use / end user): listed since 2021-01-04 (eCFR version of 2021-01-04)",
        "  Entity List: 1 entry under this destination",
        "    Sample Khmer Trading Co., Ltd.: since 2026-02-17 (last changed by FR Doc. 2099-90104)",
    ]
    assert "    2026-02-17  Entity List: added \u201cSample Khmer Trading Co., Ltd.\u201d  [published]  FR Doc. 2099-90104" \
        in lines
    assert "    2021-12-09  added to § 744.21  [confirmed]  FR Doc. 2021-26633 (86 FR 70015)" in lines


def test_country_that_is_no_country_exits_2_with_suggestions(lists_db_path):
    result = invoke(["--db", str(lists_db_path), "country", "Cambodja"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("frtrack: error: unknown country 'Cambodja'") and "Cambodia" in result.stderr


def test_country_alias_says_which_entry_answers(lists_db_path):
    result = invoke(["--db", str(lists_db_path), "country", "PRC", "--as-of", "2026-02-20"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("China (PRC) on 2026-02-20")
    assert "frtrack: note: 'PRC' is listed in the EAR as 'China (PRC)'" in result.stderr
    assert "Example Precision Optics Co., Ltd.: since 2021-01-04 (last changed by FR Doc. 2099-90104)" in result.stdout


# --- changes --list / --entity ----------------------------------------------------------------

def changes(db_path, *args) -> list[dict]:
    result = invoke(["--db", str(db_path), "changes", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_changes_rows_carry_their_list_and_entity_rows_their_entity(lists_db_path):
    rows = changes(lists_db_path)
    assert {r["list"] for r in rows} == {"country_groups", "744.21", "entity_list"}
    for r in rows:
        assert list(r) == (ENTITY_KEYS if r["list"] == "entity_list" else CHANGE_KEYS), r
    revised = [r for r in rows if r["action"] == "revised"]
    assert revised == [{
        "country": "China", "group": None, "action": "revised", "effective_date": "2026-02-17",
        "status": "published", "fr_document": "2099-90104", "citation": None, "publication_date": "2026-02-17",
        "ecfr_version": None, "list": "entity_list", "entity": "Example Precision Optics Co., Ltd.",
        "detail": {"fields": {"address": {"before": "No. 1 Sample Road, Exampletown.",
                                          "after": "No. 2 Sample Road, Exampletown."},
                              "citations": {"before": ["99 FR 00001, 1/4/21"],
                                            "after": ["99 FR 00001, 1/4/21", "99 FR 90104, 2/17/26"]}}}}]
    section = [r for r in rows if r["list"] == "744.21"]
    assert section == [{"country": "Cambodia", "group": None, "action": "added", "effective_date": "2021-12-09",
                        "status": "confirmed", "fr_document": "2021-26633", "citation": "86 FR 70015",
                        "publication_date": "2021-12-09", "ecfr_version": "2021-12-09", "list": "744.21"}]


def test_changes_filter_by_list_country_and_entity(lists_db_path):
    def keys(*args):
        return [(r["country"], r["list"], r.get("entity")) for r in changes(lists_db_path, *args)]

    assert keys("--list", "744.21") == [("Cambodia", "744.21", None)]
    assert keys("--list", "§ 744.21") == keys("--list", "744-21") == keys("--list", "744.21")
    assert keys("--list", "entity-list", "--country", "china") == [
        ("China", "entity_list", "Example Precision Optics Co., Ltd.")]
    assert keys("--list", "country_groups", "--country", "Cambodia") == [
        ("Cambodia", "country_groups", None), ("Cambodia", "country_groups", None)]
    # names as typed: case, punctuation, legal forms, part of the name, an a.k.a.
    for typed in ("EXAMPLE PRECISION OPTICS COMPANY LIMITED", "example precision optics co. ltd", "Precision Optics"):
        assert keys("--entity", typed) == [("China", "entity_list", "Example Precision Optics Co., Ltd.")], typed
    assert keys("--entity", "skt sample") == [("Cambodia", "entity_list", "Sample Khmer Trading Co., Ltd.")]
    assert keys("--entity", "Optic") == []                # whole words, not fragments
    assert keys("--entity", "sample", "--country", "Russia") == []
    assert keys("--entity", "No Such Entity") == []


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
    text = invoke(["--db", str(lists_db_path), "changes", "--country", "China"]).stdout.splitlines()
    assert text == ["2026-02-17  China: Entity List: revised \u201cExample Precision Optics Co., Ltd.\u201d "
                    "(address, citations)  [published]  FR Doc. 2099-90104"]
    history = invoke(["--db", str(lists_db_path), "history", "Cambodia"]).stdout.splitlines()
    assert history == [
        "2021-12-09  added   D:5   [confirmed]  FR Doc. 2021-26633",
        "2021-12-09  added to § 744.21  [confirmed]  FR Doc. 2021-26633",
        "2026-02-03  removed D:5   [confirmed]  FR Doc. 2026-02262",
        "2026-02-17  Entity List: added \u201cSample Khmer Trading Co., Ltd.\u201d  [published]  FR Doc. 2099-90104"]
    rows = json.loads(invoke(["--db", str(lists_db_path), "history", "Cambodia", "--json"]).stdout)
    assert [r["list"] for r in rows] == ["country_groups", "744.21", "country_groups", "entity_list"]


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
