"""The read API (store/queries.py) over the fixed Cambodia-story database (tests/seed.py).

These are the answers the CLI, the digest and the site print, so they are
asserted whole: exact lists, exact dicts.
"""
from __future__ import annotations

from datetime import date

import pytest

from parsers.lifecycle import ChangeStatus
from store.queries import (
    change_json,
    counts,
    data_as_of,
    divergences,
    documents,
    ecfr_version_dates,
    group_columns,
    groups_as_of,
    known_countries,
    last_run,
    list_changes,
    membership_intervals,
    memberships_as_of,
    resolve_country,
    source_health,
    status_history,
)

TS = "2026-02-24T11:01:00+00:00"


@pytest.mark.parametrize("country, day, expected", [
    ("Cambodia", "2023-06-01", ["D:1", "D:5"]),
    ("Cambodia", "2026-03-01", ["D:1"]),
    ("cambodia", date(2023, 6, 1), ["D:1", "D:5"]),
    ("Cambodia", "2021-12-08", ["D:1"]),          # the day before D:5 began
    ("Cambodia", "2021-12-09", ["D:1", "D:5"]),   # valid_from is inclusive
    ("Cambodia", "2026-02-02", ["D:1", "D:5"]),
    ("Cambodia", "2026-02-03", ["D:1"]),          # valid_to is exclusive
    ("Cambodia", "2020-06-01", []),               # before anything was recorded
    ("Atlantis", "2023-06-01", []),
])
def test_groups_as_of(seeded_db, country, day, expected):
    assert groups_as_of(seeded_db, country, day) == expected


def test_memberships_as_of_is_the_matrix_at_a_date(seeded_db):
    assert memberships_as_of(seeded_db, "2024-03-28") == {
        "Cambodia": {"D:1", "D:5"}, "China": {"D:1", "D:5"}, "Cyprus": {"A:1"},
        "Nicaragua": {"D:5"}, "Belarus": {"A:4", "D:1"}, "Canada": {"B"},
    }


def test_membership_intervals_for_one_country(seeded_db):
    assert membership_intervals(seeded_db, "CAMBODIA") == [
        {"country": "Cambodia", "group": "D:1", "valid_from": "2021-01-04", "valid_to": None,
         "opened_by": "ecfr:2021-01-04", "closed_by": None},
        {"country": "Cambodia", "group": "D:5", "valid_from": "2021-12-09", "valid_to": "2026-02-03",
         "opened_by": "fr:2021-26633", "closed_by": "fr:2026-02262"},
    ]
    assert len(membership_intervals(seeded_db)) == 10


def test_known_and_resolved_countries(seeded_db):
    assert known_countries(seeded_db) == ["Belarus", "Cambodia", "Canada", "China", "Cyprus", "Haiti",
                                          "Nicaragua", "Venezuela"]
    assert resolve_country(seeded_db, "  cambodia ") == "Cambodia"
    assert resolve_country(seeded_db, "Atlantis") is None


def _summary(rows):
    return [(r["country"], r["group"], r["action"], r["effective_date"], r["status"]) for r in rows]


def test_list_changes_oldest_first(seeded_db):
    assert _summary(list_changes(seeded_db)) == [
        ("Cambodia", "D:5", "added", "2021-12-09", "confirmed"),
        ("Cyprus", "D:5", "removed", "2024-03-28", "confirmed"),
        ("Nicaragua", "D:5", "added", "2024-03-28", "confirmed"),
        ("Cambodia", "D:5", "removed", "2026-02-03", "confirmed"),
        ("Belarus", "A:4", "removed", "2026-02-11", "unattributed"),
        ("Venezuela", "E:2", "added", "2026-02-20", "contradicted"),
        ("Haiti", "D:5", "added", "2026-03-02", "announced"),
    ]


def test_list_changes_filters(seeded_db):
    assert _summary(list_changes(seeded_db, country="cAMBODIA")) == [
        ("Cambodia", "D:5", "added", "2021-12-09", "confirmed"),
        ("Cambodia", "D:5", "removed", "2026-02-03", "confirmed"),
    ]
    assert [r["country"] for r in list_changes(seeded_db, group="d:5")] == [
        "Cambodia", "Cyprus", "Nicaragua", "Cambodia", "Haiti"]
    assert [r["country"] for r in list_changes(seeded_db, since="2026-02-11")] == [
        "Belarus", "Venezuela", "Haiti"]
    assert [r["country"] for r in list_changes(seeded_db, since=date(2026, 2, 11), until="2026-02-20")] == [
        "Belarus", "Venezuela"]
    assert [r["country"] for r in list_changes(seeded_db, country="Cambodia", group="D:5",
                                               since="2022-01-01")] == ["Cambodia"]
    assert [r["country"] for r in list_changes(
        seeded_db, statuses=[ChangeStatus.UNATTRIBUTED, ChangeStatus.ANNOUNCED])] == ["Belarus", "Haiti"]
    assert list_changes(seeded_db, country="Atlantis") == []
    assert list_changes(seeded_db, touched_since="2026-02-25T00:00:00+00:00") == []
    assert len(list_changes(seeded_db, touched_since="2026-02-24T00:00:00+00:00")) == 7


def test_list_changes_joins_document_and_column(seeded_db):
    first = list_changes(seeded_db, country="Cambodia")[0]
    assert first["citation"] == "86 FR 70015"
    assert first["fr_title"] == "Revision of Controls for Cambodia Under the Export Administration Regulations"
    assert first["group_name"] == "U.S. Arms Embargoed Countries"
    assert first["html_url"] == "https://www.federalregister.gov/d/2021-26633"
    assert first["corrected_by"] == []
    belarus = list_changes(seeded_db, country="Belarus")[0]
    assert belarus["fr_document"] is None and belarus["html_url"] is None


def test_change_json_exact_shape(seeded_db):
    rows = list_changes(seeded_db, country="Cambodia")
    assert change_json(rows[0]) == {
        "country": "Cambodia", "group": "D:5", "action": "added", "effective_date": "2021-12-09",
        "status": "confirmed", "fr_document": "2021-26633", "citation": "86 FR 70015",
        "publication_date": "2021-12-09", "ecfr_version": "2021-12-09",
    }
    haiti = change_json(list_changes(seeded_db, country="Haiti")[0])
    assert list(haiti) == ["country", "group", "action", "effective_date", "status", "fr_document",
                           "citation", "publication_date", "ecfr_version"]
    assert (haiti["fr_document"], haiti["citation"], haiti["ecfr_version"]) == (None, None, None)


def test_status_history(seeded_db):
    change_id = list_changes(seeded_db, country="Venezuela")[0]["id"]
    assert status_history(seeded_db, change_id) == [
        {"status": "contradicted", "at": "2026-02-24T12:00:00+00:00", "run_id": None, "note": None}]


def test_divergences_open_only(seeded_db):
    everything = divergences(seeded_db)
    assert [(d["country"], d["side"], d["opened_on"], d["closed_on"]) for d in everything] == [
        ("Cambodia", "ear_only", "2025-11-07", "2026-02-03"),
        ("Haiti", "itar_only", "2026-02-18", None),
    ]
    assert [d["country"] for d in divergences(seeded_db, open_only=True)] == ["Haiti"]


def test_source_health(seeded_db):
    assert source_health(seeded_db) == [
        {"source": "ecfr", "last_success": None, "last_failure": TS,
         "last_error": "HTTP 503: title 15 is processing", "items": 1},
        {"source": "federal_register", "last_success": TS, "last_failure": None, "last_error": None, "items": 1},
        {"source": "public_inspection", "last_success": TS, "last_failure": None, "last_error": None, "items": 1},
    ]


def test_source_health_empty_db(fresh_db):
    assert source_health(fresh_db) == []
    assert last_run(fresh_db) is None
    assert data_as_of(fresh_db) is None


def test_counts(seeded_db):
    assert counts(seeded_db) == {"documents": 5, "ecfr_versions": 5, "changes": 7, "public_inspection": 1,
                                 "blobs": 0, "review_items": 0, "open_divergences": 1}


def test_counts_empty(fresh_db):
    assert set(counts(fresh_db).values()) == {0}


def test_last_run_and_data_as_of(seeded_db):
    run = last_run(seeded_db)
    assert (run["id"], run["status"], run["today"]) == (1, "ok", "2026-02-24")
    # The latest of newest eCFR version, newest FR publication and last clean run: the one definition
    # lookup.coverage, the site and status share (they used to disagree by days).
    assert data_as_of(seeded_db) == "2026-02-24"
    from pipeline.lookup import coverage
    assert coverage(seeded_db).through.isoformat() == data_as_of(seeded_db)


def test_documents_newest_first_with_decoded_json(seeded_db):
    docs = documents(seeded_db, since="2024-01-01", until="2026-02-04")
    assert [d["document_number"] for d in docs] == ["2026-02262", "2025-19822", "2099-90101"]
    assert docs[1]["agencies"] == ["state-department"]
    assert docs[0]["cfr_references"] == [{"title": 15, "part": 740}]


def test_group_columns_and_ecfr_dates(seeded_db):
    cols = group_columns(seeded_db)
    assert len(cols) == 14 and cols["D:5"] == "U.S. Arms Embargoed Countries"
    assert ecfr_version_dates(seeded_db) == ["2021-01-04", "2021-12-09", "2024-03-28", "2026-02-05", "2026-02-11"]
    assert ecfr_version_dates(seeded_db, kind="itar_126_1") == []
