"""Two runs over the recorded-style sample in tests/fixtures/replay/basic (see its README):
paging, corrections, public inspection, eCFR versions gated by up_to_date_as_of, stages."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from pipeline.config import settings_from_dict
from pipeline.fetch import fetch_all
from store.blobs import get_blob

BASIC = Path(__file__).parent / "fixtures" / "replay" / "basic"
SUPP_UNIT, ITAR_UNIT = "15 CFR Supplement No. 1 to Part 740", "22 CFR 126.1"


def new_run(db, today: str) -> int:
    return db.execute("INSERT INTO runs (started_at, status, today) VALUES (?, 'running', ?)",
                      [f"{today}T11:00:00+00:00", today]).lastrowid


def settings(url: str):
    # the recorded sample holds the Country Group and 126.1 units only (not the § 744 lists)
    tracked = [{"title": 15, "part": "740", "kind": "country_groups", "appendix": "Supplement No. 1 to Part 740"},
               {"title": 22, "part": "126", "kind": "itar_126_1", "section": "126.1"}]
    return settings_from_dict({"sources": {"fr_api_base": f"{url}/api/v1", "ecfr_api_base": f"{url}/api/versioner/v1",
                                           "api_rate": 1000.0, "download_rate": 1000.0},
                               "watch": {"tracked": tracked}}, environ={})


def run(server, db, today: date):
    return fetch_all(settings(server.url), db, run_id=new_run(db, today.isoformat()), today=today,
                     sleep=lambda s: None)


def test_two_runs_over_the_recorded_sample(make_replay, fresh_db):
    server = make_replay(BASIC)
    first = run(server, fresh_db, date(2026, 2, 5))
    assert [(o.source.value, o.ok, o.new_items, o.error) for o in first] == [
        ("federal_register", True, 3, None), ("public_inspection", True, 1, None), ("ecfr", True, 4, None)]
    assert all(r.status == 200 for r in server.requests), [r for r in server.requests if r.status != 200]
    assert [r.entry for r in server.requests if r.path == "/api/v1/documents.json"] == ["fr-search-0-p1",
                                                                                        "fr-search-0-p2"]
    docs = dict(fresh_db.execute("SELECT document_number, xml_sha256 FROM fr_documents").fetchall())
    assert set(docs) == {"2021-26633", "2025-19822", "2026-02262"}
    assert get_blob(fresh_db, docs["2026-02262"]).startswith(b"<?xml") and b"<RULE>" in get_blob(fresh_db, docs["2026-02262"])
    versions = fresh_db.execute("SELECT unit, date, kind FROM ecfr_versions ORDER BY unit, date").fetchall()
    assert versions == [(SUPP_UNIT, "2021-12-09", "country_groups"), (SUPP_UNIT, "2026-02-03", "country_groups"),
                        (ITAR_UNIT, "2021-12-09", "itar_126_1"), (ITAR_UNIT, "2025-11-07", "itar_126_1")]
    assert not any("2026-02-06" in r.path for r in server.requests), "past up_to_date_as_of: not asked"
    assert fresh_db.execute("SELECT document_number, published FROM public_inspection").fetchall() == [
        ("C1-2026-02262", 0)]

    server.set_stage(1)
    server.reset_log()
    second = run(server, fresh_db, date(2026, 2, 6))
    assert [(o.source.value, o.ok, o.new_items) for o in second] == [
        ("federal_register", True, 1), ("public_inspection", True, 0), ("ecfr", True, 1)]
    search = next(r for r in server.requests if r.path == "/api/v1/documents.json")
    assert search.query["conditions[publication_date][gte]"] == ["2026-02-05"]
    corr = fresh_db.execute_returning_dicts("SELECT * FROM fr_documents WHERE document_number = 'C1-2026-02262'")[0]
    assert corr["correction_of"] == "2026-02262" and json.loads(corr["cfr_references"]) == []
    assert fresh_db.execute("SELECT published FROM public_inspection").fetchone()[0] == 1
    assert fresh_db.execute("SELECT COUNT(*) FROM ecfr_versions WHERE date = '2026-02-06'").fetchone()[0] == 1
    assert not any("title-22" in r.path and "/full/" in r.path for r in server.requests)

    server.reset_log()
    third = run(server, fresh_db, date(2026, 2, 6))
    assert all(o.ok and o.new_items == 0 for o in third)
    assert len(server.requests) == sum(o.requests for o in third) <= 3
