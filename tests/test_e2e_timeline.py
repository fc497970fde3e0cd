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
from pipeline.demo import demo_settings
from pipeline.demo_data.replay_dir import write_replay_dir
from pipeline.demo_data.timeline import build_timeline
from pipeline.replay import ReplayServer
from pipeline.run import run_once
from store import queries as q
from store.db import open_db

STAGES = build_timeline()


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
            "changes": db.execute("SELECT id, key, status, fr_document, ecfr_version, corrected_by FROM changes"
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
    assert statuses[:9] == [None] * 9
    assert statuses[9:] == ["announced", "in_effect", "confirmed"]

    assert cli_json(db_path, "groups", "Cambodia", "--as-of", "2023-06-01", "--json")["groups"] == ["B", "D:1", "D:5"]
    later = cli_json(db_path, "groups", "cambodia", "--as-of", "2026-03-01", "--json")
    assert later == {"country": "Cambodia", "as_of": "2026-03-01", "groups": ["B", "D:1"],
                     "history_starts": "2021-01-04", "data_through": "2026-02-09",
                     "notes": ["data only through 2026-02-09: changes after that day are not known"]}

    removal = [c for c in cli_json(db_path, "changes", "--country", "Cambodia", "--group", "D:5", "--json")
               if c["action"] == "removed"]
    assert removal == [{"country": "Cambodia", "group": "D:5", "action": "removed", "effective_date": "2026-02-03",
                        "status": "confirmed", "fr_document": "2026-02262", "citation": "91 FR 5123",
                        "publication_date": "2026-02-04", "ecfr_version": "2026-02-03"}]
    db = open_db(db_path)
    cid = [r for r in q.list_changes(db, country="Cambodia", group="D:5") if r["action"] == "removed"][0]["id"]
    assert [h["status"] for h in q.status_history(db, cid)] == ["announced", "published", "in_effect", "confirmed"]
    div = q.divergences(db)
    assert [(d["country"], d["side"], d["moved_first"], d["opened_on"], d["closed_on"]) for d in div] == [
        ("Cambodia", "ear_only", "itar", "2025-11-07", "2026-02-03")]
    statuses_by = {(r["country"], r["group"], r["action"]): r["status"] for r in q.list_changes(db)}
    assert statuses_by[("Venezuela", "D:2", "added")] == "contradicted"
    assert statuses_by[("Belarus", "A:4", "removed")] == "unattributed"
    assert statuses_by[("Sudan", "E:1", "removed")] == "confirmed"
    assert statuses_by[("Nicaragua", "D:5", "added")] == "confirmed"
    assert statuses_by[("Cyprus", "D:5", "removed")] == "confirmed"
    assert len(statuses_by) == 7   # the correction 2024-07001 made no second change
    assert [r["corrected_by"] for r in q.list_changes(db, country="Nicaragua")] == [["2024-07001"]]
    db.close()

    history = cli_json(db_path, "history", "Cambodia", "--json")
    assert [(h["action"], h["effective_date"]) for h in history] == [("added", "2021-12-09"), ("removed", "2026-02-03")]


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
    db = open_db(db_path)   # damage every derived table; reparse must rebuild them from raw blobs
    db.execute("DELETE FROM memberships")
    db.execute("DELETE FROM divergences")
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
    play(timeline_server, db_path, upto=8)
    timeline_server.set_stage(9)
    broken = replace(demo_settings(timeline_server.url), sources=replace(
        demo_settings(timeline_server.url).sources, ecfr_api_base=timeline_server.url + "/nowhere", max_retries=0))
    failed = run_once(broken, db_path, today=STAGES[9].today)
    assert not failed.ok and "nowhere" in failed.error
    db = open_db(db_path)
    assert q.last_run(db)["status"] == "failed"
    # what the working sources brought is kept: the announcement is there
    assert [r["status"] for r in q.list_changes(db, country="Cambodia") if r["action"] == "removed"] == ["announced"]
    db.close()
    ok = run_once(demo_settings(timeline_server.url), db_path, today=STAGES[9].today)
    assert ok.ok, ok.summary()
