"""Parse caches are bounded and belong to one derive run: a daemon's memory does not grow with what it has seen."""
from __future__ import annotations

import gc
import importlib
import pkgutil
import weakref
from collections.abc import MutableMapping, MutableSequence, MutableSet
from datetime import date

import pipeline.derive
from pipeline import engine
from pipeline.demo import synth
from pipeline.demo.data.load import load_stage_direct
from pipeline.demo.data.timeline import build_timeline
from pipeline.derive.cache import ParseCache
from pipeline.derive.units.country_groups import UNIT as GROUPS
from store.db import open_db
from tests.conftest import FIXTURES

FR = (FIXTURES / "fr_2022-belarus_a4_to_d.xml").read_bytes()


def _counting(data: bytes, calls: list[int]):
    def load() -> bytes:
        calls.append(1)
        return data
    return load


def test_parsed_documents_are_kept_up_to_the_bound_and_parsed_again_after():
    cache, calls = ParseCache(max_documents=2), []
    for sha in ("a", "b", "a", "c"):
        cache.fr_documents(sha, "2022-03-08", _counting(FR, calls), "fixture")
    assert len(calls) == 3 and len(cache) == 2          # "a" was kept while used, then "b" went
    cache.fr_documents("b", "2022-03-08", _counting(FR, calls), "fixture")
    assert len(calls) == 4 and len(cache) == 2


def test_version_summaries_are_bounded_and_share_their_entries():
    cache, calls = ParseCache(max_versions=2), []
    table = synth.default_country_groups()
    xml = synth.ecfr_supplement_xml(table, date(2024, 1, 2))
    first = cache.version(GROUPS, "v1", _counting(xml, calls), "fixture")
    second = cache.version(GROUPS, "v2", _counting(xml, calls), "fixture")
    cache.version(GROUPS, "v3", _counting(xml, calls), "fixture")
    assert len(cache) == 2 and len(calls) == 3
    shared = {id(e) for e in first.state}
    assert all(id(e) in shared for e in second.state)   # one tuple per membership across versions


def _module_state() -> dict[str, int]:
    """Size of every module-level mutable container (and lru_cache) of the engine and the derivation."""
    names = ["pipeline.engine"] + [m.name for m in pkgutil.walk_packages(pipeline.derive.__path__, "pipeline.derive.")]
    sizes = {}
    for name in names:
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if isinstance(value, (MutableMapping, MutableSequence, MutableSet)):
                sizes[f"{name}.{attr}"] = len(value)
            elif hasattr(value, "cache_info") and getattr(value, "__module__", None) == name:
                sizes[f"{name}.{attr}()"] = value.cache_info().currsize
    return sizes


def test_derive_runs_share_no_module_level_cache(tmp_path, monkeypatch):
    caches: list[weakref.ref] = []

    class Recorded(ParseCache):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            caches.append(weakref.ref(self))

    monkeypatch.setattr(engine, "ParseCache", Recorded)
    db = open_db(tmp_path / "t.db")
    timeline = build_timeline()
    load_stage_direct(db, timeline[0])
    engine.derive(db, today=timeline[0].today, run_id=None)
    before = _module_state()
    for stage in timeline[1:]:   # every later stage brings new documents and versions
        load_stage_direct(db, stage)
        engine.derive(db, today=stage.today, run_id=None)
    assert _module_state() == before
    gc.collect()
    assert len(caches) == len(timeline) and all(ref() is None for ref in caches)   # one per run, dropped with it
    db.close()


def test_an_entity_list_version_is_parsed_once_per_sha_in_a_run(tmp_path):
    """A backfill stays linear: each stored Supplement No. 4 XML is parsed once per derivation, however many
    versions share it and however often the run reads it (parse status, then history)."""
    from parsers.model import EntityEntry
    from pipeline.derive.units.entity_list import UNIT as ENTITY_LIST
    from store.blobs import put_blob

    entries = [EntityEntry("Russia", "RUSSIA", f"Example Entity {i} LLC (SAMPLE)", (), f"{i} Invented Street.",
                           "For all items subject to the EAR.", "Policy of denial.", ("99 FR 00001, 1/2/99",))
               for i in range(30)]
    first, second = synth.entity_list_xml(entries, date(2099, 1, 2)), synth.entity_list_xml(entries[1:],
                                                                                               date(2099, 2, 2))
    db = open_db(tmp_path / "t.db")
    for day, xml in (("2099-01-02", first), ("2099-01-20", first), ("2099-02-02", second)):   # two share a sha
        db.execute("INSERT INTO ecfr_versions (unit, kind, date, xml_sha256, parse_status) VALUES (?,?,?,?,?)",
                   ["15 CFR Supplement No. 4 to Part 744", "entity_list", day, put_blob(db, xml), "pending"])
    parsed: list[int] = []

    class Counting(ParseCache):
        def version(self, unit, sha, load, name):
            def loading() -> bytes:
                parsed.append(1)
                return load()
            return super().version(unit, sha, loading, name)

    original = engine.ParseCache
    engine.ParseCache = Counting
    try:
        report = engine.derive(db, today=date(2099, 3, 1), run_id=None)
    finally:
        engine.ParseCache = original
    assert not report.parse_failures and len(parsed) == 2      # two distinct XML files, three versions
    [(entity, status)] = db.execute("SELECT entity, status FROM changes WHERE list = 'entity_list'").fetchall()
    assert (entity, status) == ("Example Entity 0 LLC (SAMPLE)", "unattributed")
    assert ENTITY_LIST.kind.value == "entity_list"
    db.close()
