"""m005_browsable carries a database written at m004: every row, every id and the status log, with the
'fr:'/'ecfr:' references turned into foreign keys and the readers answering exactly what they answered.

The m004 database is built on a real file by the m001-m004 migrations and filled the way m004 frtrack
filled it (the Cambodia story: the 2021 addition to D:5, the 2026 removal, 126.1 moving first).
"""
from __future__ import annotations

import sqlite3

import pytest
from sqlite_utils import Database

from store import queries as q
from store.db import open_db
from store.migrations import migrations

NOW = "2026-02-09T12:00:00+00:00"
CG, ITAR = "15 CFR Supplement No. 1 to Part 740", "22 CFR 126.1"

# id, unit, kind, date: both lists have a version of 2021-01-04, so a reference by date alone is ambiguous
VERSIONS = [(1, CG, "country_groups", "2021-01-04"), (2, CG, "country_groups", "2021-01-19"),
            (3, CG, "country_groups", "2021-12-09"), (4, CG, "country_groups", "2026-02-03"),
            (11, ITAR, "itar_126_1", "2021-01-04"), (12, ITAR, "itar_126_1", "2025-11-07")]
DOCS = [("2021-26633", "Revision of Export Controls for Cambodia", "86 FR 71557", "2021-12-09"),
        ("2026-02262", "Revisions to Country Group D:5: Cambodia", None, "2026-02-04")]
# id, key, country, grp, action, effective, status, fr_document, ecfr_version (ids with gaps on purpose)
CHANGES = [
    (2, "Sudan|B|added|ecfr:2021-01-19", "Sudan", "B", "added", "2021-01-19", "unattributed", None, "2021-01-19"),
    (5, "Cambodia|D:5|added|fr:2021-26633", "Cambodia", "D:5", "added", "2021-12-09", "confirmed", "2021-26633",
     "2021-12-09"),
    (9, "Cambodia|D:5|removed|fr:2026-02262", "Cambodia", "D:5", "removed", "2026-02-03", "confirmed", "2026-02262",
     "2026-02-03"),
    (10, "Laos|D:5|added|fr:2026-09999", "Laos", "D:5", "added", None, "withdrawn", None, None),
]
# id, change_id, status, at, run_id, note
LOG = [(1, 2, "unattributed", "2026-02-05T12:00:00+00:00", 1, None),
       (2, 5, "published", "2026-02-05T12:00:00+00:00", 1, None),
       (3, 5, "confirmed", "2026-02-05T12:00:00+00:00", 1, "was published"),
       (4, 10, "announced", "2026-02-05T12:00:00+00:00", 1, None),
       (6, 9, "announced", "2026-02-05T12:00:00+00:00", 1, None),
       (7, 9, "published", NOW, 2, "was announced"),
       (8, 9, "in_effect", NOW, 2, "was announced"),
       (9, 9, "confirmed", NOW, 2, "was announced"),
       (10, 10, "withdrawn", NOW, 2, "was announced; no longer derived from the stored documents")]
# id, country, grp, from, to, opened_by, closed_by
MEMBERSHIPS = [(3, "Cambodia", "B", "2021-01-04", None, "ecfr:2021-01-04", None),
               (4, "Cambodia", "D:5", "2021-12-09", "2026-02-03", "fr:2021-26633", "fr:2026-02262"),
               (8, "Sudan", "B", "2021-01-19", None, "ecfr:2021-01-19", None),
               (9, "Cyprus", "D:5", "2021-01-04", "2024-05-30", "ecfr:2021-01-04", "ecfr:2021-01-19")]
# id, country, side, kind, moved_first, opened_on, closed_on, opened_by, closed_by
DIVERGENCES = [
    (1, "Ethiopia", "itar_only", "standing", "unknown", "2021-01-04", None, "ecfr:2021-01-04", None),
    (2, "Cuba", "ear_only", "standing", "unknown", "2021-01-04", "2021-01-19", "ecfr:2021-01-04", "ecfr:2021-01-19"),
    (4, "Cambodia", "ear_only", "closed", "itar", "2025-11-07", "2026-02-03", "ecfr:2025-11-07", "fr:2026-02262"),
]


def m004_database(path) -> None:
    """A database as m004 frtrack left it."""
    db = Database(str(path))
    db.execute("PRAGMA foreign_keys=ON")
    migrations.apply(db, stop_before="m005_browsable")
    assert [m.name for m in migrations.applied(db)][-1] == "m004_http_validators"
    with db.conn:
        for run_id, today in ((1, "2026-02-05"), (2, "2026-02-09")):
            db.execute("INSERT INTO runs (id, started_at, finished_at, status, trigger, today) VALUES (?,?,?,?,?,?)",
                       [run_id, NOW, NOW, "ok", "cli", today])
        for number, title, citation, published in DOCS:
            db.execute("INSERT INTO fr_documents (document_number, doc_type, title, publication_date, citation,"
                       " parse_status) VALUES (?, 'Rule', ?, ?, ?, 'ok')", [number, title, published, citation])
        for vid, unit, kind, day in VERSIONS:
            db.execute("INSERT INTO ecfr_versions (id, unit, kind, date, parse_status) VALUES (?,?,?,?, 'ok')",
                       [vid, unit, kind, day])
        for cid, key, country, grp, action, eff, status, doc, ver in CHANGES:
            db.execute("INSERT INTO changes (id, key, country, grp, action, effective_date, status, fr_document,"
                       " ecfr_version, corrected_by, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                       [cid, key, country, grp, action, eff, status, doc, ver, None, NOW, NOW])
        db.conn.executemany("INSERT INTO change_status_log (id, change_id, status, at, run_id, note)"
                            " VALUES (?,?,?,?,?,?)", LOG)
        db.conn.executemany("INSERT INTO memberships (id, country, grp, valid_from, valid_to, opened_by, closed_by)"
                            " VALUES (?,?,?,?,?,?,?)", MEMBERSHIPS)
        db.conn.executemany("INSERT INTO divergences (id, country, side, kind, moved_first, opened_on, closed_on,"
                            " opened_by, closed_by) VALUES (?,?,?,?,?,?,?,?,?)", DIVERGENCES)
        db.execute("INSERT INTO review_items (id, document_number, instruction_index, text, reason, created_at,"
                   " subject) VALUES (3, '2026-02262', 0, 'Supplement No. 1 is amended', 'unrecognized wording', ?,"
                   " 'fr_document')", [NOW])
        db.execute("INSERT INTO group_columns (code, name, tbl, as_of) VALUES"
                   " ('D:5', 'U.S. Arms Embargoed Countries', 'Country Group D', '2026-02-03')")
        db.execute("INSERT INTO table_events (id, unit, ecfr_version, kind, subject, before, after) VALUES"
                   " (6, ?, '2026-02-03', 'footnote_changed', 'Cambodia', NULL, '1')", [CG])
        db.execute("INSERT INTO alerts_sent (recipient, channel, event, change_key, status, state, attempts,"
                   " first_attempt_at) VALUES ('a@example.com', 'email',"
                   " 'change:Cambodia|D:5|removed|fr:2026-02262:confirmed', 'Cambodia|D:5|removed|fr:2026-02262',"
                   " 'confirmed', 'sent', 1, ?)", [NOW])
    db.close()


@pytest.fixture
def migrated(tmp_path):
    path = tmp_path / "old.db"
    m004_database(path)
    db = open_db(path)
    yield db
    db.close()


def test_the_migration_runs_once_and_leaves_no_dangling_reference(migrated):
    assert [m.name for m in migrations.applied(migrated)][-1] == "m005_browsable"
    assert migrated.execute("PRAGMA foreign_key_check").fetchall() == []
    assert migrated.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not [t for t in migrated.table_names() if t.startswith("_m004_")]


def test_the_migrated_schema_is_the_fresh_schema(migrated, tmp_path):
    fresh = open_db(tmp_path / "new.db")
    schema = "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
    assert migrated.execute(schema).fetchall() == fresh.execute(schema).fetchall()
    fresh.close()


def test_changes_keep_their_ids_and_gain_the_version_they_were_seen_in(migrated):
    rows = migrated.execute("SELECT id, change_key, list, country, group_code, entity, entity_key, action, detail,"
                            " effective_date, status, fr_document, ecfr_version_id, ecfr_version FROM changes"
                            " ORDER BY id").fetchall()
    assert rows == [
        (2, "Sudan|B|added|ecfr:2021-01-19", "country_groups", "Sudan", "B", None, None, "added", None,
         "2021-01-19", "unattributed", None, 2, "2021-01-19"),
        (5, "Cambodia|D:5|added|fr:2021-26633", "country_groups", "Cambodia", "D:5", None, None, "added", None,
         "2021-12-09", "confirmed", "2021-26633", 3, "2021-12-09"),
        (9, "Cambodia|D:5|removed|fr:2026-02262", "country_groups", "Cambodia", "D:5", None, None, "removed", None,
         "2026-02-03", "confirmed", "2026-02262", 4, "2026-02-03"),
        (10, "Laos|D:5|added|fr:2026-09999", "country_groups", "Laos", "D:5", None, None, "added", None,
         None, "withdrawn", None, None, None)]
    assert migrated.execute("SELECT id, change_id, status, at, run_id, note FROM change_status_log"
                            " ORDER BY id").fetchall() == LOG
    # the log still points at the (new) changes table
    with pytest.raises(sqlite3.IntegrityError):
        migrated.execute("INSERT INTO change_status_log (change_id, status, at) VALUES (99, 'published', ?)", [NOW])


def test_references_become_foreign_keys_of_the_right_list(migrated):
    assert migrated.execute("SELECT id, list, country, group_code, valid_from, valid_to, opened_by_document,"
                            " opened_by_version, closed_by_document, closed_by_version, withdrawn FROM memberships"
                            " ORDER BY id").fetchall() == [
        (3, "country_groups", "Cambodia", "B", "2021-01-04", None, None, 1, None, None, 0),
        (4, "country_groups", "Cambodia", "D:5", "2021-12-09", "2026-02-03", "2021-26633", None, "2026-02262", None,
         0),
        (8, "country_groups", "Sudan", "B", "2021-01-19", None, None, 2, None, None, 0),
        (9, "country_groups", "Cyprus", "D:5", "2021-01-04", "2024-05-30", None, 1, None, 2, 0)]
    # a standing 126.1-only difference was opened by the 126.1 version (11), not the supplement's of that day (1)
    assert migrated.execute("SELECT id, country, side, kind, moved_first, opened_on, closed_on, opened_by_document,"
                            " opened_by_version, closed_by_document, closed_by_version, withdrawn FROM divergences"
                            " ORDER BY id").fetchall() == [
        (1, "Ethiopia", "itar_only", "standing", "unknown", "2021-01-04", None, None, 11, None, None, 0),
        (2, "Cuba", "ear_only", "standing", "unknown", "2021-01-04", "2021-01-19", None, 1, None, 2, 0),
        (4, "Cambodia", "ear_only", "closed", "itar", "2025-11-07", "2026-02-03", None, 12, "2026-02262", None, 0)]


def test_review_items_columns_and_events_are_kept_with_their_new_columns(migrated):
    assert migrated.execute("SELECT id, document_number, withdrawn_at FROM review_items").fetchall() == [
        (3, "2026-02262", None)]
    assert migrated.execute("SELECT code, name, table_name, as_of, withdrawn FROM group_columns").fetchall() == [
        ("D:5", "U.S. Arms Embargoed Countries", "Country Group D", "2026-02-03", 0)]
    assert migrated.execute("SELECT id, subject, after, withdrawn FROM table_events").fetchall() == [
        (6, "Cambodia", "1", 0)]
    assert migrated.execute("SELECT change_key, state FROM alerts_sent").fetchall() == [
        ("Cambodia|D:5|removed|fr:2026-02262", "sent")]


def test_the_readers_answer_what_they_answered_at_m004(migrated):
    assert q.membership_intervals(migrated, "Cambodia") == [
        {"country": "Cambodia", "group": "B", "valid_from": "2021-01-04", "valid_to": None,
         "opened_by": "ecfr:2021-01-04", "closed_by": None},
        {"country": "Cambodia", "group": "D:5", "valid_from": "2021-12-09", "valid_to": "2026-02-03",
         "opened_by": "fr:2021-26633", "closed_by": "fr:2026-02262"}]
    assert [q.divergence_json(d) for d in q.divergences(migrated)] == [
        {"country": "Cuba", "side": "ear_only", "kind": "standing", "since": "2021-01-04", "until": "2021-01-19",
         "opened_by": "ecfr:2021-01-04", "closed_by": "ecfr:2021-01-19"},
        {"country": "Ethiopia", "side": "itar_only", "kind": "standing", "since": "2021-01-04", "until": None,
         "opened_by": "ecfr:2021-01-04", "closed_by": None},
        {"country": "Cambodia", "side": "ear_only", "kind": "closed", "since": "2025-11-07", "until": "2026-02-03",
         "opened_by": "ecfr:2025-11-07", "closed_by": "fr:2026-02262"}]
    removal = [q.change_json(r) for r in q.list_changes(migrated, country="Cambodia")]
    assert removal == [
        {"country": "Cambodia", "group": "D:5", "action": "added", "effective_date": "2021-12-09",
         "status": "confirmed", "fr_document": "2021-26633", "citation": "86 FR 71557",
         "publication_date": "2021-12-09", "ecfr_version": "2021-12-09", "list": "country_groups"},
        {"country": "Cambodia", "group": "D:5", "action": "removed", "effective_date": "2026-02-03",
         "status": "confirmed", "fr_document": "2026-02262", "citation": None,
         "publication_date": "2026-02-04", "ecfr_version": "2026-02-03", "list": "country_groups"}]
    assert q.groups_as_of(migrated, "Cambodia", "2023-06-01") == ["B", "D:5"]
    assert q.group_columns(migrated) == {"D:5": "U.S. Arms Embargoed Countries"}
    assert [h["status"] for h in q.status_history(migrated, 9)] == ["announced", "published", "in_effect",
                                                                     "confirmed"]


def test_the_views_read_the_migrated_rows(migrated):
    row = migrated.execute_returning_dicts("SELECT * FROM change_detail WHERE id = 9")[0]
    assert row == {"id": 9, "list": "country_groups", "country": "Cambodia", "group_code": "D:5",
                   "group_name": "U.S. Arms Embargoed Countries", "entity": None, "action": "removed",
                   "status": "confirmed", "effective_date": "2026-02-03", "fr_document": "2026-02262",
                   "document_title": "Revisions to Country Group D:5: Cambodia", "citation": None,
                   "publication_date": "2026-02-04", "html_url": "https://www.federalregister.gov/d/2026-02262",
                   "ecfr_version": "2026-02-03", "last_logged_at": NOW, "detail": None, "corrected_by": None,
                   "change_key": "Cambodia|D:5|removed|fr:2026-02262"}
    # the latest run's day (2026-02-09): Cambodia's D:5 has ended, its B holds
    assert migrated.execute("SELECT country, group_code, valid_from, opened_by, as_of FROM current_memberships"
                            " ORDER BY country, group_code").fetchall() == [
        ("Cambodia", "B", "2021-01-04", "eCFR version 2021-01-04", "2026-02-09"),
        ("Sudan", "B", "2021-01-19", "eCFR version 2021-01-19", "2026-02-09")]
