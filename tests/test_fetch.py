"""fetch_all end to end through the replay server: everything lands once, incrementally,
and each fault loses nothing and is recovered by the next run."""
from __future__ import annotations

import json
from datetime import date

from pipeline.fetch import SourceOutcome, fetch_all
from pipeline.sources.federal_register import FIELDS
from store.blobs import get_blob
from store.enums import Source
from tests.plugins.replay import ApiWorld, fr_doc

TODAY = date(2026, 2, 20)
SUPP = "Supplement No. 1 to Part 740"
BIS_UNIT, ITAR_UNIT = "15 CFR Supplement No. 1 to Part 740", "22 CFR 126.1"
FR_NUMBERS = {"2021-26633", "2021-26590", "2025-19822", "2026-02262", "C1-2026-02262", "2024-05555"}


def new_run(db) -> int:
    return db.execute("INSERT INTO runs (started_at, status, today) VALUES ('2026-02-20T11:00:00+00:00',"
                      " 'running', '2026-02-20')").lastrowid


def cambodia_world(world: ApiWorld) -> ApiWorld:
    world.fr_docs += [
        fr_doc("2021-26633", "2021-12-09", title=15, part=740),
        fr_doc("2021-26590", "2021-12-09", agency="state-department", title=22, part=126),
        fr_doc("2024-05555", "2024-03-15", title=15, part=744),
        fr_doc("2025-19822", "2025-11-07", agency="state-department", title=22, part=126),
        fr_doc("2026-02262", "2026-02-04", title=15, part=740,
               corrections=["https://www.federalregister.gov/api/v1/documents/C1-2026-02262.json"]),
        fr_doc("C1-2026-02262", "2026-02-10", cfr_references=[],
               correction_of="https://www.federalregister.gov/api/v1/documents/2026-02262"),
        # filtered out: State outside 22 CFR 120-130 (locally), Treasury (by the API's agency condition),
        # a proposed rule (by the API's type condition), and one before the window
        fr_doc("2025-11111", "2025-05-01", agency="state-department", title=22, part=41),
        fr_doc("2025-22222", "2025-06-01", agency="treasury-department", title=31, part=560),
        fr_doc("2025-33333", "2025-07-01", doc_type="Proposed Rule"),
        fr_doc("2020-00001", "2020-06-01"),
    ]
    world.pi_docs += [
        {"document_number": "2026-03001", "title": "Additions to the Entity List", "type": "Rule",
         "agencies": [{"slug": "industry-and-security-bureau"}], "filed_at": "2026-02-19T08:45:00.000-05:00",
         "publication_date": "2026-02-23", "pdf_url": "https://example.invalid/2026-03001.pdf"},
        {"document_number": "2026-02262", "title": "Conforming Change for Cambodia", "type": "Rule",
         "agencies": [{"slug": "industry-and-security-bureau"}], "filed_at": "2026-02-03T08:45:00.000-05:00",
         "publication_date": "2026-02-04", "pdf_url": None},
        {"document_number": "2026-09999", "title": "Medicare", "type": "Proposed Rule",
         "agencies": [{"slug": "centers-for-medicare-medicaid-services"}], "filed_at": "2026-02-19T08:45:00Z",
         "publication_date": "2026-02-24", "pdf_url": None},
    ]
    for day in ("2021-12-09", "2024-03-28", "2026-02-05"):
        world.add_version(15, day, part="740", identifier=SUPP, name=f"{SUPP}\u2014Country Groups")
    world.add_version(15, "2023-01-01", part="740", identifier="Supplement No. 2 to Part 740",
                      name="Supplement No. 2 to Part 740\u2014Items That May Be Reexported")
    world.add_version(15, "2022-05-05", part="740", identifier="740.2", name="740.2 Restrictions", type_="section")
    for day in ("2021-12-09", "2025-11-07"):
        world.add_version(22, day, part="126", identifier="126.1", name="126.1 Prohibited exports", type_="section")
    world.add_version(22, "2022-02-02", part="126", identifier="126.2", name="126.2 Temporary suspension",
                      type_="section")
    return world


def run(world: ApiWorld, db, settings=None, *, since=None, today=TODAY) -> tuple[list[SourceOutcome], list]:
    sleeps: list[float] = []
    out = fetch_all(settings or world.settings(), db, run_id=new_run(db), since=since, today=today,
                    sleep=sleeps.append)
    return out, sleeps


def by_source(outcomes):
    return {o.source: o for o in outcomes}


def fr_numbers(db) -> set[str]:
    return {r[0] for r in db.execute("SELECT document_number FROM fr_documents")}


def watermark(db, key):
    row = db.execute("SELECT value FROM watermarks WHERE source = ?", [key]).fetchone()
    return row[0] if row else None


def assert_everything_landed_once(db):
    rows = db.execute("SELECT document_number, xml_sha256 FROM fr_documents").fetchall()
    assert {r[0] for r in rows} == FR_NUMBERS and len(rows) == len(FR_NUMBERS)
    assert all(sha for _, sha in rows), "every document has its XML"
    versions = db.execute("SELECT unit, date FROM ecfr_versions ORDER BY unit, date").fetchall()
    assert versions == [(BIS_UNIT, "2021-12-09"), (BIS_UNIT, "2024-03-28"), (BIS_UNIT, "2026-02-05"),
                        (ITAR_UNIT, "2021-12-09"), (ITAR_UNIT, "2025-11-07")]
    assert {r[0] for r in db.execute("SELECT document_number FROM public_inspection")} == {"2026-03001", "2026-02262"}


def test_first_run_stores_every_watched_document_version_and_filing(api_world, fresh_db):
    world = cambodia_world(api_world)
    outcomes, _ = run(world, fresh_db)
    assert [(o.source, o.ok, o.error) for o in outcomes] == [
        (Source.FEDERAL_REGISTER, True, None), (Source.PUBLIC_INSPECTION, True, None), (Source.ECFR, True, None)]
    got = by_source(outcomes)
    assert (got[Source.FEDERAL_REGISTER].new_items, got[Source.PUBLIC_INSPECTION].new_items,
            got[Source.ECFR].new_items) == (6, 2, 5)
    assert_everything_landed_once(fresh_db)

    row = fresh_db.execute_returning_dicts("SELECT * FROM fr_documents WHERE document_number = '2026-02262'")[0]
    assert row["doc_type"] == "Rule" and row["publication_date"] == "2026-02-04"
    assert row["citation"] == fr_doc("2026-02262", "2026-02-04")["citation"]
    assert json.loads(row["agencies"]) == ["industry-and-security-bureau"]
    assert json.loads(row["cfr_references"]) == [{"title": 15, "part": 740}]
    assert json.loads(row["rins"]) == ["0694-AK41"] and json.loads(row["docket_ids"]) == ["Docket No. 2026-02262"]
    assert row["full_text_xml_url"].endswith("/2026/02/04/2026-02262.xml")
    assert row["parse_status"] == "pending" and row["source"] == "federal_register"
    assert b"<RULE>" in get_blob(fresh_db, row["xml_sha256"])
    assert json.loads(get_blob(fresh_db, row["api_sha256"]))["count"] == 7   # the raw search page it came in
    corr = fresh_db.execute("SELECT correction_of FROM fr_documents WHERE document_number = 'C1-2026-02262'")
    assert corr.fetchone()[0] == "2026-02262"

    pi = dict(fresh_db.execute("SELECT document_number, published FROM public_inspection").fetchall())
    assert pi == {"2026-03001": 0, "2026-02262": 1}

    v = fresh_db.execute_returning_dicts("SELECT * FROM ecfr_versions WHERE unit = ? AND date = '2026-02-05'",
                                         [BIS_UNIT])[0]
    assert (v["kind"], v["identifier"], v["substantive"], v["parse_status"]) == ("country_groups", SUPP, 1, "pending")
    assert b"Version of 2026-02-05" in get_blob(fresh_db, v["xml_sha256"])
    full = [r for r in world.hits("/api/versioner/v1/full/") if "title-15" in r.path]
    assert len(full) == 3 and all(r.query == {"part": ["740"], "appendix": [SUPP]} for r in full)

    search = world.hits("/api/v1/documents.json")[0]
    assert search.query["fields[]"] == list(FIELDS)
    assert search.query["conditions[agencies][]"] == ["industry-and-security-bureau", "state-department"]
    assert search.query["conditions[publication_date][gte]"] == ["2021-01-01"]
    assert search.query["conditions[publication_date][lte]"] == ["2026-02-20"]
    assert search.query["order"] == ["oldest"] and search.query["per_page"] == ["100"]

    assert watermark(fresh_db, "federal_register:bis") == watermark(fresh_db, "federal_register:itar") == "2026-02-20"
    assert json.loads(watermark(fresh_db, f"ecfr:{BIS_UNIT}"))["version"] == "2026-02-05"
    fetches = fresh_db.execute("SELECT source, status, requests, new_items, error FROM source_fetches").fetchall()
    assert [(s, st, n, e) for s, st, _, n, e in fetches] == [
        ("federal_register", "ok", 6, None), ("public_inspection", "ok", 2, None), ("ecfr", "ok", 5, None)]
    assert sum(f[2] for f in fetches) == len(world.server.requests)
    assert fresh_db.execute("SELECT COUNT(*) FROM responses").fetchone()[0] == len(world.server.requests)


def test_second_run_with_nothing_new_costs_at_most_three_requests(api_world, fresh_db):
    world = cambodia_world(api_world)
    run(world, fresh_db)
    world.server.reset_log()
    outcomes, _ = run(world, fresh_db)
    assert all(o.ok and o.new_items == 0 for o in outcomes)
    assert sum(o.requests for o in outcomes) == len(world.server.requests) <= 3
    assert sorted(r.path for r in world.server.requests) == [
        "/api/v1/documents.json", "/api/v1/public-inspection-documents/current.json",
        "/api/versioner/v1/titles.json"]
    # the search starts at the watermark, not at watch.since
    assert world.server.requests[0].query["conditions[publication_date][gte]"] == ["2026-02-20"]
    assert_everything_landed_once(fresh_db)


def test_next_run_fetches_only_what_is_new(api_world, fresh_db):
    world = cambodia_world(api_world)
    run(world, fresh_db)
    world.fr_docs.append(fr_doc("2026-03001", "2026-02-23", title=15, part=740))
    world.add_version(15, "2026-02-23", part="740", identifier=SUPP, name=SUPP)
    world.titles[15].update(latest_amended_on="2026-02-23", up_to_date_as_of="2026-02-24")
    world.server.reset_log()
    outcomes, _ = run(world, fresh_db, today=date(2026, 2, 24))
    got = by_source(outcomes)
    assert (got[Source.FEDERAL_REGISTER].new_items, got[Source.ECFR].new_items) == (1, 1)
    paths = [r.path for r in world.server.requests]
    assert paths.count("/documents/full_text/xml/2026/02/23/2026-03001.xml") == 1
    assert [p for p in paths if "/full/" in p] == ["/api/versioner/v1/full/2026-02-23/title-15.xml"]
    assert not any("title-22" in p for p in paths), "22 CFR did not move: not asked"
    pi = dict(fresh_db.execute("SELECT document_number, published FROM public_inspection").fetchall())
    assert pi["2026-03001"] == 1, "the filing is linked once the document is published"


def _fault_then_recover(world, db, path, fault, failing: Source, settings=None):
    """Run 1 under the fault: only ``failing`` fails, naming the URL; its watermark stays.
    Run 2 (fault spent): everything is there, once."""
    world.fault(path, fault)
    outcomes, sleeps = run(world, db, settings)
    status = {o.source: o.ok for o in outcomes}
    assert status == {s: s is not failing for s in status}, outcomes
    bad = by_source(outcomes)[failing]
    assert world.server.url in bad.error
    row = db.execute("SELECT status, error FROM source_fetches WHERE source = ?", [failing.value]).fetchone()
    # what status shows: the host:port and the problem, without the URL (issue 13)
    assert row[0] == "failed" and world.server.url.split("//")[1] in row[1] and "http://" not in row[1]
    marks = {r[0] for r in db.execute("SELECT source FROM watermarks")}   # validators live in http_validators
    assert not any(m.startswith(failing.value) for m in marks), marks
    outcomes2, _ = run(world, db, settings)
    assert all(o.ok for o in outcomes2), outcomes2
    assert_everything_landed_once(db)
    return bad, sleeps


def test_429_with_retry_after_is_waited_out_in_the_same_run(api_world, fresh_db):
    world = cambodia_world(api_world)
    world.fault("/api/v1/documents.json", {"kind": "retry_after", "seconds": 3, "times": 2})
    outcomes, sleeps = run(world, fresh_db)
    assert all(o.ok for o in outcomes)
    assert sleeps.count(3.0) == 2
    assert_everything_landed_once(fresh_db)


def test_429_beyond_retries_fails_fr_only_and_next_run_recovers(api_world, fresh_db):
    bad, sleeps = _fault_then_recover(cambodia_world(api_world), fresh_db, "/api/v1/documents.json",
                                      {"kind": "retry_after", "seconds": 5, "times": 3}, Source.FEDERAL_REGISTER)
    assert "HTTP 429" in bad.error and sleeps.count(5.0) == 2


def test_500_on_xml_download_keeps_documents_and_retries_the_xml(api_world, fresh_db):
    world = cambodia_world(api_world)
    bad, _ = _fault_then_recover(world, fresh_db, "/documents/full_text/xml/*",
                                 {"kind": "status", "status": 500, "times": 3}, Source.FEDERAL_REGISTER)
    assert "HTTP 500" in bad.error and "retried next run" in bad.error


def test_500_then_success_in_the_same_run(api_world, fresh_db):
    world = cambodia_world(api_world)
    world.fault("/api/versioner/v1/titles.json", {"kind": "status", "status": 500, "times": 1})
    outcomes, _ = run(world, fresh_db)
    assert all(o.ok for o in outcomes)
    # titles x2, the versions of each of the 5 tracked units, 5 XML (none of the § 744 units in this world)
    assert by_source(outcomes)[Source.ECFR].requests == 1 + 1 + 5 + 3 + 2
    assert_everything_landed_once(fresh_db)


def test_timeout_fails_ecfr_only_and_next_run_recovers(api_world, fresh_db):
    world = cambodia_world(api_world)
    bad, _ = _fault_then_recover(world, fresh_db, "/api/versioner/v1/titles.json",
                                 {"kind": "delay", "seconds": 0.6, "times": 3}, Source.ECFR,
                                 settings=world.settings(timeout=0.25))
    assert bad.error.startswith("FetchTimeoutError")


def test_truncated_json_fails_public_inspection_and_next_run_recovers(api_world, fresh_db):
    bad, _ = _fault_then_recover(cambodia_world(api_world), fresh_db,
                                 "/api/v1/public-inspection-documents/current.json",
                                 {"kind": "truncate", "bytes": 100, "times": 3}, Source.PUBLIC_INSPECTION)
    assert bad.error.startswith("TruncatedBodyError") and "got 100 of" in bad.error


def test_html_block_page_is_reported_and_not_hammered(api_world, fresh_db):
    world = cambodia_world(api_world)
    bad, _ = _fault_then_recover(world, fresh_db, "/api/v1/documents.json",
                                 {"kind": "block_page", "times": 1}, Source.FEDERAL_REGISTER)
    assert bad.error.startswith("BlockedError") and bad.requests == 1


def test_block_page_switches_to_govinfo_when_configured(api_world, fresh_db):
    world = cambodia_world(api_world)
    world.fault("/api/v1/documents.json", {"kind": "block_page", "times": 1})
    outcomes, _ = run(world, fresh_db, world.settings(govinfo_fallback=True))
    got = by_source(outcomes)
    assert not got[Source.FEDERAL_REGISTER].ok and got[Source.GOVINFO].ok
    issues = fresh_db.execute("SELECT url FROM responses WHERE source = 'govinfo' AND status = 200").fetchall()
    # 2026-02-13 .. 2026-02-20: five federal business days (Monday 2026-02-16 is Washington's Birthday)
    assert [u.rsplit("/", 1)[1] for (u,) in issues] == [
        f"FR-2026-02-{d}.xml" for d in ("13", "17", "18", "19", "20")]
    assert got[Source.GOVINFO].new_items == 5
    assert not any("/bulkdata/" in r.path and r.path.endswith(("14.xml", "15.xml", "16.xml"))
                   for r in world.server.requests)


def test_ecfr_404_for_a_version_keeps_the_rest_and_next_run_recovers(api_world, fresh_db):
    world = cambodia_world(api_world)
    world.fault("/api/versioner/v1/full/*", {"kind": "status", "status": 404, "times": 1})
    outcomes, _ = run(world, fresh_db)
    bad = by_source(outcomes)[Source.ECFR]
    assert not bad.ok and bad.error.startswith("NotYetAvailableError") and "/full/2021-12-09/title-15.xml" in bad.error
    kept = fresh_db.execute("SELECT unit, date FROM ecfr_versions ORDER BY unit, date").fetchall()
    assert kept == [(ITAR_UNIT, "2021-12-09"), (ITAR_UNIT, "2025-11-07")], "the other unit still went through"
    assert bad.new_items == 2
    assert watermark(fresh_db, f"ecfr:{ITAR_UNIT}") is None, "a failed source moves no watermark"
    outcomes2, _ = run(world, fresh_db)
    assert all(o.ok for o in outcomes2)
    assert_everything_landed_once(fresh_db)


def test_ecfr_never_asks_past_up_to_date_as_of(api_world, fresh_db):
    world = cambodia_world(api_world)
    world.add_version(15, "2026-02-25", part="740", identifier=SUPP, name=SUPP)
    world.titles[15]["latest_amended_on"] = "2026-02-25"
    outcomes, _ = run(world, fresh_db)
    assert all(o.ok for o in outcomes)
    assert not any("2026-02-25" in r.path for r in world.server.requests)
    assert all(r.status != 404 for r in world.server.requests)
    # the eCFR catches up; latest_amended_on does not move, yet the pending version is fetched
    world.titles[15]["up_to_date_as_of"] = "2026-02-26"
    outcomes, _ = run(world, fresh_db, today=date(2026, 2, 26))
    assert by_source(outcomes)[Source.ECFR].new_items == 1
    assert fresh_db.execute("SELECT COUNT(*) FROM ecfr_versions WHERE date = '2026-02-25'").fetchone()[0] == 1


def test_ecfr_503_retry_after_is_waited_out_then_reported(api_world, fresh_db):
    world = cambodia_world(api_world)
    world.fault("/api/versioner/v1/titles.json", {"kind": "retry_after", "status": 503, "seconds": 30, "times": 3})
    outcomes, sleeps = run(world, fresh_db)
    bad = by_source(outcomes)[Source.ECFR]
    assert not bad.ok and bad.error.startswith("NotYetAvailableError") and "processing" in bad.error
    assert sleeps.count(30.0) == 2 and bad.requests == 3
    outcomes, _ = run(world, fresh_db)
    assert all(o.ok for o in outcomes)
    assert_everything_landed_once(fresh_db)


def test_rerun_of_the_same_window_is_idempotent(api_world, fresh_db):
    world = cambodia_world(api_world)
    run(world, fresh_db)
    before = fresh_db.execute("SELECT document_number, xml_sha256, first_seen_run FROM fr_documents"
                              " ORDER BY 1").fetchall()
    outcomes, _ = run(world, fresh_db, since=date(2021, 1, 1))
    assert by_source(outcomes)[Source.FEDERAL_REGISTER].new_items == 0
    assert fresh_db.execute("SELECT document_number, xml_sha256, first_seen_run FROM fr_documents"
                            " ORDER BY 1").fetchall() == before
    assert_everything_landed_once(fresh_db)


def test_correction_targets_from_every_shape_the_api_uses():
    from pipeline.sources.federal_register import correction_target
    assert correction_target({"document_number": "C1-2020-04178", "correction_of": None}) == "2020-04178"
    assert correction_target({"document_number": "x", "correction_of":
                              "https://www.federalregister.gov/api/v1/documents/2020-04178.json"}) == "2020-04178"
    assert correction_target({"document_number": "x", "correction_of":
                              "https://www.federalregister.gov/documents/2020/03/02/2020-04178/some-title"}) == "2020-04178"
    assert correction_target({"document_number": "2026-02262", "correction_of": None}) is None


def test_watch_membership_by_agency_and_cfr_range(api_world):
    from pipeline.sources.federal_register import matches_watch
    settings = api_world.settings()
    assert matches_watch(fr_doc("a", "2026-01-01", title=15, part=744), settings) == ["bis"]
    assert matches_watch(fr_doc("b", "2026-01-01", agency="state-department", title=22, part=126), settings) == ["itar"]
    assert matches_watch(fr_doc("c", "2026-01-01", agency="state-department", title=22, part=41), settings) == []
    assert matches_watch(fr_doc("d", "2026-01-01", title=15, part=800), settings) == []
    assert matches_watch(fr_doc("e", "2026-01-01", cfr_references=[]), settings) == ["bis"]


def test_ecfr_history_starts_at_watch_since(api_world, fresh_db):
    """Versions older than watch.since are not fetched, except the one in force on that day (the baseline)."""
    from dataclasses import replace as _replace
    world = cambodia_world(api_world)
    for day in ("2019-05-01", "2020-06-01"):
        world.add_version(15, day, part="740", identifier=SUPP, name=SUPP)
    settings = world.settings()
    settings = _replace(settings, watch=_replace(settings.watch, since="2021-01-01"))
    outcomes, _ = run(world, fresh_db, settings)
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    dates = [d for (d,) in fresh_db.execute(
        "SELECT date FROM ecfr_versions WHERE kind = 'country_groups' ORDER BY date").fetchall()]
    assert dates[0] == "2020-06-01" and "2019-05-01" not in dates
    assert not any("/full/2019-05-01/" in r.path for r in world.server.requests)
