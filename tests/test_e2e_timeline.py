"""Issue 5 end to end: the 2021-2026 timeline through the replay server, real fetchers and the CLI.

Each stage of the replay server is one run on that stage's day; the
assertions follow the Cambodia story as the sources reveal it.
"""
from __future__ import annotations

import json
from dataclasses import replace

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.demo.data.replay_dir import write_replay_dir
from pipeline.demo.data.timeline import build_timeline
from pipeline.demo.replay import ReplayServer
from pipeline.demo.run import demo_settings
from pipeline.run import run_once
from store import queries as q
from store.db import open_db

STAGES = build_timeline()
DAYS = [s.today.isoformat() for s in STAGES]
ANNOUNCED = DAYS.index("2026-02-03")      # 2026-02262 on public inspection


@pytest.fixture
def timeline_server(tmp_path):
    with ReplayServer(write_replay_dir(STAGES, tmp_path / "replay")) as server:
        yield server


def play(server, db_path, upto: int | None = None, settings=None):
    settings = settings or demo_settings(server.url)
    reports = []
    for i, stage in enumerate(STAGES[: None if upto is None else upto + 1]):
        server.set_stage(i)
        reports.append(run_once(settings, db_path, today=stage.today, trigger="test"))
    return reports


def cli_json(db_path, *args):
    result = CliRunner().invoke(cli, ["--db", str(db_path), *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def content(db_path) -> dict[str, list]:
    """The database without run logs or timestamps."""
    db = open_db(db_path)
    try:
        return {
            "fr_documents": db.execute("SELECT document_number, title, publication_date, effective_date, citation,"
                                       " correction_of, xml_sha256, parse_status FROM fr_documents ORDER BY 1").fetchall(),
            "ecfr_versions": db.execute("SELECT unit, date, xml_sha256, parse_status FROM ecfr_versions"
                                        " ORDER BY unit, date").fetchall(),
            "public_inspection": db.execute("SELECT document_number, text_sha256, published FROM public_inspection"
                                            " ORDER BY 1").fetchall(),
            "blobs": db.execute("SELECT sha256 FROM blobs ORDER BY 1").fetchall(),
            "changes": db.execute("SELECT id, change_key, status, fr_document, ecfr_version, corrected_by FROM changes"
                                  " ORDER BY id").fetchall(),
            "status_log": db.execute("SELECT change_id, status FROM change_status_log ORDER BY id").fetchall(),
            "memberships": db.execute("SELECT * FROM memberships ORDER BY id").fetchall(),
            "divergences": db.execute("SELECT * FROM divergences ORDER BY id").fetchall(),
            "review": db.execute("SELECT document_number, text FROM review_items ORDER BY id").fetchall(),
        }
    finally:
        db.close()


def test_cambodia_story_end_to_end(timeline_server, tmp_path):
    db_path = tmp_path / "frtrack.db"
    statuses = []
    for i, stage in enumerate(STAGES):
        timeline_server.set_stage(i)
        report = run_once(demo_settings(timeline_server.url), db_path, today=stage.today)
        assert report.ok, report.summary()
        db = open_db(db_path)
        removal = [r for r in q.list_changes(db, country="Cambodia", group="D:5") if r["action"] == "removed"]
        statuses.append(removal[0]["status"] if removal else None)
        db.close()
    # statuses step as the replay server reveals data run by run
    assert statuses[:ANNOUNCED] == [None] * ANNOUNCED
    assert statuses[ANNOUNCED:] == ["announced", "in_effect", "confirmed"]

    assert cli_json(db_path, "groups", "Cambodia", "--as-of", "2023-06-01", "--json")["groups"] == [
        "B", "D:1", "D:3", "D:5"]
    later = cli_json(db_path, "groups", "cambodia", "--as-of", "2026-03-01", "--json")
    assert later == {"country": "Cambodia", "as_of": "2026-03-01", "groups": ["B", "D:1", "D:3"],
                     "history_starts": "2021-01-04", "data_through": "2026-02-09",
                     "notes": ["data only through 2026-02-09: changes after that day are not known"]}

    removal = [c for c in cli_json(db_path, "changes", "--country", "Cambodia", "--group", "D:5", "--json")
               if c["action"] == "removed"]
    assert removal == [{"country": "Cambodia", "group": "D:5", "action": "removed", "effective_date": "2026-02-03",
                        "status": "confirmed", "fr_document": "2026-02262", "citation": None,
                        "publication_date": "2026-02-04", "ecfr_version": "2026-02-03", "list": "country_groups"}]
    db = open_db(db_path)
    cid = [r for r in q.list_changes(db, country="Cambodia", group="D:5") if r["action"] == "removed"][0]["id"]
    assert [h["status"] for h in q.status_history(db, cid)] == ["announced", "published", "in_effect", "confirmed"]
    div = q.divergences(db)
    # Cambodia: State moved first, BIS conformed. Cyprus: BIS took it out of D:5 while the real
    # 126.1 keeps it in paragraph (d)(2) (a standing difference in the real lists).
    assert sorted((d["country"], d["side"], d["moved_first"], d["opened_on"], d["closed_on"]) for d in div) == [
        ("Cambodia", "ear_only", "itar", "2025-11-07", "2026-02-03"),
        ("Cyprus", "itar_only", "ear", "2024-05-30", None)]
    changes = {(r["country"], r["group"], r["action"]): (r["status"], r["fr_document"], r["effective_date"])
               for r in q.list_changes(db)}
    assert changes == {
        ("Sudan", "E:1", "removed"): ("unattributed", None, "2021-01-19"),        # its rule is not in the sample
        ("Sudan", "B", "added"): ("unattributed", None, "2021-01-19"),
        ("Cambodia", "D:5", "added"): ("confirmed", "2021-26633", "2021-12-09"),
        ("Belarus", "A:4", "removed"): ("confirmed", "2022-04819", "2022-03-02"),
        ("Venezuela", "D:2", "added"): ("contradicted", "2099-90001", "2023-03-30"),   # SAMPLE
        ("Nicaragua", "B", "removed"): ("confirmed", "2024-05696", "2024-03-15"),
        ("Nicaragua", "D:1", "added"): ("confirmed", "2024-05696", "2024-03-15"),
        ("Nicaragua", "D:5", "added"): ("confirmed", "2024-05696", "2024-03-15"),
        ("Cyprus", "D:5", "removed"): ("confirmed", "2024-10280", "2024-05-30"),
        ("Cambodia", "D:5", "removed"): ("confirmed", "2026-02262", "2026-02-03"),
    }
    db.close()

    history = cli_json(db_path, "history", "Cambodia", "--json")     # every list's changes, oldest first
    assert [(h["list"], h["action"], h["effective_date"]) for h in history] == [
        ("country_groups", "added", "2021-12-09"), ("744.21", "added", "2021-12-09"),
        ("entity_list", "added", "2025-06-06"), ("country_groups", "removed", "2026-02-03")]


def test_double_run_is_idempotent(timeline_server, tmp_path):
    db_path = tmp_path / "frtrack.db"
    play(timeline_server, db_path)
    before = content(db_path)
    again = run_once(demo_settings(timeline_server.url), db_path, today=STAGES[-1].today)
    assert again.ok and again.status_moves == []
    assert content(db_path) == before


def test_reparse_equals_fresh_run(timeline_server, tmp_path):
    db_path = tmp_path / "frtrack.db"
    play(timeline_server, db_path)
    before = content(db_path)
    db = open_db(db_path)   # damage every derived table; reparse must rebuild them from raw blobs, ids kept
    db.execute("UPDATE memberships SET valid_to = '1999-01-01' WHERE withdrawn = 0")
    db.execute("UPDATE divergences SET kind = 'open', closed_on = NULL WHERE withdrawn = 0")
    db.execute("UPDATE changes SET status = 'published' WHERE status = 'confirmed'")
    db.close()
    result = CliRunner().invoke(cli, ["--db", str(db_path), "reparse"], env={"FRTRACK_TODAY": "2026-02-09"})
    assert result.exit_code == 0, result.output
    after = content(db_path)
    for table in ("fr_documents", "ecfr_versions", "blobs", "memberships", "divergences", "review"):
        assert after[table] == before[table], table
    assert [c[:2] + c[3:] for c in after["changes"]] == [c[:2] + c[3:] for c in before["changes"]]
    assert [c[2] for c in after["changes"]] == [c[2] for c in before["changes"]]


def test_failed_source_keeps_watermark_and_next_run_recovers(timeline_server, tmp_path):
    db_path = tmp_path / "frtrack.db"
    play(timeline_server, db_path, upto=ANNOUNCED - 1)
    timeline_server.set_stage(ANNOUNCED)
    broken = replace(demo_settings(timeline_server.url), sources=replace(
        demo_settings(timeline_server.url).sources, ecfr_api_base=timeline_server.url + "/nowhere", max_retries=0))
    failed = run_once(broken, db_path, today=STAGES[ANNOUNCED].today)
    assert not failed.ok and "nowhere" in failed.error
    db = open_db(db_path)
    assert q.last_run(db)["status"] == "failed"
    # what the working sources brought is kept: the announcement is there
    assert [r["status"] for r in q.list_changes(db, country="Cambodia") if r["action"] == "removed"] == ["announced"]
    db.close()
    ok = run_once(demo_settings(timeline_server.url), db_path, today=STAGES[ANNOUNCED].today)
    assert ok.ok, ok.summary()


def test_cambodia_on_2026_02_04_is_in_744_21_by_2021_26633_and_has_the_sample_entity_list_entry(timeline_server,
                                                                                                tmp_path):
    """What `frtrack country Cambodia --as-of 2026-02-04` reads: every list's entries in force that day."""
    db_path = tmp_path / "frtrack.db"
    play(timeline_server, db_path)
    db = open_db(db_path)
    held = db.execute("SELECT list, group_code, entity, valid_from, opened_by_document FROM memberships"
                      " WHERE country = 'Cambodia' AND withdrawn = 0 AND valid_from <= '2026-02-04'"
                      " AND (valid_to IS NULL OR valid_to > '2026-02-04') ORDER BY list, group_code").fetchall()
    assert [tuple(r) for r in held] == [
        ("744.21", None, None, "2021-12-09", "2021-26633"),
        ("country_groups", "B", None, "2021-01-04", None),
        ("country_groups", "D:1", None, "2021-01-04", None),
        ("country_groups", "D:3", None, "2021-01-04", None),
        ("entity_list", None, "SAMPLE Phnom Penh Example Trading Co. (fictional)", "2025-06-06", "2099-90003"),
    ]
    sections = db.execute("SELECT list, country, action, status, fr_document, effective_date FROM changes"
                          " WHERE list = '744.21' ORDER BY effective_date").fetchall()
    assert [tuple(r) for r in sections] == [("744.21", "Cambodia", "added", "confirmed", "2021-26633", "2021-12-09"),
                                            ("744.21", "Belarus", "added", "confirmed", "2022-04819", "2022-03-02"),
                                            ("744.21", "Nicaragua", "added", "confirmed", "2024-05696", "2024-03-15")]
    key = "744.21|Cambodia|added|fr:2021-26633"
    assert [s for (s,) in db.execute("SELECT l.status FROM change_status_log l JOIN changes c ON c.id = l.change_id"
                                     " WHERE c.change_key = ? ORDER BY l.id", [key])] == [
        "announced", "published", "in_effect", "confirmed"]
    assert db.execute("SELECT COUNT(*) FROM memberships WHERE list = '744.22'").fetchone()[0] == 0   # none known
    db.close()
