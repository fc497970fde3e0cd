"""The FR API's silent 10,000-result cap: windows are split by date until each slice is
complete, and a slice that cannot be proven complete fails loudly, losing nothing."""
from __future__ import annotations

from datetime import date, timedelta

from pipeline.fetch import fetch_all
from store.enums import Source
from tests.plugins.replay import FR_CAP, fr_doc

WATCH = {"public_inspection": False, "tracked": [], "since": "2021-01-01"}


def new_run(db) -> int:
    return db.execute("INSERT INTO runs (started_at, status, today) VALUES ('2021-12-31T11:00:00+00:00',"
                      " 'running', '2021-12-31')").lastrowid


def many_docs(n: int, start: date, days: int) -> list[dict]:
    return [fr_doc(f"2021-{i:05d}", (start + timedelta(days=i % days)).isoformat(), xml=False) for i in range(n)]


def windows(world) -> list[tuple[str, str]]:
    return [(r.query["conditions[publication_date][gte]"][0], r.query["conditions[publication_date][lte]"][0])
            for r in world.hits("/api/v1/documents.json") if "page" not in r.query]


def test_capped_window_is_split_until_every_document_lands_once(api_world, fresh_db):
    # 10,200 one-transaction-per-document commits: WAL's NORMAL sync keeps this a test, not a benchmark
    fresh_db.execute("PRAGMA synchronous=NORMAL")
    api_world.fr_docs = many_docs(FR_CAP + 200, date(2021, 1, 1), 365)
    settings = api_world.settings(watch=WATCH, per_page=1000)
    (fr,) = fetch_all(settings, fresh_db, run_id=new_run(fresh_db), today=date(2021, 12, 31), sleep=lambda s: None)
    assert fr.ok, fr.error
    assert fr.new_items == FR_CAP + 200
    numbers = [r[0] for r in fresh_db.execute("SELECT document_number FROM fr_documents")]
    assert len(numbers) == len(set(numbers)) == FR_CAP + 200
    assert windows(api_world) == [("2021-01-01", "2021-12-31"), ("2021-01-01", "2021-07-02"),
                                  ("2021-07-03", "2021-12-31")]
    pages = [int(r.query["page"][0]) for r in api_world.hits("/api/v1/documents.json") if "page" in r.query]
    assert max(pages) <= FR_CAP // 1000, "never asked for a page past the cap"


def test_a_later_page_repeating_page_one_splits_the_window(api_world, fresh_db):
    # what the API does once page x per_page passes 10,000: page 1 again, with no error
    api_world.fr_docs = many_docs(250, date(2021, 3, 1), 100)
    api_world.repeat_full_window = ("2021-01-01", "2021-12-31")
    (fr,) = fetch_all(api_world.settings(watch=WATCH), fresh_db, run_id=new_run(fresh_db),
                      today=date(2021, 12, 31), sleep=lambda s: None)
    assert fr.ok, fr.error
    assert fresh_db.execute("SELECT COUNT(DISTINCT document_number) FROM fr_documents").fetchone()[0] == 250
    assert windows(api_world)[1:] == [("2021-01-01", "2021-07-02"), ("2021-07-03", "2021-12-31")]


def test_a_single_day_over_the_cap_fails_loudly_and_moves_no_watermark(api_world, fresh_db):
    api_world.fr_docs = many_docs(FR_CAP + 1, date(2021, 5, 5), 1)
    settings = api_world.settings(watch={**WATCH, "since": "2021-05-05"}, per_page=1000)
    (fr,) = fetch_all(settings, fresh_db, run_id=new_run(fresh_db), today=date(2021, 5, 6), sleep=lambda s: None)
    assert not fr.ok and fr.source is Source.FEDERAL_REGISTER
    assert fr.error.startswith("IncompleteResultsError") and "single day" in fr.error and "2021-05-05" in fr.error
    assert api_world.server.url in fr.error
    assert fresh_db.execute("SELECT COUNT(*) FROM watermarks WHERE source LIKE 'federal_register:%'").fetchone()[0] == 0
    assert fresh_db.execute("SELECT status FROM source_fetches").fetchone()[0] == "failed"
