"""Smoke test against the real federalregister.gov and ecfr.gov (``pytest -m live``; needs a network).

Skipped by default (pyproject addopts). It checks that the API facts the fetchers rely on
still hold: the search accepts our conditions and fields[], titles.json has
up_to_date_as_of, and the versions list names the tracked supplement.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from pipeline.config import settings_from_dict
from pipeline.fetch import fetch_all
from pipeline.sources.ecfr import is_unit
from pipeline.sources.http import Http
from store.enums import Source

pytestmark = pytest.mark.live


def test_real_apis_answer_as_the_fetchers_expect(fresh_db):
    settings = settings_from_dict({"watch": {"since": (date.today() - timedelta(days=30)).isoformat()}}, environ={})
    run_id = fresh_db.execute("INSERT INTO runs (started_at, status, today) VALUES (datetime('now'), 'running',"
                              " date('now'))").lastrowid
    outcomes = fetch_all(settings, fresh_db, run_id=run_id, today=date.today())
    failed = [o for o in outcomes if not o.ok]
    assert not failed, failed
    assert {o.source for o in outcomes} >= {Source.FEDERAL_REGISTER, Source.PUBLIC_INSPECTION, Source.ECFR}


def test_ecfr_versions_name_the_tracked_supplement(fresh_db):
    settings = settings_from_dict({}, environ={})
    http = Http(settings.sources, fresh_db)
    titles = http.get_json(f"{settings.sources.ecfr_api_base}/titles.json", source=Source.ECFR).data
    t15 = next(t for t in titles["titles"] if t["number"] == 15)
    assert t15["up_to_date_as_of"]
    versions = http.get_json(f"{settings.sources.ecfr_api_base}/versions/title-15.json", {"part": "740"},
                             source=Source.ECFR).data["content_versions"]
    supp = settings.watch.tracked[0]
    assert any(is_unit(v, supp) for v in versions), "no content_versions entry names Supplement No. 1 to Part 740"
