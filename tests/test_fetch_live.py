"""Smoke test against the real federalregister.gov and ecfr.gov (``pytest -m live``; needs a network).

Skipped by default (pyproject addopts). It checks that the API facts the fetchers rely on
still hold: the search accepts our conditions and fields[], titles.json has
up_to_date_as_of, and the versions list names the tracked supplement; and that
one real version of § 744.21 and of Supplement No. 4 to part 744 (the Entity
List), asked for the way the fetcher asks (``version_params``/``full_params``),
parses (issue 15).
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from parsers.detect import parse_file
from parsers.model import DocumentKind
from pipeline.config import Tracked, settings_from_dict
from pipeline.derive.units import unit_of
from pipeline.fetch import fetch_all
from pipeline.sources.ecfr import full_params, is_unit, version_params
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


# the config's default units (the kinds are the registry's ListKind values)
SECTION_744_21 = next(t for t in settings_from_dict({}, environ={}).watch.tracked if t.kind == "744.21")
ENTITY_LIST = next(t for t in settings_from_dict({}, environ={}).watch.tracked if t.kind == "entity_list")


def newest_real_version(fresh_db, unit: Tracked) -> tuple[str, bytes]:
    """(date, XML) of the newest version of ``unit`` the versions list names, not after up_to_date_as_of.

    The URLs are the fetcher's: ``/versions/title-15.json?part=744[&section=744.21]``, then
    ``/full/{date}/title-15.xml?part=744&section=744.21`` or ``...&appendix=Supplement No. 4 to Part 744``.
    """
    settings = settings_from_dict({}, environ={})
    http = Http(settings.sources, fresh_db)
    base = settings.sources.ecfr_api_base
    titles = http.get_json(f"{base}/titles.json", source=Source.ECFR).data
    upto = next(t for t in titles["titles"] if t["number"] == unit.title)["up_to_date_as_of"]
    versions = http.get_json(f"{base}/versions/title-{unit.title}.json", version_params(unit),
                             source=Source.ECFR).data["content_versions"]
    dates = sorted({v["date"] for v in versions if is_unit(v, unit) and not v.get("removed") and v["date"] <= upto})
    assert dates, f"no content_versions entry names {unit.key}"
    xml = http.get_xml(f"{base}/full/{dates[-1]}/title-{unit.title}.xml", full_params(unit), source=Source.ECFR)
    return dates[-1], xml.body


def test_a_real_744_21_version_parses(fresh_db):
    day, xml = newest_real_version(fresh_db, SECTION_744_21)
    kind, sections = parse_file(xml, f"744.21 as of {day}")
    assert kind is DocumentKind.SECTIONS_744
    [s21] = [s for s in sections if s.section == "744.21"]
    assert {"Russia", "Venezuela"} <= set(s21.countries) and len(s21.countries) > 2, (s21.countries, s21.problems)
    unit = unit_of(SECTION_744_21.kind)         # and the tracked unit the engine derives it with reads the same
    assert {c for c, _ in unit.summarize(unit.parse_version(xml, day)).state} == set(s21.countries)


def test_a_real_entity_list_version_parses(fresh_db):
    day, xml = newest_real_version(fresh_db, ENTITY_LIST)
    kind, table = parse_file(xml, f"Supplement No. 4 to part 744 as of {day}")
    assert kind is DocumentKind.ENTITY_LIST
    assert len(table.entries) > 1000, (len(table.entries), table.problems[:5])
    assert {"China (PRC)", "Russia", "Iran"} <= {e.destination for e in table.entries}
    assert all(e.name for e in table.entries)
    unit = unit_of(ENTITY_LIST.kind)
    assert len(unit.summarize(unit.parse_version(xml, day)).state) == len(table.entries)
