"""Idle public-inspection polls: requests and wall time of 54 polls (a business day at 10 minutes).

Baseline measured in the same run: one full run of the last timeline stage
from an empty database (every document and version new), and the run with
nothing new. The polls run against the same replay server twice: once with
a desk that sends a weak ETag (the 304 path, as federalregister-api-core's
Rails stack does), once with a desk that ignores conditional requests (the
stamps / body-hash fallback). Each idle poll also plans the alerts owed for
one recipient (the ledger and the status log are read every time).
Target: one request per idle poll.
"""
from __future__ import annotations

import json
import logging
import socket
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._machine import describe
from pipeline.config import Recipient
from pipeline.demo.data.replay_dir import write_replay_dir
from pipeline.demo.data.timeline import build_timeline
from pipeline.demo.replay import ReplayServer
from pipeline.demo.run import demo_settings
from pipeline.poll import poll_once
from pipeline.run import run_once

POLLS = 54
DESK = "/api/v1/public-inspection-documents/current.json"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _polls(server: ReplayServer, settings, db: Path, day) -> tuple[int, float, list[str]]:
    start = datetime.combine(day, datetime.min.time(), ZoneInfo("America/New_York")).replace(hour=8, minute=40)
    poll_once(settings, db, now=start - timedelta(minutes=10), force=True, sleep=lambda s: None)   # the first look
    server.reset_log()
    notes = set()
    t0 = time.perf_counter()
    for i in range(POLLS):
        report = poll_once(settings, db, now=start + timedelta(minutes=10 * i), force=True, sleep=lambda s: None)
        notes.add(f"{report.status.value}: {report.note}")
    return len(server.requests), time.perf_counter() - t0, sorted(notes)


def main() -> dict[str, float]:
    logging.basicConfig(level=logging.ERROR)   # the one refused alert of the first poll is expected
    print(f"# idle public-inspection polls — {describe()}")
    stages = build_timeline()
    last = len(stages) - 1
    with tempfile.TemporaryDirectory() as tmp, ReplayServer(write_replay_dir(stages, Path(tmp) / "r")) as server:
        settings = demo_settings(server.url)
        settings = replace(settings, recipients=(Recipient(email="analyst@example.com"),),
                           smtp=replace(settings.smtp, host="127.0.0.1", port=_closed_port(), security="plain"),
                           alerts=replace(settings.alerts, retries=0, max_attempts=1))
        db = Path(tmp) / "f.db"
        server.set_stage(last)
        server.reset_log()
        t0 = time.perf_counter()
        full = run_once(settings, db, today=stages[last].today)
        full_s, full_requests = time.perf_counter() - t0, len(server.requests)
        server.reset_log()
        t0 = time.perf_counter()
        again = run_once(settings, db, today=stages[last].today)
        inc_s, inc_requests = time.perf_counter() - t0, len(server.requests)
        assert full.ok and again.ok
        server.reset_log()
        t0 = time.perf_counter()
        for _ in range(POLLS):
            run_once(settings, db, today=stages[last].today)
        runs_s, runs_requests = time.perf_counter() - t0, len(server.requests)

        fallback_requests, fallback_s, fallback_notes = _polls(server, settings, db, stages[last].today)
        body = json.loads((Path(tmp) / "r" / "bodies" / f"pi-current-{last}.json").read_text())
        server.add_entry(DESK, json_body=body, headers={"ETag": 'W/"bench-desk-1"'}, first=True)
        etag_requests, etag_s, etag_notes = _polls(server, settings, db, stages[last].today)

    print(f"{'what':<44} {'requests':>9} {'wall s':>8} {'ratio':>7}")
    print(f"{'full run, empty database (baseline)':<44} {full_requests:>9} {full_s:>8.3f} {1:>7.2f}")
    print(f"{'run with nothing new':<44} {inc_requests:>9} {inc_s:>8.3f} {inc_s / full_s:>7.2f}")
    print(f"{f'{POLLS} runs with nothing new (polling by run)':<44} {runs_requests:>9} {runs_s:>8.3f} "
          f"{runs_s / full_s:>7.2f}")
    print(f"{f'{POLLS} idle polls, server sends an ETag (304)':<44} {etag_requests:>9} {etag_s:>8.3f} "
          f"{etag_s / full_s:>7.2f}")
    print(f"{f'{POLLS} idle polls, server ignores conditionals':<44} {fallback_requests:>9} {fallback_s:>8.3f} "
          f"{fallback_s / full_s:>7.2f}")
    print(f"per idle poll: {etag_requests / POLLS:.2f} request(s) (target 1), {etag_s / POLLS * 1000:.1f} ms with "
          f"an ETag, {fallback_s / POLLS * 1000:.1f} ms without; polls said: {', '.join(etag_notes + fallback_notes)}")
    print(f"a day of idle polls against a day of nothing-new runs: {etag_requests}/{runs_requests} requests, "
          f"{etag_s / runs_s:.2f}x the time")
    return {"requests_per_poll": etag_requests / POLLS, "day_ratio": etag_s / full_s}


if __name__ == "__main__":
    main()
