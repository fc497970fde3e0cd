"""Backfill scale: derive history over synthetic eCFR histories of 100 and 1,000 versions.

Timing and memory are measured in two separate derivations (tracemalloc
would slow the timed one).

Each version is a 200-country Supplement No. 1 differing from the previous
one by a membership or two. Prints time per version for both lengths (it
must not grow with history length), the ratio against a bare lxml parse of
the same XML (baseline measured in the same run), and peak memory of the
derivation (tracemalloc; target under 200 MB for 1,000 versions).

Then the same for the Entity List (issue 15): histories of 20 and 100
versions of a 3,000-entry Supplement No. 4 to part 744 (invented "(SAMPLE)"
entries under real destinations), each version adding two entries, removing
one and revising one, and each derivation parsing every version once (the
run's ParseCache keeps one summary per XML sha; ``parses`` counts them).
Time per version must not grow with the history (ratio against the same
run's bare lxml parse of the same bytes).
"""
from __future__ import annotations

import random
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lxml import etree  # noqa: E402

from benchmarks._machine import describe  # noqa: E402
from parsers.model import GROUP_CODES, Column, CountryGroupTable, EntityEntry, Entry, GroupTable  # noqa: E402
from pipeline import engine  # noqa: E402
from pipeline.demo import synth  # noqa: E402
from pipeline.derive import cache as parse_cache  # noqa: E402
from store.blobs import put_blob  # noqa: E402
from store.db import open_db  # noqa: E402


def big_table(n_countries: int, rng: random.Random) -> CountryGroupTable:
    tables = []
    # letters only: trailing digits would read as footnote markers ("Iraq 3")
    names = [f"Country {chr(65 + i // 26 // 26 % 26)}{chr(97 + i // 26 % 26)}{chr(97 + i % 26)}"
             for i in range(n_countries)]
    for letter in "ADE":
        codes = [c for c in GROUP_CODES if c.startswith(letter + ":")]
        rows = tuple(Entry(n, n, tuple((c, rng.random() < 0.3) for c in codes)) for n in names)
        tables.append(GroupTable(f"Country Group {letter}", tuple(Column(c, synth.COLUMN_NAMES.get(c, "")) for c in codes), rows))
    return CountryGroupTable(tuple(tables), b_list=tuple(names[:50]), b_printed=tuple(names[:50]))


def mutate(t: CountryGroupTable, rng: random.Random) -> CountryGroupTable:
    ti = rng.randrange(len(t.tables))
    g = t.tables[ti]
    ri = rng.randrange(len(g.rows))
    row = g.rows[ri]
    ci = rng.randrange(len(row.marks))
    marks = tuple((c, (not m) if i == ci else m) for i, (c, m) in enumerate(row.marks))
    rows = g.rows[:ri] + (replace(row, marks=marks),) + g.rows[ri + 1:]
    tables = t.tables[:ti] + (replace(g, rows=rows),) + t.tables[ti + 1:]
    return replace(t, tables=tables)


def run(n_versions: int, n_countries: int = 200) -> dict[str, float]:
    rng = random.Random(n_versions)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.db")
        table = big_table(n_countries, rng)
        day = date(2000, 1, 1)
        xmls = []
        with db.atomic():
            for _ in range(n_versions):
                xml = synth.ecfr_supplement_xml(table, day)
                xmls.append(xml)
                db.execute("INSERT INTO ecfr_versions (unit, kind, date, xml_sha256, parse_status) VALUES (?,?,?,?,?)",
                           ["15 CFR Supplement No. 1 to Part 740", "country_groups", day.isoformat(),
                            put_blob(db, xml), "pending"])
                table = mutate(table, rng)
                day += timedelta(days=3)
        t0 = time.perf_counter()
        for xml in xmls:
            etree.fromstring(xml)
        bare = time.perf_counter() - t0
        t0 = time.perf_counter()
        report = engine.derive(db, today=day, run_id=None)
        elapsed = time.perf_counter() - t0
        # memory in a second, separate derivation (each run parses afresh: its cache is its own);
        # tracemalloc slows allocation several-fold, so it must not be on while timing
        db.execute("UPDATE ecfr_versions SET parse_status = 'pending'")
        tracemalloc.start()
        engine.derive(db, today=day, run_id=None)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        changes = db.execute("SELECT COUNT(*) FROM changes").fetchone()[0]
        db.close()
    assert not report.parse_failures, report.parse_failures
    return {"versions": n_versions, "total_s": elapsed, "per_version_ms": elapsed / n_versions * 1000,
            "bare_ms": bare / n_versions * 1000, "ratio": elapsed / bare, "peak_mb": peak / 1e6,
            "changes": changes, "mb": sum(map(len, xmls)) / 1e6}


DESTINATIONS = ("China (PRC)", "Russia", "Iran", "Pakistan", "United Arab Emirates", "Turkey", "Belarus", "Burma",
                "Armenia", "Cambodia", "Hong Kong", "Singapore")
ENTITY_POLICY = "For all items subject to the EAR. (See § 744.11 of the EAR)"


def _entity(i: int) -> EntityEntry:
    dest = DESTINATIONS[i % len(DESTINATIONS)]
    aliases = (f"Sample Alias {i}A", f"Sample Alias {i}B") if i % 3 == 0 else ()
    return EntityEntry(dest, dest.upper(), f"Example Entity {i} Trading LLC (SAMPLE)", aliases,
                       f"{i % 500} Invented Street, Sampletown.", ENTITY_POLICY, "Presumption of denial.",
                       (f"99 FR {i % 90000:05d}, 1/2/99",))


def run_entity_list(n_versions: int, n_entries: int = 3000) -> dict[str, float]:
    rng = random.Random(n_versions)
    entries = {i: _entity(i) for i in range(n_entries)}
    counter = [n_entries]
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.db")
        day = date(2018, 1, 2)
        xmls = []
        with db.atomic():
            for _ in range(n_versions):
                xml = synth.entity_list_xml(entries.values(), day)
                xmls.append(xml)
                db.execute("INSERT INTO ecfr_versions (unit, kind, date, xml_sha256, parse_status) VALUES (?,?,?,?,?)",
                           ["15 CFR Supplement No. 4 to Part 744", "entity_list", day.isoformat(),
                            put_blob(db, xml), "pending"])
                for _ in range(2):                      # two added
                    entries[counter[0]] = _entity(counter[0])
                    counter[0] += 1
                del entries[rng.choice(sorted(entries))]  # one removed
                k = rng.choice(sorted(entries))           # one revised
                entries[k] = replace(entries[k], address=f"{rng.randrange(10_000)} Moved Road, Sampletown.")
                day += timedelta(days=14)
        t0 = time.perf_counter()
        for xml in xmls:
            etree.fromstring(xml)
        bare = time.perf_counter() - t0
        parses = [0]
        real = parse_cache.ParseCache.version

        def counted(self, unit, sha, load, name):       # the run's cache: how often a version is really parsed
            def loading() -> bytes:
                parses[0] += 1
                return load()
            return real(self, unit, sha, loading, name)

        setattr(parse_cache.ParseCache, "version", counted)  # noqa: B010 (a method, swapped for the run)
        try:
            t0 = time.perf_counter()
            report = engine.derive(db, today=day, run_id=None)
            elapsed = time.perf_counter() - t0
        finally:
            setattr(parse_cache.ParseCache, "version", real)  # noqa: B010
        changes = db.execute("SELECT COUNT(*) FROM changes").fetchone()[0]
        db.close()
    assert not report.parse_failures, report.parse_failures
    return {"versions": n_versions, "total_s": elapsed, "per_version_ms": elapsed / n_versions * 1000,
            "bare_ms": bare / n_versions * 1000, "ratio": elapsed / bare, "changes": changes,
            "mb": sum(map(len, xmls)) / 1e6, "parses": parses[0]}


def main() -> list[dict[str, float]]:
    print(f"# backfill scale — {describe()}")
    rows = [run(100), run(1000)]
    print(f"{'versions':>9} {'XML MB':>7} {'derive s':>9} {'ms/version':>11} {'bare lxml ms/v':>15} "
          f"{'ratio':>6} {'peak MB':>8} {'changes':>8}")
    for r in rows:
        print(f"{r['versions']:>9} {r['mb']:>7.1f} {r['total_s']:>9.2f} {r['per_version_ms']:>11.2f} "
              f"{r['bare_ms']:>15.2f} {r['ratio']:>5.1f}x {r['peak_mb']:>8.1f} {r['changes']:>8}")
    growth = rows[1]["per_version_ms"] / rows[0]["per_version_ms"]
    normalized = rows[1]["ratio"] / rows[0]["ratio"]
    print(f"time per version, 1,000 vs 100 versions: {growth:.2f}x raw, {normalized:.2f}x against the same-run"
          f" lxml baseline (target: ~1x, no growth);"
          f" peak memory for 1,000 versions: {rows[1]['peak_mb']:.0f} MB (target < 200 MB)")
    print("# Entity List backfill: 3,000 entries, +2 -1 ~1 entries a version")
    el = [run_entity_list(20), run_entity_list(100)]
    print(f"{'versions':>9} {'XML MB':>7} {'derive s':>9} {'ms/version':>11} {'bare lxml ms/v':>15} "
          f"{'ratio':>6} {'parses':>7} {'changes':>8}")
    for r in el:
        print(f"{r['versions']:>9} {r['mb']:>7.1f} {r['total_s']:>9.2f} {r['per_version_ms']:>11.2f} "
              f"{r['bare_ms']:>15.2f} {r['ratio']:>5.1f}x {r['parses']:>7} {r['changes']:>8}")
    print(f"Entity List time per version, 100 vs 20 versions: {el[1]['per_version_ms'] / el[0]['per_version_ms']:.2f}x"
          f" raw, {el[1]['ratio'] / el[0]['ratio']:.2f}x against the same-run lxml baseline (target: ~1x);"
          f" versions parsed per derivation: {el[1]['parses']} of {el[1]['versions']} (target: one each)")
    return rows + el


if __name__ == "__main__":
    main()
