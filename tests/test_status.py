"""``frtrack status``: freshness and health as monitoring sees them."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.status import build_status, format_status
from store.db import open_db
from tests.seed import run_offline

NOW = datetime(2026, 2, 24, 12, 0, tzinfo=UTC)


def _ts(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


def _add_run(db, run_id, status, started, finished=None, error=None, fetches=()):
    db.execute("INSERT INTO runs (id, started_at, finished_at, status, trigger, today, error) VALUES (?,?,?,?,?,?,?)",
               [run_id, _ts(started), finished and _ts(finished), status, "cli", started.date().isoformat(), error])
    for source, st, err in fetches:
        db.execute("INSERT INTO source_fetches (run_id, source, status, started_at, finished_at, error)"
                   " VALUES (?,?,?,?,?,?)", [run_id, source, st, _ts(started), _ts(finished or started), err])


ALL_OK = (("federal_register", "ok", None), ("public_inspection", "ok", None), ("ecfr", "ok", None))


def test_never_run_is_unhealthy_and_stale(fresh_db):
    report = build_status(fresh_db, now=NOW)
    assert report["last_run"] is None and report["sources"] == []
    assert (report["healthy"], report["stale"]) == (False, True)
    assert report["problems"] == ["frtrack has never run on this database"]
    assert report["counts"]["documents"] == 0
    json.dumps(report)


# The seed's runs start at 15:00 UTC; the last (2026-02-24) could not reach the eCFR, the one before
# (2026-02-23) fetched it: three hours after the last run, that fetch is 27 h old.
SEED_NOW = datetime(2026, 2, 24, 18, 0, tzinfo=UTC)
REFUSED = "connection refused by 127.0.0.1:9"


def test_seeded_db_reports_failed_source_and_open_divergence(seeded_db):
    report = build_status(seeded_db, now=SEED_NOW)
    assert report["last_run"] == {"id": 15, "status": "failed", "trigger": "cli",
                                  "started_at": "2026-02-24T15:00:00+00:00",
                                  "finished_at": "2026-02-24T15:00:00+00:00", "error": "source failed: ecfr"}
    assert report["last_successful_run"]["id"] == 14
    by = {s["source"]: s for s in report["sources"]}
    assert sorted(by) == ["ecfr", "federal_register", "public_inspection"]
    assert by["federal_register"]["last_success"] == "2026-02-24T15:00:00+00:00"
    assert by["federal_register"]["age_hours"] == 3.0 and by["federal_register"]["stale"] is False
    assert by["ecfr"] == {"source": "ecfr", "last_success": "2026-02-23T15:00:00+00:00",
                          "last_failure": "2026-02-24T15:00:00+00:00", "last_error": REFUSED,
                          "age_hours": 27.0, "stale": True}
    assert report["problems"] == [
        "the last run (id 15, started 2026-02-24T15:00:00+00:00) failed: source failed: ecfr",
        "ecfr: last successful fetch 2026-02-23T15:00:00+00:00 is 27.0 h old (limit 26 h)"]
    assert (report["healthy"], report["stale"]) == (False, True)
    assert [d["country"] for d in report["open_divergences"]] == ["Cyprus"]
    assert report["data_as_of"] == "2026-02-23"
    assert report["counts"] == {"documents": 7, "ecfr_versions": 11, "changes": 9, "public_inspection": 2,
                                "blobs": report["counts"]["blobs"], "review_items": 1, "open_divergences": 1}
    assert report["counts"]["blobs"] > 0
    # an hour after the last run the eCFR fetch of the day before is 25 h old: failed, not yet stale
    early = build_status(seeded_db, now=datetime(2026, 2, 24, 16, 0, tzinfo=UTC))
    assert (early["healthy"], early["stale"]) == (False, False)
    json.dumps(report)


def test_sources_that_never_succeeded_are_problems_with_their_last_error(tmp_path):
    assert not run_offline(tmp_path / "offline.db").ok
    db = open_db(tmp_path / "offline.db")
    report = build_status(db, now=SEED_NOW)
    not_tried = "not tried: 127.0.0.1:9 refused 1 attempt by federal_register earlier in this run"
    assert report["problems"] == [
        "the last run (id 1, started 2026-02-24T15:00:00+00:00) failed: sources failed: federal_register,"
        " public_inspection, ecfr",
        f"ecfr: no successful fetch on record; last error: {not_tried}",
        f"federal_register: no successful fetch on record; last error: {REFUSED}",
        f"public_inspection: no successful fetch on record; last error: {not_tried}"]
    assert [(s["source"], s["last_success"], s["stale"]) for s in report["sources"]] == [
        ("ecfr", None, True), ("federal_register", None, True), ("public_inspection", None, True)]
    assert (report["healthy"], report["stale"]) == (False, True)
    text = format_status(report)
    # the error once: the problems quote it, so the source line only says when it failed
    assert "  federal_register   last success never STALE; last failure 2026-02-24T15:00:00+00:00" in text.splitlines()
    assert text.count(REFUSED) == 1
    db.close()


def test_recent_successful_run_is_healthy_then_goes_stale(fresh_db):
    _add_run(fresh_db, 1, "ok", NOW - timedelta(hours=2), NOW - timedelta(hours=1), fetches=ALL_OK)
    report = build_status(fresh_db, now=NOW)
    assert (report["healthy"], report["stale"], report["problems"]) == (True, False, [])

    later = build_status(fresh_db, now=NOW + timedelta(hours=30), max_age_hours=26)
    assert (later["healthy"], later["stale"]) == (False, True)
    assert later["problems"] == [
        f"{s}: last successful fetch {_ts(NOW - timedelta(hours=1))} is 31.0 h old (limit 26 h)"
        for s in ("ecfr", "federal_register", "public_inspection")]
    # a generous limit makes the same data fresh again
    assert build_status(fresh_db, now=NOW + timedelta(hours=30), max_age_hours=48)["healthy"] is True


def test_one_stale_source_is_enough_to_be_unhealthy(fresh_db):
    _add_run(fresh_db, 1, "ok", NOW - timedelta(hours=50), NOW - timedelta(hours=50), fetches=ALL_OK)
    _add_run(fresh_db, 2, "failed", NOW - timedelta(hours=1), NOW - timedelta(hours=1), error="ecfr: HTTP 503",
             fetches=(("federal_register", "ok", None), ("public_inspection", "ok", None),
                      ("ecfr", "failed", "HTTP 503")))
    report = build_status(fresh_db, now=NOW)
    assert report["stale"] is True
    assert report["problems"] == [
        f"the last run (id 2, started {_ts(NOW - timedelta(hours=1))}) failed: ecfr: HTTP 503",
        f"ecfr: last successful fetch {_ts(NOW - timedelta(hours=50))} is 50.0 h old (limit 26 h)"]


def test_interrupted_last_run_is_unhealthy_but_a_running_one_is_not(fresh_db):
    _add_run(fresh_db, 1, "ok", NOW - timedelta(hours=3), NOW - timedelta(hours=3), fetches=ALL_OK)
    _add_run(fresh_db, 2, "running", NOW - timedelta(minutes=5))
    running = build_status(fresh_db, now=NOW)
    assert running["last_run"]["status"] == "running" and running["healthy"] is True

    fresh_db.execute("UPDATE runs SET status = 'interrupted', error = 'killed' WHERE id = 2")
    report = build_status(fresh_db, now=NOW)
    assert report["healthy"] is False and report["stale"] is False
    assert report["problems"] == [f"the last run (id 2, started {_ts(NOW - timedelta(minutes=5))}) interrupted: killed"]


def test_first_run_still_running_is_not_healthy(fresh_db):
    _add_run(fresh_db, 1, "running", NOW - timedelta(minutes=5))
    report = build_status(fresh_db, now=NOW)
    assert report["healthy"] is False
    assert report["problems"][0].startswith("no run has finished yet (run 1 started ")


def test_format_status_names_problems_sources_and_divergences(seeded_db):
    text = format_status(build_status(seeded_db, now=SEED_NOW))
    lines = text.splitlines()
    assert lines[0] == "frtrack status: NOT HEALTHY (checked 2026-02-24T18:00:00+00:00, max age 26 h)"
    assert ("last run: #15 failed (cli, started 2026-02-24T15:00:00+00:00, finished 2026-02-24T15:00:00+00:00)"
            " — source failed: ecfr") in lines
    # the error once: no problem below quotes it, so the source line does
    assert ("  ecfr               last success 2026-02-23T15:00:00+00:00 (27.0 h ago) STALE;"
            f" last failure 2026-02-24T15:00:00+00:00: {REFUSED}") in lines
    assert text.count(REFUSED) == 1
    assert "  Cyprus: itar_only since 2024-05-30 (ear moved first)" in lines
    assert lines[-2:] == ["  - the last run (id 15, started 2026-02-24T15:00:00+00:00) failed: source failed: ecfr",
                          "  - ecfr: last successful fetch 2026-02-23T15:00:00+00:00 is 27.0 h old (limit 26 h)"]


def test_cli_check_exit_codes(tmp_path):
    runner = CliRunner()
    db_path = tmp_path / "s.db"
    db = open_db(db_path)
    stale = runner.invoke(cli, ["--db", str(db_path), "status", "--check"])
    assert stale.exit_code == 3, stale.output
    assert "frtrack has never run on this database" in stale.output

    now = datetime.now(UTC)
    _add_run(db, 1, "ok", now - timedelta(minutes=2), now - timedelta(minutes=1), fetches=ALL_OK)
    db.close()
    ok = runner.invoke(cli, ["--db", str(db_path), "status", "--check", "--json"])
    assert ok.exit_code == 0, ok.output
    report = json.loads(ok.output)
    assert report["healthy"] is True and report["last_run"]["id"] == 1

    # --max-age makes the same data stale
    old = runner.invoke(cli, ["--db", str(db_path), "status", "--check", "--max-age", "0.001"])
    assert old.exit_code == 3 and "limit 0.001 h" in old.output
