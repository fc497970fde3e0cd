"""The change engine over the bundled 2021-2026 timeline, stored directly (no HTTP).

The same timeline goes through the real fetchers and the replay server in
tests/test_e2e_timeline.py; here each stage is stored as the fetchers would
store it, so the engine's rules are checked on their own.
"""
from __future__ import annotations

from datetime import date

import pytest

from pipeline.demo.data.load import load_stage_direct
from pipeline.demo.data.timeline import build_timeline
from pipeline.engine import derive
from store import queries as q
from store.blobs import put_blob
from store.db import open_db

TIMELINE = build_timeline()
DAYS = [s.today.isoformat() for s in TIMELINE]
ANNOUNCED = DAYS.index("2026-02-03")      # 2026-02262 on public inspection
CAMBODIA_IN = DAYS.index("2021-12-10")    # 2021-26633 published


def play(db, upto: int | None = None):
    reports = []
    for stage in TIMELINE[: (upto + 1) if upto is not None else None]:
        load_stage_direct(db, stage)
        reports.append(derive(db, today=stage.today, run_id=None))
    return reports


def derived_content(db) -> dict[str, list]:
    """Every derived table without timestamps: what reparse must reproduce exactly."""
    return {
        "changes": db.execute("SELECT id, change_key, country, group_code, action, effective_date, status, fr_document,"
                              " ecfr_version, corrected_by FROM changes ORDER BY id").fetchall(),
        "memberships": db.execute("SELECT * FROM memberships ORDER BY id").fetchall(),
        "divergences": db.execute("SELECT * FROM divergences ORDER BY id").fetchall(),
        "group_columns": db.execute("SELECT * FROM group_columns ORDER BY code").fetchall(),
        "table_events": db.execute("SELECT * FROM table_events ORDER BY id").fetchall(),
        "review": db.execute("SELECT document_number, instruction_index, text, reason FROM review_items"
                             " ORDER BY id").fetchall(),
        "status_log": db.execute("SELECT change_id, status, note FROM change_status_log ORDER BY id").fetchall(),
    }


@pytest.fixture
def played(tmp_path):
    db = open_db(tmp_path / "t.db")
    play(db)
    yield db
    db.close()


def test_point_in_time_groups(played):
    assert {"D:1", "D:5"} <= set(q.groups_as_of(played, "Cambodia", "2023-06-01"))
    after = q.groups_as_of(played, "Cambodia", "2026-03-01")
    assert "D:1" in after and "D:5" not in after
    assert "D:5" not in q.groups_as_of(played, "Cambodia", "2021-12-08")
    assert "D:5" in q.groups_as_of(played, "Cambodia", "2021-12-09")   # effective day, interval [from, to)
    assert "D:5" in q.groups_as_of(played, "Cambodia", "2026-02-02")
    assert "D:5" not in q.groups_as_of(played, "Cambodia", "2026-02-03")


def test_cambodia_removal_is_one_attributed_confirmed_change(played):
    rows = [q.change_json(r) for r in q.list_changes(played, country="Cambodia", group="D:5")]
    assert rows == [
        {"country": "Cambodia", "group": "D:5", "action": "added", "effective_date": "2021-12-09",
         "status": "confirmed", "fr_document": "2021-26633", "citation": "86 FR 70015",
         "publication_date": "2021-12-09", "ecfr_version": "2021-12-09", "list": "country_groups"},
        {"country": "Cambodia", "group": "D:5", "action": "removed", "effective_date": "2026-02-03",
         "status": "confirmed", "fr_document": "2026-02262", "citation": None,
         "publication_date": "2026-02-04", "ecfr_version": "2026-02-03", "list": "country_groups"},
    ]
    assert q.list_changes(played, country="Cambodia", group="D:1") == []   # D:1 kept: no change


def test_lifecycle_steps_run_by_run(tmp_path):
    db = open_db(tmp_path / "t.db")
    seen = []
    for stage in TIMELINE:
        load_stage_direct(db, stage)
        derive(db, today=stage.today, run_id=None)
        rows = q.list_changes(db, country="Cambodia", group="D:5")
        removal = [r for r in rows if r["action"] == "removed"]
        seen.append(removal[0]["status"] if removal else None)
    assert seen[ANNOUNCED - 1] is None
    assert seen[ANNOUNCED:] == ["announced", "in_effect", "confirmed"]
    cid = q.list_changes(db, country="Cambodia", group="D:5")[-1]["id"]
    assert [h["status"] for h in q.status_history(db, cid)] == ["announced", "published", "in_effect", "confirmed"]


def test_divergence_from_state_removal_to_bis_conforming_rule(played):
    assert [(d["country"], d["side"], d["moved_first"], d["opened_on"], d["closed_on"], d["closed_by"])
            for d in q.divergences(played) if d["country"] == "Cambodia"] == [
        ("Cambodia", "ear_only", "itar", "2025-11-07", "2026-02-03", "fr:2026-02262")]


def test_divergence_open_while_bis_has_not_conformed(tmp_path):
    db = open_db(tmp_path / "t.db")
    play(db, upto=ANNOUNCED)
    assert [(d["country"], d["closed_on"]) for d in q.divergences(db, open_only=True)] == [
        ("Cyprus", None), ("Cambodia", None)]


def test_contradicted_and_unattributed_are_reported(played):
    by = {(r["country"], r["group"]): r for r in q.list_changes(played)}
    assert by[("Venezuela", "D:2")]["status"] == "contradicted"
    assert by[("Venezuela", "D:2")]["fr_document"] == "2099-90001"        # SAMPLE
    assert by[("Sudan", "E:1")]["status"] == "unattributed"
    assert by[("Sudan", "E:1")]["fr_document"] is None
    assert by[("Sudan", "E:1")]["ecfr_version"] == "2021-01-19"
    assert "D:2" not in q.groups_as_of(played, "Venezuela", "2024-06-01")   # the eCFR wins


def test_one_rule_moves_nicaragua_from_b_to_d(played):
    nic = q.list_changes(played, country="Nicaragua")
    assert sorted((r["group"], r["action"], r["fr_document"]) for r in nic) == [
        ("B", "removed", "2024-05696"), ("D:1", "added", "2024-05696"), ("D:5", "added", "2024-05696")]


def test_effective_after_publication_waits_as_published(tmp_path):
    db = open_db(tmp_path / "t.db")
    play(db, upto=DAYS.index("2024-05-13"))     # 2024-10280 published 05-10, effective 05-30
    [cyprus] = q.list_changes(db, country="Cyprus")
    assert (cyprus["status"], cyprus["effective_date"]) == ("published", "2024-05-30")
    assert "D:5" in q.groups_as_of(db, "Cyprus", "2024-05-29") and "D:5" not in q.groups_as_of(db, "Cyprus", "2024-05-30")


def test_unrecognized_wording_goes_to_review(played):
    items = q.review_items(played)
    assert [(i["document_number"], i["reason"]) for i in items] == [("2099-90002", "unrecognized amendment wording")]
    assert "Somalia" in items[0]["text"]


def test_rerun_is_idempotent(played):
    before = derived_content(played)
    derive(played, today=TIMELINE[-1].today, run_id=None)
    assert derived_content(played) == before


def test_reparse_equals_fresh_derivation(played, tmp_path):
    before = derived_content(played)
    # break the derived state, then re-derive everything from raw blobs: the same rows, ids included
    played.execute("UPDATE memberships SET valid_to = '1999-01-01', opened_by_document = NULL WHERE withdrawn = 0")
    played.execute("UPDATE fr_documents SET parse_status = 'pending'")
    derive(played, today=TIMELINE[-1].today, run_id=None, everything=True)
    assert derived_content(played) == before


def test_derived_rows_deleted_by_hand_are_derived_again(played):
    live = lambda: played.execute(   # noqa: E731
        "SELECT list, country, group_code, valid_from, valid_to, opened_by_document, opened_by_version,"
        " closed_by_document, closed_by_version FROM memberships WHERE withdrawn = 0 ORDER BY 2, 3, 4").fetchall()
    before = live()
    played.execute("DELETE FROM memberships")
    derive(played, today=TIMELINE[-1].today, run_id=None, everything=True)
    assert live() == before


def test_malformed_document_fails_by_name_and_keeps_the_rest(tmp_path):
    db = open_db(tmp_path / "t.db")
    play(db, upto=0)
    sha = put_blob(db, b"<RULE><PREAMB><SUBJECT>cut off")
    db.execute("INSERT INTO fr_documents (document_number, publication_date, xml_sha256) VALUES (?,?,?)",
               ["2021-99999", "2021-02-01", sha])
    report = derive(db, today=date(2021, 2, 2), run_id=None)
    assert len(report.parse_failures) == 1 and "2021-99999" in report.parse_failures[0]
    row = db.execute("SELECT parse_status, parse_error, xml_sha256 FROM fr_documents"
                     " WHERE document_number = '2021-99999'").fetchone()
    assert row[0] == "failed" and "2021-99999" in row[1] and row[2] == sha   # raw bytes kept
    assert q.groups_as_of(db, "Cambodia", "2021-01-10")   # the baseline is still there
    # a second derivation does not report the same failure again as new
    assert derive(db, today=date(2021, 2, 2), run_id=None).parse_failures == []


BELARUS_PUBLISHED = DAYS.index("2022-03-09")   # 2022-04819 removes Belarus from Country Group A


def _belarus_on_public_inspection(db, text: str) -> None:
    import json
    play(db, upto=BELARUS_PUBLISHED - 1)
    db.execute("INSERT INTO public_inspection (document_number, title, agencies, publication_date, text_sha256)"
               " VALUES (?,?,?,?,?)", ["2022-04819", "Belarus", json.dumps(["industry-and-security-bureau"]),
                                       "2022-03-08", put_blob(db, text.encode())])
    derive(db, today=date(2022, 3, 7), run_id=None)


def _belarus_published_and_confirmed(db) -> None:
    for stage in TIMELINE[BELARUS_PUBLISHED:BELARUS_PUBLISHED + 2]:
        load_stage_direct(db, stage)
        derive(db, today=stage.today, run_id=None)


def test_public_inspection_instruction_announces_an_exact_removal(tmp_path):
    """No plain statement in the preamble: the removal instruction alone announces the exact delta."""
    db = open_db(tmp_path / "t.db")
    text = ("SUMMARY: BIS amends the Export Administration Regulations.\n"
            "1. The authority citation for part 740 continues to read as follows:\n"
            "2. Supplement No. 1 to part 740 is amended by removing the entry for \u201cBelarus\u201d from "
            "\u201cCountry Group A\u201d.\n")
    _belarus_on_public_inspection(db, text)
    assert [(r["country"], r["group"], r["action"], r["status"]) for r in q.list_changes(db, country="Belarus")] == [
        ("Belarus", "A:4", "removed", "announced")]
    _belarus_published_and_confirmed(db)   # published and in the eCFR: the same change, confirmed
    rows = q.list_changes(db, country="Belarus")
    assert [(r["country"], r["group"], r["status"], r["fr_document"]) for r in rows] == [
        ("Belarus", "A:4", "confirmed", "2022-04819")]
    assert [h["status"] for h in q.status_history(db, rows[0]["id"])] == [
        "announced", "published", "in_effect", "confirmed"]


def test_announced_change_the_published_rule_does_not_make_goes_to_review(tmp_path):
    db = open_db(tmp_path / "t.db")
    text = "SUMMARY: BIS removes Belarus from Country Group A:4 and removes Syria from Country Group E:1."
    _belarus_on_public_inspection(db, text)

    def watched():
        return {(r["country"], r["status"]) for r in q.list_changes(db) if r["country"] in ("Belarus", "Syria")}
    assert watched() == {("Belarus", "announced"), ("Syria", "announced")}
    _belarus_published_and_confirmed(db)   # the published rule removes Belarus only
    # the announced Syria removal is withdrawn (kept, with its log), not erased
    assert watched() == {("Belarus", "confirmed"), ("Syria", "withdrawn")}
    assert [(i["document_number"], i["text"]) for i in q.review_items(db) if i["document_number"] == "2022-04819"] == [
        ("2022-04819", "removes Syria from Country Group E:1")]


def test_run_summary_review_line_names_the_instruction_and_clips_with_an_ellipsis():
    from pipeline.engine import review_line
    long = "Supplement No. 1 to part 740 is amended by " + "transferring the entry for \u201cSomalia\u201d " * 8
    line = review_line("2099-90002", 1, long, "unrecognized amendment wording")
    assert line.startswith("FR Doc. 2099-90002, instruction 2: unrecognized amendment wording: Supplement")
    assert line.endswith("\u2026") and len(line.split(": ", 2)[2]) <= 160
    assert review_line("2099-90002", None, "short", "why") == "FR Doc. 2099-90002: why: short"
    assert review_line("ecfr:2026-02-09", None, "a row", "why") == "eCFR version 2026-02-09: a row: why"
