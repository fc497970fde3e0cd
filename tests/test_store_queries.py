"""The read API (store/queries.py) over the seed: the Cambodia story as the real pipeline stores it (tests/seed.py).

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
    entity_keys_matching,
    group_columns,
    groups_as_of,
    known_countries,
    last_run,
    list_changes,
    list_history_start,
    list_memberships,
    membership_intervals,
    memberships_as_of,
    resolve_country,
    source_health,
    standing,
    status_history,
)
from tests.seed import printed_memberships

TS = "2026-02-24T15:00:00+00:00"        # the seed's last run (its runs start at 15:00 UTC)
ECFR_OK = "2026-02-23T15:00:00+00:00"   # the run before: the last one that reached the eCFR


# Cambodia: B, D:1 and D:3 throughout; D:5 from FR Doc. 2021-26633 to FR Doc. 2026-02262
@pytest.mark.parametrize("country, day, expected", [
    ("Cambodia", "2023-06-01", ["B", "D:1", "D:3", "D:5"]),
    ("Cambodia", "2026-03-01", ["B", "D:1", "D:3"]),
    ("cambodia", date(2023, 6, 1), ["B", "D:1", "D:3", "D:5"]),
    ("Cambodia", "2021-12-08", ["B", "D:1", "D:3"]),          # the day before D:5 began
    ("Cambodia", "2021-12-09", ["B", "D:1", "D:3", "D:5"]),   # valid_from is inclusive
    ("Cambodia", "2026-02-02", ["B", "D:1", "D:3", "D:5"]),
    ("Cambodia", "2026-02-03", ["B", "D:1", "D:3"]),          # valid_to is exclusive
    ("Cambodia", "2020-06-01", []),                           # before anything was recorded
    ("Nicaragua", "2024-03-14", ["B"]),
    ("Nicaragua", "2024-03-15", ["D:1", "D:5"]),              # from B to D:1 and D:5 the same day
    ("Belarus", "2022-03-01", ["A:4", "D:1", "D:3", "D:4", "D:5"]),
    ("Belarus", "2022-03-02", ["D:1", "D:3", "D:4", "D:5"]),  # the unattributed eCFR change
    ("Atlantis", "2023-06-01", []),
])
def test_groups_as_of(seeded_db, country, day, expected):
    assert groups_as_of(seeded_db, country, day) == expected


@pytest.mark.parametrize("day", ["2021-01-04", "2021-12-09", "2022-03-02", "2024-03-15", "2024-05-30",
                                 "2026-02-03", "2026-02-20"])
def test_memberships_as_of_is_the_matrix_the_ecfr_printed_that_day(seeded_db, day):
    assert memberships_as_of(seeded_db, day) == printed_memberships(day)


def test_memberships_as_of_between_versions(seeded_db):
    # 2024-05-29: the table of 2024-03-15 (Cyprus leaves D:5 only on 2024-05-30, 2024-10280)
    on = memberships_as_of(seeded_db, "2024-05-29")
    assert on == printed_memberships("2024-03-15")
    assert {c: on[c] for c in ("Cambodia", "Cyprus", "Nicaragua", "Belarus")} == {
        "Cambodia": {"B", "D:1", "D:3", "D:5"}, "Cyprus": {"A:3", "A:4", "B", "D:5"},
        "Nicaragua": {"D:1", "D:5"}, "Belarus": {"D:1", "D:3", "D:4", "D:5"}}
    assert memberships_as_of(seeded_db, "2024-05-30")["Cyprus"] == {"A:3", "A:4", "B"}


def test_membership_intervals_for_one_country(seeded_db):
    baseline = {"valid_from": "2021-01-04", "valid_to": None, "opened_by": "ecfr:2021-01-04", "closed_by": None}
    assert membership_intervals(seeded_db, "CAMBODIA") == [
        {"country": "Cambodia", "group": "B", **baseline},
        {"country": "Cambodia", "group": "D:1", **baseline},
        {"country": "Cambodia", "group": "D:3", **baseline},
        {"country": "Cambodia", "group": "D:5", "valid_from": "2021-12-09", "valid_to": "2026-02-03",
         "opened_by": "fr:2021-26633", "closed_by": "fr:2026-02262"},
    ]
    # the unattributed change closes Belarus's A:4 by its eCFR version
    assert [i for i in membership_intervals(seeded_db, "Belarus") if i["group"] == "A:4"] == [
        {"country": "Belarus", "group": "A:4", "valid_from": "2021-01-04", "valid_to": "2022-03-02",
         "opened_by": "ecfr:2021-01-04", "closed_by": "ecfr:2022-03-02"}]
    # one interval per membership of the baseline, plus Cambodia D:5 and Nicaragua D:1, D:5
    assert len(membership_intervals(seeded_db)) == sum(map(len, printed_memberships("2021-01-04").values())) + 3


def test_known_and_resolved_countries(seeded_db):
    # every country the tables print, and Laos, named only by the announced SAMPLE change
    assert known_countries(seeded_db) == sorted(set(printed_memberships("2021-01-04")) | {"Laos"})
    assert {"Cambodia", "China (PRC)", "Korea, North", "Laos"} <= set(known_countries(seeded_db))
    assert resolve_country(seeded_db, "  cambodia ") == "Cambodia"
    assert resolve_country(seeded_db, "Atlantis") is None


def _summary(rows):
    return [(r["country"], r["group"], r["action"], r["effective_date"], r["status"]) for r in rows]


def test_list_changes_oldest_first(seeded_db):
    assert _summary(list_changes(seeded_db)) == [
        ("Cambodia", "D:5", "added", "2021-12-09", "confirmed"),
        ("Belarus", "A:4", "removed", "2022-03-02", "unattributed"),
        ("Nicaragua", "B", "removed", "2024-03-15", "confirmed"),
        ("Nicaragua", "D:1", "added", "2024-03-15", "confirmed"),
        ("Nicaragua", "D:5", "added", "2024-03-15", "confirmed"),
        ("Cyprus", "D:5", "removed", "2024-05-30", "confirmed"),
        ("Cambodia", "D:5", "removed", "2026-02-03", "confirmed"),
        ("Venezuela", "E:2", "added", "2026-02-20", "contradicted"),
        ("Laos", "D:5", "added", "2026-03-02", "announced"),
    ]


def test_list_changes_filters(seeded_db):
    assert _summary(list_changes(seeded_db, country="cAMBODIA")) == [
        ("Cambodia", "D:5", "added", "2021-12-09", "confirmed"),
        ("Cambodia", "D:5", "removed", "2026-02-03", "confirmed"),
    ]
    assert [r["country"] for r in list_changes(seeded_db, group="d:5")] == [
        "Cambodia", "Nicaragua", "Cyprus", "Cambodia", "Laos"]
    assert [r["country"] for r in list_changes(seeded_db, since="2024-05-30")] == [
        "Cyprus", "Cambodia", "Venezuela", "Laos"]
    assert [r["country"] for r in list_changes(seeded_db, since=date(2024, 5, 30), until="2026-02-20")] == [
        "Cyprus", "Cambodia", "Venezuela"]
    assert [r["country"] for r in list_changes(seeded_db, country="Cambodia", group="D:5",
                                               since="2022-01-01")] == ["Cambodia"]
    assert [r["country"] for r in list_changes(
        seeded_db, statuses=[ChangeStatus.UNATTRIBUTED, ChangeStatus.ANNOUNCED])] == ["Belarus", "Laos"]
    assert list_changes(seeded_db, country="Atlantis") == []
    # touched = created or moved status: the last runs moved Venezuela (02-23) and announced Laos (02-24)
    assert list_changes(seeded_db, touched_since="2026-02-25T00:00:00+00:00") == []
    assert [r["country"] for r in list_changes(seeded_db, touched_since="2026-02-24T00:00:00+00:00")] == ["Laos"]
    assert [r["country"] for r in list_changes(seeded_db, touched_since="2026-02-10T00:00:00+00:00")] == [
        "Venezuela", "Laos"]


def test_list_changes_joins_document_and_column(seeded_db):
    first = list_changes(seeded_db, country="Cambodia")[0]
    assert first["citation"] == "86 FR 70015"
    assert first["fr_title"] == "Revision of Controls for Cambodia Under the Export Administration Regulations"
    assert first["group_name"] == "U.S. Arms Embargoed Countries"
    assert first["html_url"] == ("https://www.federalregister.gov/documents/2021/12/09/2021-26633/"
                                 "revision-of-controls-for-cambodia-under-the-export-administration-regulations")
    assert first["corrected_by"] == []
    belarus = list_changes(seeded_db, country="Belarus")[0]
    assert belarus["fr_document"] is None and belarus["html_url"] is None


def test_change_json_exact_shape(seeded_db):
    rows = list_changes(seeded_db, country="Cambodia")
    assert change_json(rows[0]) == {
        "country": "Cambodia", "group": "D:5", "action": "added", "effective_date": "2021-12-09",
        "status": "confirmed", "fr_document": "2021-26633", "citation": "86 FR 70015",
        "publication_date": "2021-12-09", "ecfr_version": "2021-12-09", "list": "country_groups",
    }
    # announced: its FR document is not published yet, so none is named
    laos = change_json(list_changes(seeded_db, country="Laos")[0])
    assert list(laos) == ["country", "group", "action", "effective_date", "status", "fr_document",
                          "citation", "publication_date", "ecfr_version", "list"]
    assert (laos["status"], laos["fr_document"], laos["citation"], laos["ecfr_version"]) == (
        "announced", None, None, None)


def test_list_memberships_of_every_list(lists_db):
    """Over the lists world (tests/test_e2e_lists.py, built by the pipeline): every list's intervals."""
    rows = list_memberships(lists_db, "nicaragua")
    assert [(r["list"], r["group"], r["valid_from"], r["valid_to"], r["opened_by"], r["closed_by"]) for r in rows
            if r["list"] != "country_groups" or r["group"] in ("B", "D:1", "D:5")] == [
        ("country_groups", "B", "2099-01-05", "2099-04-06", "ecfr:2099-01-05", "fr:2099-90016"),
        ("country_groups", "D:1", "2099-04-06", None, "fr:2099-90016", None),
        ("country_groups", "D:5", "2099-04-06", None, "fr:2099-90016", None),
        ("744.21", None, "2099-04-06", None, "fr:2099-90016", None),
        ("744.22", None, "2099-04-06", None, "fr:2099-90016", None)]
    assert rows[0]["opened_by_list"] == "country_groups" and rows[0]["entity"] is None
    russia = list_memberships(lists_db, "Russia", "entity_list")
    assert [(r["entity"], r["valid_from"], r["valid_to"], r["opened_by"], r["opened_by_list"], r["closed_by"])
            for r in russia] == [
        ("Fictitious Avionics OOO (SAMPLE)", "2099-01-05", "2099-03-02", "ecfr:2099-01-05", "entity_list",
         "fr:2099-90012"),
        ("Sample Microwave Trading LLC (SAMPLE)", "2099-03-02", None, "fr:2099-90014", None, None)]
    assert russia[1]["detail"]["address"] == "9 Invented Lane, Moscow, Russia."
    # a revision closes one interval and opens the next: "since" follows the chain back
    iran = list_memberships(lists_db, "Iran", "entity_list")
    assert [(r["valid_from"], r["valid_to"]) for r in iran] == [("2099-01-05", "2099-03-02"), ("2099-03-02", None)]
    [(key, now)] = standing(iran, "2099-04-09", ("country", "entity_key")).items()
    assert key == ("Iran", "imaginary drone works sample") and (now["since"], now["by"]) == (
        "2099-01-05", "fr:2099-90013")
    assert standing(iran, "2099-01-01", ("country", "entity_key")) == {}
    assert (list_history_start(lists_db, "744.21"), list_history_start(lists_db, "itar_126_1")) == ("2099-01-05", None)
    assert entity_keys_matching(lists_db, "IMAGINARY DRONE WORKS") == {"imaginary drone works sample"}
    assert entity_keys_matching(lists_db, "drone sample works") == {"imaginary drone works sample"}   # an a.k.a.
    assert entity_keys_matching(lists_db, "example photonics company limited") == {"example photonics co ltd sample"}
    assert entity_keys_matching(lists_db, "") == set()


def test_status_history(seeded_db):
    change_id = list_changes(seeded_db, country="Venezuela")[0]["id"]
    assert status_history(seeded_db, change_id) == [
        {"status": "in_effect", "at": "2026-02-20T15:00:00+00:00", "run_id": 13, "note": None},
        {"status": "contradicted", "at": "2026-02-23T15:00:00+00:00", "run_id": 14, "note": "was in_effect"}]
    removal = [r for r in list_changes(seeded_db, country="Cambodia") if r["action"] == "removed"][0]
    assert [(h["status"], h["at"][:10], h["run_id"]) for h in status_history(seeded_db, removal["id"])] == [
        ("announced", "2026-02-03", 9), ("published", "2026-02-04", 10), ("in_effect", "2026-02-04", 10),
        ("confirmed", "2026-02-09", 11)]


def test_divergences_open_only(seeded_db):
    everything = divergences(seeded_db)
    assert [(d["country"], d["side"], d["opened_on"], d["closed_on"], d["opened_by"], d["closed_by"])
            for d in everything] == [
        ("Cyprus", "itar_only", "2024-05-30", None, "fr:2024-10280", None),
        ("Cambodia", "ear_only", "2025-11-07", "2026-02-03", "ecfr:2025-11-07", "fr:2026-02262"),
    ]
    assert [d["country"] for d in divergences(seeded_db, open_only=True)] == ["Cyprus"]


def test_source_health(seeded_db):
    # items: new items over all runs (11 eCFR versions, 7 FR documents, 2 public-inspection filings)
    assert source_health(seeded_db) == [
        {"source": "ecfr", "last_success": ECFR_OK, "last_failure": TS,
         "last_error": "connection refused by 127.0.0.1:9", "items": 11},
        {"source": "federal_register", "last_success": TS, "last_failure": None, "last_error": None, "items": 7},
        {"source": "public_inspection", "last_success": TS, "last_failure": None, "last_error": None, "items": 2},
    ]


def test_source_health_empty_db(fresh_db):
    assert source_health(fresh_db) == []
    assert last_run(fresh_db) is None
    assert data_as_of(fresh_db) is None


def test_counts(seeded_db):
    got = counts(seeded_db)
    # every response is stored raw: at least one blob per document, version and filing text
    assert got["blobs"] >= 7 + 11 + 2
    assert got == {"documents": 7, "ecfr_versions": 11, "changes": 9, "public_inspection": 2,
                   "blobs": got["blobs"], "review_items": 1, "open_divergences": 1}


def test_counts_empty(fresh_db):
    assert set(counts(fresh_db).values()) == {0}


def test_last_run_and_data_as_of(seeded_db):
    run = last_run(seeded_db)
    assert (run["id"], run["status"], run["today"]) == (15, "failed", "2026-02-24")
    # The latest of newest eCFR version, newest FR publication and last clean run: the one definition
    # lookup.coverage, the site and status share (they used to disagree by days). The run of 2026-02-24
    # failed (no eCFR): the data speak for 2026-02-23.
    assert data_as_of(seeded_db) == "2026-02-23"
    from pipeline.lookup import coverage
    assert coverage(seeded_db).through.isoformat() == data_as_of(seeded_db)


def test_documents_newest_first_with_decoded_json(seeded_db):
    docs = documents(seeded_db, since="2024-01-01", until="2026-02-04")
    assert [d["document_number"] for d in docs] == ["2026-02262", "2025-19822", "2024-10280", "2024-05696"]
    assert docs[1]["agencies"] == ["state-department"]
    assert docs[0]["cfr_references"] == [{"title": 15, "part": 740}]


def test_group_columns_and_ecfr_dates(seeded_db):
    cols = group_columns(seeded_db)
    assert len(cols) == 14 and cols["D:5"] == "U.S. Arms Embargoed Countries"
    assert ecfr_version_dates(seeded_db) == ["2021-01-04", "2021-12-09", "2022-03-02", "2024-03-15", "2024-05-30",
                                             "2026-02-03", "2026-02-20"]
    assert ecfr_version_dates(seeded_db, kind="itar_126_1") == ["2021-01-04", "2021-12-09", "2024-03-15",
                                                                "2025-11-07"]
