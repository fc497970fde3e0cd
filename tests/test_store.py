"""The SQLite store: schema from migrations, pragmas, the version guard, raw blobs.

Every test opens a real SQLite file; the schema assertions are whole so a
migration that drops or renames a column is caught here, not in a renderer.
"""
from __future__ import annotations

import json
import os
import sqlite3
import stat
import zlib

import pytest

from parsers.errors import SchemaTooNewError, StoreError
from store.blobs import get_blob, put_blob, record_response
from store.db import integrity_ok, known_version, open_db, schema_version
from store.migrations import migrations

# (in creation order: m005 rebuilt the four tables at the end)
TABLES = [
    "_sqlite_migrations", "runs", "source_fetches", "watermarks", "blobs", "responses",
    "fr_documents", "public_inspection", "ecfr_versions", "review_items", "group_columns", "table_events",
    "digests_sent", "polls", "alerts_sent", "http_validators", "changes", "change_status_log", "memberships",
    "divergences",
]
VIEWS = ["change_detail", "membership_history", "current_memberships"]

# Key tables, column by column: the contract the pipeline and renderers write/read.
COLUMNS = {
    "runs": {"id": int, "started_at": str, "finished_at": str, "status": str, "trigger": str,
             "today": str, "pid": int, "error": str},
    "blobs": {"sha256": str, "size": int, "compression": str, "content": bytes, "created_at": str},
    "responses": {"id": int, "run_id": int, "source": str, "method": str, "url": str, "status": int,
                  "headers": str, "sha256": str, "fetched_at": str},
    "memberships": {"id": int, "list": str, "country": str, "group_code": str, "entity": str, "entity_key": str,
                    "detail": str, "valid_from": str, "valid_to": str, "opened_by_document": str,
                    "opened_by_version": int, "closed_by_document": str, "closed_by_version": int, "withdrawn": int},
    "changes": {"id": int, "change_key": str, "list": str, "country": str, "group_code": str, "entity": str,
                "entity_key": str, "action": str, "detail": str, "effective_date": str, "status": str,
                "fr_document": str, "ecfr_version_id": int, "ecfr_version": str, "corrected_by": str,
                "created_at": str, "updated_at": str},
    "ecfr_versions": {"id": int, "unit": str, "kind": str, "date": str, "amendment_date": str,
                      "issue_date": str, "identifier": str, "name": str, "substantive": int,
                      "xml_sha256": str, "parse_status": str, "parse_error": str, "first_seen_run": int,
                      "suspect": str},
    "divergences": {"id": int, "country": str, "side": str, "kind": str, "moved_first": str, "opened_on": str,
                    "closed_on": str, "opened_by_document": str, "opened_by_version": int,
                    "closed_by_document": str, "closed_by_version": int, "withdrawn": int},
    "review_items": {"id": int, "document_number": str, "instruction_index": int, "text": str, "reason": str,
                     "created_at": str, "subject": str, "withdrawn_at": str},
    "group_columns": {"code": str, "name": str, "table_name": str, "as_of": str, "withdrawn": int},
    "table_events": {"id": int, "unit": str, "ecfr_version": str, "kind": str, "subject": str, "before": str,
                     "after": str, "withdrawn": int},
    "digests_sent": {"recipient": str, "window_start": str, "window_end": str, "status": str,
                     "attempts": int, "last_error": str, "message_id": str, "subject": str, "sent_at": str},
    "_sqlite_migrations": {"id": int, "migration_set": str, "name": str, "applied_at": str},
    "polls": {"id": int, "started_at": str, "finished_at": str, "status": str, "requests": int, "run_id": int,
              "new_documents": int, "withdrawn": int, "alerts_sent": int, "alerts_failed": int, "note": str,
              "error": str},
    "alerts_sent": {"recipient": str, "channel": str, "event": str, "change_key": str, "status": str, "state": str,
                    "attempts": int, "subject": str, "last_error": str, "first_attempt_at": str, "sent_at": str},
    "http_validators": {"url": str, "etag": str, "last_modified": str, "body_sha256": str, "run_id": int,
                        "updated_at": str},
}

PKS = {"runs": ["id"], "blobs": ["sha256"], "fr_documents": ["document_number"],
       "digests_sent": ["recipient", "window_start", "window_end"], "group_columns": ["code"],
       "watermarks": ["source"], "alerts_sent": ["recipient", "channel", "event"], "http_validators": ["url"]}


def _schema(db) -> dict[str, dict[str, type]]:
    return {t: db[t].columns_dict for t in db.table_names()}


def test_migrations_from_empty_create_the_whole_schema(tmp_path):
    db = open_db(tmp_path / "a.db")
    assert db.table_names() == TABLES
    assert db.view_names() == VIEWS
    for table, columns in COLUMNS.items():
        assert db[table].columns_dict == columns, table
    for table, pks in PKS.items():
        assert db[table].pks == pks, table
    # Identity constraints the pipeline relies on for idempotent reruns.
    unique = {(t, tuple(i.columns)) for t in db.table_names() for i in db[t].indexes if i.unique}
    assert ("changes", ("change_key",)) in unique
    assert ("ecfr_versions", ("unit", "date")) in unique
    assert ("table_events", ("unit", "ecfr_version", "kind", "subject")) in unique
    fks = {(fk.table, fk.column, fk.other_table, fk.other_column) for t in db.table_names()
           for fk in db[t].foreign_keys}
    assert ("changes", "fr_document", "fr_documents", "document_number") in fks
    assert ("responses", "sha256", "blobs", "sha256") in fks
    assert ("change_status_log", "change_id", "changes", "id") in fks
    for table in ("memberships", "divergences"):   # references by foreign key, not 'fr:'/'ecfr:' text
        for side in ("opened", "closed"):
            assert (table, f"{side}_by_document", "fr_documents", "document_number") in fks
            assert (table, f"{side}_by_version", "ecfr_versions", "id") in fks
    assert ("changes", "ecfr_version_id", "ecfr_versions", "id") in fks
    assert ("http_validators", "body_sha256", "blobs", "sha256") in fks
    assert schema_version(db) == known_version() == len(migrations._migrations)


def test_reopening_is_idempotent(tmp_path):
    path = tmp_path / "a.db"
    first = open_db(path)
    before = (_schema(first), first.schema)
    first.close()
    second = open_db(path)
    assert (_schema(second), second.schema) == before
    rows = list(second["_sqlite_migrations"].rows)
    assert [(r["migration_set"], r["name"]) for r in rows] == [
        ("frtrack", m.name) for m in migrations._migrations]


def test_file_db_uses_wal_and_foreign_keys(fresh_db):
    assert fresh_db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert fresh_db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(sqlite3.IntegrityError):
        fresh_db.execute("INSERT INTO change_status_log (change_id, status, at) VALUES (999, 'published', 'x')")


def test_in_memory_db_has_foreign_keys_too():
    db = open_db(None)
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.table_names() == TABLES


def test_integrity_check_ok(seeded_db):
    assert seeded_db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert integrity_ok(seeded_db)
    assert seeded_db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_db_from_a_newer_frtrack_is_refused(tmp_path):
    path = tmp_path / "newer.db"
    db = open_db(path)
    db["_sqlite_migrations"].insert({"migration_set": "frtrack", "name": "m999_from_the_future",
                                     "applied_at": "2030-01-01 00:00:00+00:00"})
    db.close()
    with pytest.raises(SchemaTooNewError) as err:
        open_db(path)
    message = str(err.value)
    assert "m999_from_the_future" in message
    assert "newer frtrack" in message and "upgrade" in message
    assert str(path) in message
    assert err.value.exit_code == 2
    # Refusing must not have touched it: the unknown row is still the last one.
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT name FROM _sqlite_migrations ORDER BY id DESC LIMIT 1").fetchone() == (
        "m999_from_the_future",)
    raw.close()


def test_new_db_file_is_owner_only(tmp_path):
    path = tmp_path / "private.db"
    open_db(path).close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_existing_db_permissions_are_left_alone(tmp_path):
    path = tmp_path / "shared.db"
    open_db(path).close()
    os.chmod(path, 0o640)
    open_db(path).close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


def test_put_blob_is_idempotent(fresh_db):
    body = b"<FEDREG>Cambodia</FEDREG>"
    sha = put_blob(fresh_db, body)
    assert put_blob(fresh_db, body) == sha
    assert fresh_db.execute("SELECT COUNT(*) FROM blobs").fetchone()[0] == 1
    import hashlib
    assert sha == hashlib.sha256(body).hexdigest()


@pytest.mark.parametrize("body, compression", [
    (b"", "none"),
    (b"short body", "none"),
    (b"<PART><SECTION>Cambodia D:5</SECTION></PART>\n" * 2000, "zlib"),
    (bytes(range(256)) * 40, "zlib"),
])
def test_blob_round_trip(fresh_db, body, compression):
    sha = put_blob(fresh_db, body)
    assert get_blob(fresh_db, sha) == body
    row = fresh_db.execute("SELECT size, compression, content FROM blobs WHERE sha256 = ?", [sha]).fetchone()
    assert row[0] == len(body)
    assert row[1] == compression
    if compression == "zlib":
        assert zlib.decompress(row[2]) == body
        if body.count(body[:40]) > 100:      # repetitive XML compresses
            assert len(row[2]) < len(body) // 10


def test_get_missing_blob_names_it(fresh_db):
    with pytest.raises(KeyError, match="deadbeef"):
        get_blob(fresh_db, "deadbeef")


def test_record_response_stores_metadata(fresh_db):
    fresh_db.execute("INSERT INTO runs (id, started_at, status, today) VALUES (7, 'now', 'running', '2026-02-24')")
    body = b'{"count": 1, "results": []}'
    sha = record_response(fresh_db, source="federal_register",
                          url="https://www.federalregister.gov/api/v1/documents.json?page=1",
                          status=200, headers={"Content-Type": "application/json", "ETag": "abc"},
                          body=body, run_id=7)
    rows = fresh_db.execute_returning_dicts(
        "SELECT run_id, source, method, url, status, headers, sha256 FROM responses")
    assert rows == [{"run_id": 7, "source": "federal_register", "method": "GET",
                     "url": "https://www.federalregister.gov/api/v1/documents.json?page=1",
                     "status": 200, "headers": json.dumps({"Content-Type": "application/json", "ETag": "abc"},
                                                          sort_keys=True),
                     "sha256": sha}]
    assert json.loads(rows[0]["headers"]) == {"Content-Type": "application/json", "ETag": "abc"}
    assert get_blob(fresh_db, sha) == body
    # A second fetch of the same body is a second response but the same blob.
    record_response(fresh_db, source="federal_register", url="https://x.invalid/again", status=429,
                    headers={}, body=body, run_id=None)
    assert fresh_db.execute("SELECT COUNT(*) FROM responses").fetchone()[0] == 2
    assert fresh_db.execute("SELECT COUNT(*) FROM blobs").fetchone()[0] == 1


def test_a_file_that_is_not_sqlite_is_refused_by_name(tmp_path):
    path = tmp_path / "frtrack.toml"
    text = "[sources]\ntimeout = 3\n" * 20
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StoreError) as err:
        open_db(path)
    assert str(err.value).startswith(f"{path}: not an SQLite database")
    assert path.read_text(encoding="utf-8") == text     # left as it was


def test_missing_folder_is_named(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        open_db(tmp_path / "no" / "such" / "frtrack.db")
    assert not (tmp_path / "no").exists()


def _db_at_m003(path):
    """A database as the frtrack before m004 left it: built by the migrations up to m003 only."""
    from sqlite_utils import Database
    db = Database(str(path))
    db.execute("PRAGMA foreign_keys=ON")
    migrations.apply(db, stop_before="m004_http_validators")
    assert [m.name for m in migrations.applied(db)][-1] == "m003_alerts_and_polls"
    assert "http_validators" not in db.table_names()
    return db


def test_m004_moves_the_validator_cache_out_of_watermarks(tmp_path):
    path = tmp_path / "old.db"
    old = _db_at_m003(path)
    old.execute("INSERT INTO runs (id, started_at, status, today) VALUES (3, 't', 'ok', '2026-02-20')")
    desk = put_blob(old, b'{"results": []}')
    titles = put_blob(old, b'{"titles": []}')
    url = "http://127.0.0.1:8/api/v1/public-inspection-documents/current.json"
    rows = [
        ("public_inspection", "2026-02-20", 3, "2026-02-20T08:50:00+00:00"),
        ("federal_register:bis", "2026-02-20", 3, "2026-02-20T08:50:00+00:00"),
        ("etag:" + url, json.dumps({"etag": 'W/"abc"', "last_modified": None, "sha256": desk}), 3,
         "2026-02-20T08:51:00+00:00"),
        ("etag:http://127.0.0.1:8/api/versioner/v1/titles.json",
         json.dumps({"etag": None, "last_modified": "Fri, 20 Feb 2026 08:00:00 GMT", "sha256": titles}), None,
         "2026-02-20T08:52:00+00:00"),
        # a cache entry whose body is not stored, and one that does not parse: cache only, dropped
        ("etag:http://127.0.0.1:8/gone", json.dumps({"etag": "x", "last_modified": None, "sha256": "0" * 64}),
         None, "t"),
        ("etag:http://127.0.0.1:8/garbled", "{not json", None, "t"),
    ]
    old.conn.executemany("INSERT INTO watermarks (source, value, run_id, updated_at) VALUES (?,?,?,?)", rows)
    old.conn.commit()
    old.close()

    db = open_db(path)
    assert db.execute_returning_dicts("SELECT * FROM http_validators ORDER BY url") == [
        {"url": url, "etag": 'W/"abc"', "last_modified": None, "body_sha256": desk, "run_id": 3,
         "updated_at": "2026-02-20T08:51:00+00:00"},
        {"url": "http://127.0.0.1:8/api/versioner/v1/titles.json", "etag": None,
         "last_modified": "Fri, 20 Feb 2026 08:00:00 GMT", "body_sha256": titles, "run_id": None,
         "updated_at": "2026-02-20T08:52:00+00:00"},
    ]
    # watermarks keep only where the sources got to, untouched
    assert db.execute("SELECT source, value, run_id, updated_at FROM watermarks ORDER BY source").fetchall() == \
        sorted(r for r in rows if not r[0].startswith("etag:"))
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert schema_version(db) == known_version()
    db.close()
    reopened = open_db(path)     # applied once: a second open changes nothing
    assert reopened.execute("SELECT COUNT(*) FROM http_validators").fetchone()[0] == 2
