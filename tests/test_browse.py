"""Browsing the database: the views over a database the real pipeline built, and ``frtrack browse``.

The database is the 2021-2026 timeline played through the replay server and
the real fetchers (as in tests/test_e2e_timeline.py). ``frtrack browse`` is
tested without datasette (the one-line message, exit 2) and with a stand-in
``datasette`` executable on PATH that records the arguments it was given.
"""
from __future__ import annotations

import json
import os
import stat
import sys

import pytest
from click.testing import CliRunner

from pipeline.browse import NOT_INSTALLED
from pipeline.cli import cli
from pipeline.demo.data.replay_dir import write_replay_dir
from pipeline.demo.replay import ReplayServer
from store.db import open_db
from tests.test_e2e_timeline import STAGES, play


@pytest.fixture(scope="module")
def timeline_db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browse")
    with ReplayServer(write_replay_dir(STAGES, tmp / "replay")) as server:
        play(server, tmp / "frtrack.db")
    db = open_db(tmp / "frtrack.db")
    yield db
    db.close()


def rows(db, sql: str, *args) -> list[dict]:
    return db.execute_returning_dicts(sql, list(args))


# ---------------------------------------------------------------- the views

def test_change_detail_reads_a_change_with_its_document_and_version(timeline_db):
    [removal] = rows(timeline_db, "SELECT * FROM change_detail WHERE country = 'Cambodia' AND action = 'removed'")
    logged = removal.pop("last_logged_at")
    assert removal == {
        "id": removal["id"], "list": "country_groups", "country": "Cambodia", "group_code": "D:5",
        "group_name": "U.S. Arms Embargoed Countries", "entity": None, "action": "removed", "status": "confirmed",
        "effective_date": "2026-02-03", "fr_document": "2026-02262",
        "document_title": "Conforming Change to the Export Administration Regulations for Cambodia",
        "citation": None, "publication_date": "2026-02-04",
        "html_url": "https://www.federalregister.gov/documents/2026/02/04/2026-02262/"
                    "conforming-change-to-the-export-administration-regulations-for-cambodia",
        "ecfr_version": "2026-02-03", "detail": None, "corrected_by": None,
        "change_key": "Cambodia|D:5|removed|fr:2026-02262"}
    # the time of the latest status-log row: the run of 2026-02-09 that confirmed it
    latest = timeline_db.execute("SELECT at, status FROM change_status_log WHERE change_id = ? ORDER BY id DESC"
                                 " LIMIT 1", [removal["id"]]).fetchone()
    assert (logged, latest[1]) == (latest[0], "confirmed") and logged.startswith("2026-02-09")


def test_change_detail_answers_who_left_d5_and_by_which_rule(timeline_db):
    """The README's first example question."""
    assert [tuple(r.values()) for r in rows(
        timeline_db, "SELECT country, effective_date, fr_document, citation, status FROM change_detail"
                     " WHERE group_code = 'D:5' AND action = 'removed' ORDER BY effective_date")] == [
        ("Cyprus", "2024-05-30", "2024-10280", "89 FR 40369", "confirmed"),
        ("Cambodia", "2026-02-03", "2026-02262", None, "confirmed")]
    # an unattributed change names its eCFR version and no document
    [sudan] = rows(timeline_db, "SELECT fr_document, html_url, ecfr_version, status FROM change_detail"
                                " WHERE country = 'Sudan' AND group_code = 'E:1'")
    assert sudan == {"fr_document": None, "html_url": None, "ecfr_version": "2021-01-19", "status": "unattributed"}


def test_current_memberships_are_those_in_force_on_the_day_of_the_latest_run(timeline_db):
    assert [tuple(r.values()) for r in rows(
        timeline_db, "SELECT list, country, group_code, group_name, valid_from, valid_to, opened_by, as_of"
                     " FROM current_memberships WHERE country = 'Cambodia' ORDER BY group_code, list")] == [
        ("744.21", "Cambodia", None, None, "2021-12-09", None, "FR Doc. 2021-26633", "2026-02-09"),
        ("entity_list", "Cambodia", None, None, "2025-06-06", None, "FR Doc. 2099-90003", "2026-02-09"),   # SAMPLE
        ("country_groups", "Cambodia", "B", "Country Group B", "2021-01-04", None, "eCFR version 2021-01-04",
         "2026-02-09"),
        ("country_groups", "Cambodia", "D:1", "National Security", "2021-01-04", None, "eCFR version 2021-01-04",
         "2026-02-09"),
        ("country_groups", "Cambodia", "D:3", "Chemical & Biological", "2021-01-04", None,
         "eCFR version 2021-01-04", "2026-02-09")]
    # the same answer as `frtrack groups`, for every country
    current = {(r["country"], r["group_code"]) for r in rows(timeline_db, "SELECT * FROM current_memberships"
                                                                          " WHERE list = 'country_groups'")}
    from store.queries import memberships_as_of
    assert current == {(c, g) for c, gs in memberships_as_of(timeline_db, "2026-02-09").items() for g in gs}


def test_membership_history_says_what_opened_and_closed_each_interval(timeline_db):
    """The README's second example question: Cambodia's D:5, from when to when, and by which documents."""
    [d5] = rows(timeline_db, "SELECT * FROM membership_history WHERE country = 'Cambodia' AND group_code = 'D:5'")
    assert d5 == {
        "id": d5["id"], "list": "country_groups", "country": "Cambodia", "group_code": "D:5",
        "group_name": "U.S. Arms Embargoed Countries", "entity": None,
        "valid_from": "2021-12-09", "valid_to": "2026-02-03",
        "opened_by": "FR Doc. 2021-26633", "opened_by_document": "2021-26633", "opened_by_citation": "86 FR 70015",
        "opened_by_title": "Revision of Controls for Cambodia Under the Export Administration Regulations",
        "opened_by_version_date": None,
        "closed_by": "FR Doc. 2026-02262", "closed_by_document": "2026-02262", "closed_by_citation": None,
        "closed_by_title": "Conforming Change to the Export Administration Regulations for Cambodia",
        "closed_by_version_date": None, "detail": None}
    # withdrawn rows (the contradicted Venezuela D:2 addition was derived once) are kept, not shown
    assert timeline_db.execute("SELECT country, group_code FROM memberships WHERE withdrawn = 1").fetchall() == [
        ("Venezuela", "D:2")]
    assert not rows(timeline_db, "SELECT * FROM membership_history WHERE country = 'Venezuela'"
                                 " AND group_code = 'D:2'")
    live = timeline_db.execute("SELECT COUNT(*) FROM memberships WHERE withdrawn = 0").fetchone()[0]
    assert timeline_db.execute("SELECT COUNT(*) FROM membership_history").fetchone()[0] == live


def test_the_pipelines_database_has_no_dangling_reference(timeline_db):
    assert timeline_db.execute("PRAGMA foreign_key_check").fetchall() == []
    # every interval is opened by exactly one document or version
    assert timeline_db.execute("SELECT COUNT(*) FROM memberships WHERE (opened_by_document IS NULL) ="
                               " (opened_by_version IS NULL)").fetchone()[0] == 0


# ---------------------------------------------------------------- frtrack browse

@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "frtrack.db"
    open_db(path).close()
    return path


def fake_datasette(folder, exit_code: int = 0):
    """A ``datasette`` on PATH that writes its arguments (as JSON) next to itself and exits ``exit_code``."""
    folder.mkdir()
    script = folder / "datasette"
    script.write_text(f"#!{sys.executable}\nimport json, pathlib, sys\n"
                      f"pathlib.Path({str(folder / 'argv.json')!r}).write_text(json.dumps(sys.argv[1:]))\n"
                      f"sys.exit({exit_code})\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return folder / "argv.json"


def test_browse_without_datasette_says_how_to_install_it(db_path, tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setitem(sys.modules, "datasette", None)   # not importable either
    result = CliRunner().invoke(cli, ["--db", str(db_path), "browse"])
    assert result.exit_code == 2
    assert result.stderr == f"frtrack: error: {NOT_INSTALLED}\n"
    assert NOT_INSTALLED == "datasette is not installed: pip install datasette"


def test_browse_runs_datasette_on_the_database(db_path, tmp_path, monkeypatch):
    argv = fake_datasette(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    result = CliRunner().invoke(cli, ["--db", str(db_path), "browse", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert json.loads(argv.read_text()) == [str(db_path), "--port", "8123"]
    assert CliRunner().invoke(cli, ["--db", str(db_path), "browse"]).exit_code == 0
    assert json.loads(argv.read_text()) == [str(db_path)]   # datasette's own default port


def test_browse_exits_as_datasette_did_and_never_starts_it_on_no_database(tmp_path, monkeypatch):
    argv = fake_datasette(tmp_path / "bin", exit_code=3)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    missing = tmp_path / "typo.db"
    result = CliRunner().invoke(cli, ["--db", str(missing), "browse"])
    assert result.exit_code == 2 and "no database" in result.stderr and not argv.exists()
    assert not missing.exists()
    open_db(missing).close()
    assert CliRunner().invoke(cli, ["--db", str(missing), "browse"]).exit_code == 3


def test_change_detail_links_no_sample_document_to_federalregister_gov(timeline_db):
    """A SAMPLE document exists nowhere else: the view, like the site, gives it no FR page link."""
    samples = rows(timeline_db, "SELECT fr_document, html_url FROM change_detail WHERE fr_document LIKE '2099-%'")
    assert samples and all(r["html_url"] is None for r in samples)
    real = rows(timeline_db, "SELECT html_url FROM change_detail WHERE fr_document = '2026-02262'")
    assert real and all(r["html_url"].startswith("https://www.federalregister.gov/") for r in real)


def test_browse_on_no_database_says_so_before_asking_for_datasette(tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setitem(sys.modules, "datasette", None)
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "typo.db"), "browse"])
    assert result.exit_code == 2 and "no database" in result.stderr and NOT_INSTALLED not in result.stderr
