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
