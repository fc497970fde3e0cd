"""Incremental run with nothing new: HTTP requests made and wall time, against the replay server.

Baseline measured in the same run: the full backfill run of the last
timeline stage from an empty database (every document and version new).
Target: at most 3 requests when nothing is new.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._machine import describe
from pipeline.demo.data.replay_dir import write_replay_dir
from pipeline.demo.data.timeline import build_timeline
from pipeline.demo.replay import ReplayServer
from pipeline.demo.run import demo_settings
from pipeline.run import run_once


def main() -> dict[str, float]:
    print(f"# incremental run — {describe()}")
    stages = build_timeline()
    last = len(stages) - 1
    with tempfile.TemporaryDirectory() as tmp, ReplayServer(write_replay_dir(stages, Path(tmp) / "r")) as server:
        settings = demo_settings(server.url)
        db = Path(tmp) / "f.db"
        server.set_stage(last)
        server.reset_log()
        t0 = time.perf_counter()
        full = run_once(settings, db, today=stages[last].today)
        full_s = time.perf_counter() - t0
        full_requests = len(server.requests)
        server.reset_log()
        t0 = time.perf_counter()
        again = run_once(settings, db, today=stages[last].today)
        inc_s = time.perf_counter() - t0
        inc_requests = len(server.requests)
        paths = sorted({r.path for r in server.requests})
    assert full.ok and again.ok
    print(f"{'run':<28} {'requests':>9} {'wall s':>8}")
    print(f"{'backfill (baseline)':<28} {full_requests:>9} {full_s:>8.3f}")
    print(f"{'nothing new':<28} {inc_requests:>9} {inc_s:>8.3f}")
    print(f"nothing-new run: {inc_requests} requests (target <= 3), {inc_s / full_s:.2f}x the backfill's wall time;"
          f" asked: {', '.join(paths)}")
    return {"requests": inc_requests, "ratio": inc_s / full_s}


if __name__ == "__main__":
    main()
