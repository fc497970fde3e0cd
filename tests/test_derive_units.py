"""The tracked-unit registry: what each unit carries, and that it agrees with the config, templates and parsers."""
from __future__ import annotations

import importlib
from datetime import date
from importlib import resources
from pathlib import Path

from parsers.fr_xml import parse_fr_xml
from parsers.model import CfrPart, ListKind
from pipeline import config
from pipeline.demo import synth
from pipeline.derive import units
from pipeline.derive.units import REGISTRY, TrackedUnit, unit_of, units_cited
from pipeline.derive.units.country_groups import UNIT as COUNTRY_GROUPS
from pipeline.derive.units.itar_126_1 import UNIT as ITAR
from tests.conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[1]


def test_country_groups_and_126_1_are_the_registered_units_one_per_kind():
    assert [u.kind for u in REGISTRY] == [ListKind.COUNTRY_GROUPS, ListKind.ITAR_126_1]
    assert all(isinstance(u, TrackedUnit) for u in REGISTRY)
    assert unit_of("country_groups") is COUNTRY_GROUPS and unit_of(ListKind.ITAR_126_1) is ITAR
    assert unit_of("entity_list") is None


def test_each_unit_is_the_unit_the_config_fetches_under_the_same_kind_and_label():
    """ecfr_versions.unit and .kind are written by the fetcher from the config's Tracked units."""
    tracked = {t.kind: t for t in config.Watch().tracked}
    for unit in REGISTRY:
        t = tracked[unit.kind.value]
        assert (t.title, t.part, t.appendix, t.section) == (unit.ecfr.title, unit.ecfr.part, unit.ecfr.appendix,
                                                            unit.ecfr.section)
        assert t.key == unit.ecfr.label


def test_every_template_a_unit_names_exists():
    site = resources.files("templates").joinpath("site")
    named = [t for u in REGISTRY for _role, t in u.renderers.pages]
    assert named and all(site.joinpath(t).is_file() for t in named), named


def test_each_unit_is_one_module_of_the_package():
    modules = {p.stem for p in (ROOT / "pipeline/derive/units").glob("*.py")} - {"__init__"}
    assert modules == {"country_groups", "itar_126_1"}
    # each defines its UNIT, and the registry holds every one
    assert {importlib.import_module(f"pipeline.derive.units.{name}").UNIT for name in modules} == set(REGISTRY)
    assert "one module here plus one entry in ``REGISTRY``" in units.__doc__


def test_the_country_group_unit_parses_summarizes_and_interprets():
    xml = (FIXTURES / "ecfr_supp1_2021-12-09_cambodia_d5_added.xml").read_bytes()
    summary = COUNTRY_GROUPS.summarize(COUNTRY_GROUPS.parse_version(xml, "fixture"))
    assert ("Cambodia", "D:5") in summary.state and summary.table is not None
    assert {c.code for c in summary.columns} >= {"A:1", "B", "D:5", "E:2"}
    assert all(isinstance(e, tuple) and len(e) == 2 for e in summary.state)   # the declared state type

    [doc] = parse_fr_xml((FIXTURES / "fr_2022-belarus_a4_to_d.xml").read_bytes(), "fixture")
    reading = COUNTRY_GROUPS.interpret(doc, lambda: b"")
    found = reading.instructions
    assert reading.review == () and found and all(i.instruction.part == "740" and i.operations for i in found)
    assert {i.instruction.index for i in found} <= {i.index for i in doc.instructions}


def test_the_126_1_unit_summarizes_to_countries_and_takes_no_instructions():
    xml = synth.itar_126_1_xml(["Cuba", "Iran", "North Korea"], date(2024, 1, 2))
    summary = ITAR.summarize(ITAR.parse_version(xml, "fixture"))
    assert {c for c, _ in summary.state} >= {"Cuba", "Iran"} and {g for _, g in summary.state} == {"126.1"}
    assert ITAR.interpret is None and not ITAR.produces_changes and summary.table is None


def test_a_document_citing_a_units_part_finds_the_unit():
    assert units_cited(CfrPart.from_api_list([{"title": 15, "part": 740}])) == (COUNTRY_GROUPS,)
    assert units_cited([CfrPart(22, "126")]) == (ITAR,)
    assert units_cited([CfrPart(15, "744")]) == ()
    assert COUNTRY_GROUPS.ecfr.path == "title-15/part-740/appendix-Supplement%20No.%201%20to%20Part%20740"
    assert ITAR.ecfr.path == "title-22/section-126.1"


def test_the_watched_range_test_is_written_once():
    """The fetcher, the digest and the units all call in_cfr_ranges; none compares part numbers itself."""
    callers = ["pipeline/sources/federal_register.py", "pipeline/publish/digest.py", "pipeline/publish/site.py",
               "pipeline/derive/units/__init__.py"]
    for path in callers:
        text = (ROOT / path).read_text()
        assert "in_cfr_ranges" in text or "units_cited" in text, path
        assert "first_last[0] <=" not in text and '("15", "740")' not in text and "part.isdigit()" not in text, path
    assert "TRACKED_PART" not in (ROOT / "pipeline/engine.py").read_text()
