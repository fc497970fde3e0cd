"""Digest render over a database of 10,000 change events.

Times building and rendering the weekly digest (both parts) for a normal week
and for a heavy window of ~1,000 changes, against a baseline measured in the
same run: the same window's rows fetched and rendered by one minimal Jinja2
template (the least any renderer of this data must do).
"""
from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from jinja2 import Environment

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._machine import describe
from benchmarks.bench_site import BASELINE_TEMPLATE, START, synthesize
from pipeline.config import Recipient, Settings
from pipeline.publish.digest import Window, build_digest, render_digest
from store import queries as q
from store.db import open_db


def best(fn, n: int = 5) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    print(f"# digest render — {describe()}")
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "d.db")
        synthesize(db, 10_000)
        settings, who = Settings(), Recipient(email="analyst@example.com")
        tpl = Environment(autoescape=True).from_string(BASELINE_TEMPLATE)
        print(f"{'window':<28} {'changes':>8} {'baseline ms':>12} {'digest ms':>10} {'ratio':>6}")
        end = START.toordinal() + 10_000   # the synthetic history's last day: nothing is pending
        for label, start, days in (("one week", end - 7, 7), ("heavy: 1,000 days", end - 1000, 1000)):
            first = date.fromordinal(start)
            window = Window(first, date.fromordinal(start + days - 1))
            today = date.fromordinal(start + days)
            n = len(q.list_changes(db, since=window.start, until=window.end))
            base = best(lambda w=window: tpl.render(rows=q.list_changes(db, since=w.start, until=w.end)))
            ours = best(lambda w=window, t=today: render_digest(build_digest(db, settings, w, t), who))
            print(f"{label:<28} {n:>8} {base * 1000:>12.1f} {ours * 1000:>10.1f} {ours / base:>5.1f}x")
        db.close()


if __name__ == "__main__":
    main()
