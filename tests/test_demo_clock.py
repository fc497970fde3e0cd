"""Issue 13: the demo records every timestamp on the pinned day of the run that made it.

The demo replays 2021-2026 run by run with "today" pinned to each stage's
day; runs, fetches, status moves, review items, the digest's Date header,
its "last success" lines and the health page must all speak of those days,
never of the day the demo happened to be run.
"""
from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, date, datetime

import pytest

from pipeline.config import Recipient, Settings, Smtp
from pipeline.demo.data.timeline import build_timeline
from pipeline.demo.run import run_demo
from pipeline.publish.digest import Window, digest_command
from store import queries as q
from store.db import open_db

STAGE_DAYS = {s.today.isoformat() for s in build_timeline()}
LAST = max(STAGE_DAYS)
STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    report = run_demo(tmp_path_factory.mktemp("demo") / "out")
    assert report.ok, report.summary()
    return report


def _timestamps(db) -> list[tuple[str, str, str]]:
    """(table, column, value) for every ISO timestamp stored anywhere in the database."""
    out = []
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        cols = [r[1] for r in db.execute(f"PRAGMA table_info('{table}')").fetchall()]
        for col in cols:
            for (value,) in db.execute(f'SELECT "{col}" FROM "{table}"').fetchall():
                if isinstance(value, str) and STAMP.match(value):
                    out.append((table, col, value))
    return out


def test_every_stored_timestamp_is_a_stage_day(demo):
    db = open_db(demo.db_path)
    try:
        stamps = _timestamps(db)
        assert {t for t, _, _ in stamps} >= {"runs", "source_fetches", "change_status_log", "review_items",
                                             "changes", "blobs", "responses", "watermarks"}
        off = [(t, c, v) for t, c, v in stamps if STAMP.match(v).group(1) not in STAGE_DAYS]
        assert off == []
        # and each run's rows carry that run's own day
        runs = dict(db.execute("SELECT id, today FROM runs").fetchall())
        for table, col in (("source_fetches", "finished_at"), ("change_status_log", "at"), ("responses", "fetched_at")):
            for run_id, value in db.execute(f"SELECT run_id, {col} FROM {table}").fetchall():
                assert value[:10] == runs[run_id], (table, run_id, value)
        assert [(r["started_at"][:10], r["finished_at"][:10]) for r in
                db.execute_returning_dicts("SELECT * FROM runs ORDER BY id")] == [
            (s.today.isoformat(), s.today.isoformat()) for s in build_timeline()]
    finally:
        db.close()


def test_lifecycle_of_2026_02262_is_dated_by_the_stages_that_made_it(demo):
    db = open_db(demo.db_path)
    try:
        [removal] = [r for r in q.list_changes(db, country="Cambodia", group="D:5") if r["action"] == "removed"]
        steps = [(h["status"], h["at"][:10]) for h in q.status_history(db, removal["id"])]
    finally:
        db.close()
    assert steps == [("announced", "2026-02-03"), ("published", "2026-02-04"), ("in_effect", "2026-02-04"),
                     ("confirmed", "2026-02-09")]


def _dates(text: str) -> set[str]:
    return set(re.findall(r"(?<!\d)(20\d\d-\d\d-\d\d)(?!\d)", text))


def test_digest_is_dated_by_the_pinned_clock_and_carries_the_review_item(demo):
    msg = email.message_from_bytes(demo.digest_path.read_bytes(), policy=email.policy.default)
    assert msg["Date"].datetime.date() == date.fromisoformat(LAST)
    text = msg.get_body(("plain",)).get_content()
    health = text[text.index("== Source health =="):]
    assert re.findall(r"last success (\S+)", health) == [LAST] * 3
    review = [i for i in demo.review]
    assert review, demo.summary()
    number = review[0].split(":")[0].replace("FR Doc. ", "")
    assert number in text[text.index("review"):]
    wall = datetime.now(UTC).date().isoformat()
    if wall not in STAGE_DAYS:
        assert wall not in text


def test_site_pages_show_only_pinned_dates(demo):
    site = demo.site_index.parent
    health = (site / "health.html").read_text(encoding="utf-8")
    sources = health[health.index('<table class="health">'):health.index('<section aria-labelledby="parse-h">')]
    assert f"Last run: #{len(build_timeline())} started 2026-02-09T" in sources
    assert _dates(sources) == {LAST}
    wall = datetime.now(UTC).date().isoformat()
    if wall not in STAGE_DAYS:
        for page in site.rglob("*"):
            if page.is_file() and page.suffix in (".html", ".atom", ".json", ".csv"):
                assert wall not in page.read_text(encoding="utf-8"), page


def test_status_of_a_pinned_database_is_measured_on_the_pinned_day(demo, monkeypatch):
    from pipeline.status import build_status
    monkeypatch.setenv("FRTRACK_TODAY", LAST)
    db = open_db(demo.db_path)
    try:
        report = build_status(db)
    finally:
        db.close()
    assert report["healthy"], report


def test_sent_ledger_and_mail_date_use_the_pinned_day(seeded_db, smtp_server):
    today = date(2026, 2, 8)
    settings = Settings(smtp=Smtp(host=smtp_server.host, port=smtp_server.port, security="plain",
                                  sender="frtrack@example.org", timeout=10.0),
                        recipients=(Recipient("analyst@example.com"),))
    report = digest_command(settings, seeded_db, since=None, out=None, send=True, today=today)
    assert report.sent == ["analyst@example.com"]
    [got] = smtp_server.received
    assert got.message["Date"].datetime.date() == today
    sent_at = seeded_db.execute("SELECT sent_at FROM digests_sent").fetchone()[0]
    assert sent_at[:10] == today.isoformat()
    assert Window.for_run(today).label == "2026-02-01 to 2026-02-07"
