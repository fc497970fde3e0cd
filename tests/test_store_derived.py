"""The derived-table writers on a real SQLite file: stable ids, withdrawn instead of deleted, foreign keys.

Each recomputed table is synced on its natural key: a row derived again keeps
its id, a row no longer derived is withdrawn (kept, hidden from every reader),
and one derived again later comes back under its old id.
"""
from __future__ import annotations

import pytest

from parsers.errors import StoreError
from parsers.lifecycle import DivergenceKind, DivergenceSide, SourceRef, TableEventKind
from parsers.model import ListKind
from pipeline.derive.rows import ColumnRow, Divergence, Membership, ReviewItem, TableEventRow
from store import derived, queries as q
from store.db import open_db

CG, ITAR = "15 CFR Supplement No. 1 to Part 740", "22 CFR 126.1"
FR, ECFR = SourceRef.fr, SourceRef.ecfr


@pytest.fixture
def db(tmp_path):
    handle = open_db(tmp_path / "d.db", clock=lambda: "2026-02-09T12:00:00+00:00")
    with handle.conn:
        for number in ("2021-26633", "2026-02262"):
            handle.execute("INSERT INTO fr_documents (document_number, parse_status) VALUES (?, 'ok')", [number])
        for unit, kind, day in ((CG, "country_groups", "2021-01-04"), (ITAR, "itar_126_1", "2021-01-04"),
                                (ITAR, "itar_126_1", "2025-11-07"), (CG, "country_groups", "2026-02-03")):
            handle.execute("INSERT INTO ecfr_versions (unit, kind, date, parse_status) VALUES (?,?,?, 'ok')",
                           [unit, kind, day])
    yield handle
    handle.close()


def version_id(db, kind: str, day: str) -> int:
    return db.execute("SELECT id FROM ecfr_versions WHERE kind = ? AND date = ?", [kind, day]).fetchone()[0]


def memberships(db) -> list[tuple]:
    return db.execute("SELECT id, country, group_code, valid_from, valid_to, opened_by_document, opened_by_version,"
                      " closed_by_document, closed_by_version, withdrawn FROM memberships ORDER BY id").fetchall()


CAMBODIA = Membership("Cambodia", "D:5", "2021-12-09", None, FR("2021-26633"), None)
CUBA = Membership("Cuba", "D:5", "2021-01-04", None, ECFR("2021-01-04"), None)
CLOSED = CAMBODIA._replace(valid_to="2026-02-03", closed_by=FR("2026-02262"))
LAOS = Membership("Laos", "D:5", "2026-02-03", None, ECFR("2026-02-03"), None)


def test_memberships_keep_their_ids_are_withdrawn_not_deleted_and_come_back(db):
    with db.conn:
        derived.sync_memberships(db, [CAMBODIA, CUBA])
    cg = version_id(db, "country_groups", "2021-01-04")
    assert memberships(db) == [(1, "Cambodia", "D:5", "2021-12-09", None, "2021-26633", None, None, None, 0),
                               (2, "Cuba", "D:5", "2021-01-04", None, None, cg, None, None, 0)]
    with db.conn:   # Cambodia's interval closes, Cuba's is no longer derived, Laos's is new
        derived.sync_memberships(db, [CLOSED, LAOS])
    laos = version_id(db, "country_groups", "2026-02-03")
    assert memberships(db) == [
        (1, "Cambodia", "D:5", "2021-12-09", "2026-02-03", "2021-26633", None, "2026-02262", None, 0),
        (2, "Cuba", "D:5", "2021-01-04", None, None, cg, None, None, 1),
        (3, "Laos", "D:5", "2026-02-03", None, None, laos, None, None, 0)]
    assert [(m["country"], m["opened_by"], m["closed_by"]) for m in q.membership_intervals(db)] == [
        ("Cambodia", "fr:2021-26633", "fr:2026-02262"), ("Laos", "ecfr:2026-02-03", None)]
    assert q.groups_as_of(db, "Cuba", "2026-01-01") == [] and "Cuba" not in q.memberships_as_of(db, "2026-01-01")
    with db.conn:   # derived again: the same row, not a new one
        derived.sync_memberships(db, [CLOSED, CUBA, LAOS])
    assert [(r[0], r[1], r[-1]) for r in memberships(db)] == [(1, "Cambodia", 0), (2, "Cuba", 0), (3, "Laos", 0)]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_an_unchanged_sync_writes_nothing(db):
    with db.conn:
        derived.sync_memberships(db, [CAMBODIA, CUBA])
    before = db.conn.total_changes
    with db.conn:
        derived.sync_memberships(db, [CAMBODIA, CUBA])
    assert db.conn.total_changes == before


def test_an_ecfr_reference_names_the_version_of_its_own_list(db):
    """Both lists have a version of 2021-01-04: the divergence says whose it means."""
    standing = Divergence("Ethiopia", DivergenceSide.ITAR_ONLY, DivergenceKind.STANDING, "unknown", "2021-01-04",
                          None, ECFR("2021-01-04"), None, opened_in=ListKind.ITAR_126_1)
    closed = Divergence("Cambodia", DivergenceSide.EAR_ONLY, DivergenceKind.CLOSED, "itar", "2025-11-07",
                        "2026-02-03", ECFR("2025-11-07"), FR("2026-02262"), opened_in=ListKind.ITAR_126_1)
    cuba = Divergence("Cuba", DivergenceSide.EAR_ONLY, DivergenceKind.STANDING, "unknown", "2021-01-04", None,
                      ECFR("2021-01-04"), None, opened_in=ListKind.COUNTRY_GROUPS)
    with db.conn:
        derived.sync_divergences(db, [standing, cuba, closed])
    assert db.execute("SELECT country, opened_by_document, opened_by_version, closed_by_document, closed_by_version"
                      " FROM divergences ORDER BY id").fetchall() == [
        ("Ethiopia", None, version_id(db, "itar_126_1", "2021-01-04"), None, None),
        ("Cuba", None, version_id(db, "country_groups", "2021-01-04"), None, None),
        ("Cambodia", None, version_id(db, "itar_126_1", "2025-11-07"), "2026-02262", None)]
    assert [q.divergence_json(d) for d in q.divergences(db)][-1] == {
        "country": "Cambodia", "side": "ear_only", "kind": "closed", "since": "2025-11-07", "until": "2026-02-03",
        "opened_by": "ecfr:2025-11-07", "closed_by": "fr:2026-02262"}
    with db.conn:
        derived.sync_divergences(db, [closed])
    assert [d["country"] for d in q.divergences(db)] == ["Cambodia"]
    assert q.counts(db)["open_divergences"] == 0
    assert db.execute("SELECT country, withdrawn FROM divergences ORDER BY id").fetchall() == [
        ("Ethiopia", 1), ("Cuba", 1), ("Cambodia", 0)]


def test_a_reference_to_no_stored_version_is_refused_not_dropped(db):
    with pytest.raises(StoreError, match="ecfr:2030-01-01"):
        derived.sync_memberships(db, [Membership("Cuba", "D:5", "2030-01-01", None, ECFR("2030-01-01"), None)])
    with pytest.raises(StoreError, match="not a source reference"):
        derived.sync_memberships(db, [Membership("Cuba", "D:5", "2030-01-01", None, "2030-01-01", None)])


def test_columns_and_table_events_are_withdrawn_not_deleted(db):
    d5 = ColumnRow("D:5", "U.S. Arms Embargoed Countries", "Country Group D", "2026-02-03")
    d6 = ColumnRow("D:6", "SAMPLE column", "Country Group D", "2026-02-03")
    note = TableEventRow(CG, "2026-02-03", TableEventKind.FOOTNOTE_CHANGED, "Cambodia", None, "1")
    with db.conn:
        derived.sync_group_columns(db, [d5, d6])
        derived.sync_table_events(db, [note])
    assert q.group_columns(db) == {"D:5": "U.S. Arms Embargoed Countries", "D:6": "SAMPLE column"}
    assert q.table_note_events(db, "2026-02-03") == [("footnote_changed", "Cambodia", "1")]
    with db.conn:
        derived.sync_group_columns(db, [d5])
        derived.sync_table_events(db, [])
    assert q.group_columns(db) == {"D:5": "U.S. Arms Embargoed Countries"}
    assert q.table_note_events(db, "2026-02-03") == []
    assert db.execute("SELECT code, table_name, withdrawn FROM group_columns ORDER BY code").fetchall() == [
        ("D:5", "Country Group D", 0), ("D:6", "Country Group D", 1)]
    assert db.execute("SELECT id, subject, withdrawn FROM table_events").fetchall() == [(1, "Cambodia", 1)]


def test_review_items_are_withdrawn_with_a_time_and_come_back(db):
    item = ReviewItem("2026-02262", 0, "Supplement No. 1 is amended", "unrecognized wording")
    with db.conn:
        derived.insert_review_item(db, item)
    [(item_id,)] = db.execute("SELECT id FROM review_items").fetchall()
    with db.conn:
        derived.withdraw_review_items(db, [item_id])
    assert q.review_items(db) == [] and q.counts(db)["review_items"] == 0
    assert db.execute("SELECT id, withdrawn_at FROM review_items").fetchall() == [
        (item_id, "2026-02-09T12:00:00+00:00")]
    with db.conn:
        derived.update_review_reason(db, item_id, "unrecognized wording")
    assert [r["text"] for r in q.review_items(db)] == ["Supplement No. 1 is amended"]
    assert db.execute("SELECT id, withdrawn_at FROM review_items").fetchall() == [(item_id, None)]
