"""Benchmark: render the static site over 10,000 synthetic change events.

Prints wall times and ratios against a baseline measured in the same run: the
same change rows serialised with a bare ``json.dumps`` plus one minimal Jinja2
table page -- the least any renderer of this data must do. Targets: full render
< 10 s; a re-render after one new change rewrites a handful of files.

    python benchmarks/bench_site.py [--changes 10000]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from jinja2 import Environment

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.publish.site import render_site
from store import queries as q
from store.db import open_db

GROUPS = ["A:1", "A:2", "A:3", "A:4", "A:5", "A:6", "B", "D:1", "D:2", "D:3", "D:4", "D:5", "E:1", "E:2"]
NOW = "2026-02-24T12:00:00+00:00"
START = date(1990, 1, 1)


def synthesize(db, n_changes: int, n_countries: int = 200, per_doc: int = 10, per_version: int = 100) -> None:
    """Alternating add/remove events per (country, group), memberships and eCFR versions that agree."""
    countries = [f"Country {i:03d}" for i in range(n_countries)]
    pairs = [(c, g) for c in countries for g in GROUPS]
    docs, changes, logs, versions = [], [], [], []
    members: list[tuple[str, str, str, str | None, str, str | None]] = []   # an open membership has no end
    open_from: dict[tuple[str, str], tuple[str, str]] = {}
    for i in range(n_changes):
        country, grp = pairs[i % len(pairs)]
        added = (i // len(pairs)) % 2 == 0
        day = (START + timedelta(days=i)).isoformat()
        first = i - i % per_doc
        doc = f"{1990 + first // 365}-{i // per_doc:05d}"
        if i % per_doc == 0:
            docs.append((doc, "Rule", f"Revision of Country Groups, part {i // per_doc}", "Final rule.", day, day, day,
                         f"{i // 365} FR {i}", '["industry-and-security-bureau"]', '[{"title": 15, "part": 740}]', "ok"))
        action = "added" if added else "removed"
        changes.append((i + 1, f"{country}|{grp}|{action}|fr:{doc}", country, grp, action, day, "confirmed", doc,
                        day, NOW, NOW))
        logs.append((i + 1, "confirmed", NOW))
        if added:
            open_from[(country, grp)] = (day, doc)
        else:
            vf, by = open_from.pop((country, grp))
            members.append((country, grp, vf, day, by, doc))
        if i % per_version == 0:
            versions.append(("15 CFR Supplement No. 1 to Part 740", "country_groups", day, day, "ok"))
    for (country, grp), (vf, by) in open_from.items():
        members.append((country, grp, vf, None, by, None))
    with db.atomic():
        db.conn.executemany("INSERT INTO group_columns (code, name, table_name) VALUES (?,?,?)",
                            [(g, f"Column {g}", f"Country Group {g[0]}") for g in GROUPS])
        db.conn.executemany(
            "INSERT INTO fr_documents (document_number, doc_type, title, action, publication_date, effective_on,"
            " effective_date, citation, agencies, cfr_references, parse_status) VALUES (?,?,?,?,?,?,?,?,?,?,?)", docs)
        db.conn.executemany(
            "INSERT INTO changes (id, change_key, country, group_code, action, effective_date, status, fr_document,"
            " ecfr_version, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)", changes)
        db.conn.executemany("INSERT INTO change_status_log (change_id, status, at) VALUES (?,?,?)", logs)
        db.conn.executemany("INSERT INTO memberships (country, group_code, valid_from, valid_to, opened_by_document,"
                            " closed_by_document) VALUES (?,?,?,?,?,?)", members)
        db.conn.executemany("INSERT INTO ecfr_versions (unit, kind, date, amendment_date, parse_status)"
                            " VALUES (?,?,?,?,?)", versions)


BASELINE_TEMPLATE = """<!DOCTYPE html><html><body><table>
{% for c in rows %}<tr><td>{{ c.effective_date }}</td><td>{{ c.country }}</td><td>{{ c.group }}</td>
<td>{{ c.action }}</td><td>{{ c.status }}</td><td>{{ c.fr_document }}</td></tr>
{% endfor %}</table></body></html>"""


def baseline(db, out: Path) -> float:
    """The floor: fetch the rows, dump them as JSON and as one HTML table."""
    t = time.perf_counter()
    rows = q.list_changes(db)
    (out / "changes.json").write_text(json.dumps([q.change_json(r) for r in rows]))
    tpl = Environment(autoescape=True).from_string(BASELINE_TEMPLATE)
    (out / "index.html").write_text(tpl.render(rows=rows))
    return time.perf_counter() - t


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return (f"{platform.platform()}; {cpu}; {os.cpu_count()} CPUs; load {load}; "
            f"Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}")


def timed(fn, *args, **kw):
    t = time.perf_counter()
    result = fn(*args, **kw)
    return time.perf_counter() - t, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--changes", type=int, default=10_000)
    args = ap.parse_args()
    today = START + timedelta(days=args.changes + 30)
    with tempfile.TemporaryDirectory(prefix="frtrack-bench-") as tmp:
        tmp_path = Path(tmp)
        db = open_db(tmp_path / "bench.db")
        synthesize(db, args.changes)
        (tmp_path / "base").mkdir()
        base = min(baseline(db, tmp_path / "base") for _ in range(3))
        # Best of 3 where the state allows repeating: a shared machine's noise only ever adds time.
        runs = [timed(render_site, db, tmp_path / f"fresh{i}", today=today) for i in range(3)]
        full, r1 = min(runs, key=lambda r: r[0])
        out = tmp_path / "fresh0"
        same, r2 = min((timed(render_site, db, out, today=today) for _ in range(3)), key=lambda r: r[0])
        db.execute("INSERT INTO changes (change_key, country, group_code, action, effective_date, status, fr_document,"
                   " created_at, updated_at) VALUES ('Country 007|E:2|added|fr:1990-00003', 'Country 007', 'E:2',"
                   " 'added', '1990-02-01', 'published', '1990-00003', ?, ?)", [NOW, NOW])
        one, r3 = timed(render_site, db, out, today=today)
        nextday, r4 = timed(render_site, db, out, today=today + timedelta(days=1))
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        print(f"machine: {machine()}")
        print(f"data: {args.changes} changes, {len(q.known_countries(db))} countries, "
              f"{len(q.documents(db))} FR documents, {len(q.ecfr_version_dates(db))} eCFR versions")
        print(f"baseline (json.dumps + one minimal Jinja2 table page): {base:.3f} s")
        print(f"full render (best of 3):   {full:7.3f} s  {full / base:6.1f}x baseline  "
              f"{r1.pages} pages, {r1.files} files, {size / 1e6:.1f} MB  (target < 10 s)")
        print(f"re-render, nothing new:    {same:7.3f} s  {same / base:6.1f}x baseline  "
              f"{len(r2.written)} written, {r2.unchanged} unchanged")
        print(f"re-render, one new change: {one:7.3f} s  {one / base:6.1f}x baseline  "
              f"{len(r3.written)} written ({', '.join(sorted(r3.written))}), {r3.unchanged} unchanged")
        print(f"re-render, next day:       {nextday:7.3f} s  {nextday / base:6.1f}x baseline  "
              f"{len(r4.written)} written (every page carries the generation date), {r4.unchanged} unchanged")
        db.close()


if __name__ == "__main__":
    main()
