"""``frtrack poll``: one look at the public-inspection desk, and the alerts it brings.

The desk (``current.json``) is where a rule appears first, from about 8:45 a.m.
Eastern the business day before publication (special filings at other times).
A poll that finds nothing new costs ONE request:

1. a conditional GET (``If-None-Match`` / ``If-Modified-Since`` from the HTTP
   layer's validator cache): a 304 means nothing changed;
2. when the server ignores both and answers 200, the desk's own stamps
   (``regular_filings_updated_at``, ``special_filings_updated_at`` and the
   document numbers listed) are compared with the last poll's;
3. when it sends no stamps either, the body's sha256 is;
4. a desk that changed only in other agencies' filings (they file all day) is
   idle too: the watched agencies' entries are hashed and compared.

Only a changed desk is processed: new filings stored with their raw text,
filings that left the desk unpublished marked withdrawn, and the engine's
derivation run (under a ``runs`` row with trigger ``poll``, so the status log
says which poll moved a change). Then, changed or not, the alerts owed are
sent (``pipeline.alerts``): a failed send from the last poll is retried.

Outside ``schedule.poll_window`` on a federal business day (``pipeline.
business_days``) a poll does nothing, not even open the database — so cron
can run ``frtrack poll`` every 10 minutes around the clock. A poll holds the
database lock (``pipeline.lock``) throughout, so it never overlaps a run.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from parsers.errors import FrtrackError
from pipeline import clock
from pipeline.alerts import AlertReport, deliver
from pipeline.business_days import in_window
from pipeline.config import Settings, parse_poll_window
from pipeline.engine import derive
from pipeline.lock import db_lock, mark_interrupted_runs
from pipeline.sources.http import Http
from pipeline.sources.public_inspection import _slugs, desk_stamps, desk_url, process_desk
from store.db import open_db, utcnow
from store.enums import PollStatus, RunStatus, Source
from store.runs import PollResult, finish_poll, finish_run, link_poll_run, record_source_fetch, start_poll, start_run
from store.watermarks import get_json_watermark, set_watermarks

log = logging.getLogger(__name__)

WATERMARK = "public_inspection:poll"    # the last processed desk: stamps, numbers and body sha256


@dataclass
class PollReport:
    """What one poll did, for the CLI line, the scheduler log and the exit code."""

    poll_id: int | None
    status: PollStatus
    requests: int = 0
    note: str = ""
    new_documents: int = 0
    withdrawn: list[str] = field(default_factory=list)
    status_moves: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)
    alerts: AlertReport = field(default_factory=AlertReport)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not PollStatus.FAILED and self.alerts.ok

    def summary(self) -> str:
        head = f"poll {self.poll_id}: " if self.poll_id else "poll: "
        req = f"{self.requests} request{'s' if self.requests != 1 else ''}"
        lines = [f"{head}{self.status.value} ({req}{'; ' + self.note if self.note else ''})"]
        if self.new_documents:
            lines.append(f"  {self.new_documents} new public-inspection document{'s' if self.new_documents != 1 else ''}")
        lines += [f"  withdrawn from public inspection before publication: FR Doc. {n}" for n in self.withdrawn]
        lines += [f"  change: {m}" for m in self.status_moves]
        lines += [f"  needs review: {r}" for r in self.review]
        if self.alerts.sent or self.alerts.failed or self.alerts.abandoned:
            lines.append(f"  alerts: {self.alerts.summary()}")
            lines += [f"    sent {s}" for s in self.alerts.sent]
        if self.error:
            lines.append(f"  error: {self.error}")
        return "\n".join(lines)


def _today(local: datetime) -> date:
    pinned = os.environ.get("FRTRACK_TODAY")
    return date.fromisoformat(pinned) if pinned else local.date()


def poll_window_note(settings: Settings) -> str:
    return (f"outside the poll window {settings.schedule.poll_window} {settings.schedule.timezone}"
            " on federal business days")


def in_poll_window(settings: Settings, moment: datetime) -> bool:
    start, end = parse_poll_window(settings.schedule.poll_window, path=settings.path)
    return in_window(moment, start, end, ZoneInfo(settings.schedule.timezone))


def poll_once(settings: Settings, db_path: str | os.PathLike[str], *, now: datetime | None = None,
              force: bool = False, sleep: Callable[[float], None] = time.sleep) -> PollReport:
    """One poll and its alerts. Raises LockHeldError when a run holds the database."""

    now = now or clock.now()
    if not force and not in_poll_window(settings, now):
        return PollReport(None, PollStatus.SKIPPED, note=poll_window_note(settings))
    today = _today(now.astimezone(ZoneInfo(settings.schedule.timezone)))
    started = time.monotonic()
    with db_lock(db_path):
        db = open_db(db_path, clock=clock.Clock(today))
        try:
            poll_id = start_poll(db, _stamp(now))
            report = PollReport(poll_id, PollStatus.RUNNING)
            http = Http(settings.sources, db, sleep=sleep)
            try:
                _look(http, db, settings, report, today=today, now=now)
            except FrtrackError as exc:
                report.status, report.error = PollStatus.FAILED, f"{type(exc).__name__}: {exc}"
                log.error("poll: public inspection failed: %s", exc)
            finally:
                report.requests = http.requests
                http.close()
            report.alerts = deliver(settings, db, today=today, sleep=sleep)
            elapsed = timedelta(seconds=time.monotonic() - started)
            finish_poll(db, poll_id, PollResult(
                finished_at=_stamp(now + elapsed), status=report.status, requests=report.requests,
                new_documents=report.new_documents, withdrawn=len(report.withdrawn),
                alerts_sent=len(report.alerts.sent),
                alerts_failed=len(report.alerts.failed) + len(report.alerts.abandoned),
                note=report.note or None, error=report.error))
            return report
        finally:
            db.close()


def _stamp(moment: datetime) -> str:
    """UTC ISO seconds, the store's form; from the poll's (possibly pinned) clock, so status compares like with like."""
    return moment.astimezone(ZoneInfo("UTC")).isoformat(timespec="seconds")


def unchanged(resp: Any, last: dict[str, Any] | None) -> str | None:
    """Why the desk is the one already processed (the note of an idle poll), or None when it changed."""
    if resp.not_modified:
        return "304 Not Modified"
    if last is None:
        return None
    stamps = desk_stamps(resp.data)
    if (stamps["regular_filings_updated_at"] or stamps["special_filings_updated_at"]) and all(
            last.get(k) == v for k, v in stamps.items()):
        return "same filing stamps"
    if resp.sha256 == last.get("sha256"):
        return "same body"
    return None


def watched_digest(data: Any, settings: Settings) -> str:
    """The part of the desk frtrack acts on: the watched agencies' entries (other agencies file all day)."""
    watched = set(settings.watch.agencies) | set(settings.watch.itar_agencies)
    mine = sorted((d for d in (data.get("results") or []) if isinstance(d, dict) and watched & set(_slugs(d))),
                  key=lambda d: str(d.get("document_number")))
    return hashlib.sha256(json.dumps(mine, sort_keys=True).encode()).hexdigest()


def _look(http: Http, db: Database, settings: Settings, report: PollReport, *, today: date, now: datetime) -> None:
    if not settings.watch.public_inspection:
        report.status, report.note = PollStatus.IDLE, "watch.public_inspection is off: owed alerts only"
        return
    resp = http.get_json(desk_url(settings), source=Source.PUBLIC_INSPECTION)
    last = get_json_watermark(db, WATERMARK)
    why = unchanged(resp, last)
    if why is not None:
        report.status, report.note = PollStatus.IDLE, why
        return
    data = resp.data if isinstance(resp.data, dict) else {}
    watched = watched_digest(data, settings)
    mark = {**desk_stamps(data), "sha256": resp.sha256, "watched": watched}
    if last is not None and last.get("watched") == watched:
        set_watermarks(db, {WATERMARK: json.dumps(mark)}, None)
        report.status, report.note = PollStatus.IDLE, "the desk changed, nothing of the watched agencies did"
        return

    mark_interrupted_runs(db)
    run_id = start_run(db, today=today.isoformat(), trigger="poll", pid=os.getpid())
    if report.poll_id is not None:
        link_poll_run(db, report.poll_id, run_id)
    http.run_id = run_id
    fetched_at = utcnow(db)
    try:
        report.new_documents, report.withdrawn = process_desk(http, db, settings, resp.data,
                                                              api_sha256=resp.sha256, run_id=run_id)
        derived = derive(db, today=today, run_id=run_id)
    except Exception as exc:   # record the failed run, then let the poll report it
        finish_run(db, run_id, RunStatus.FAILED, f"poll: {type(exc).__name__}: {exc}")
        _fetch_row(db, run_id, fetched_at, http, ok=False, error=f"{type(exc).__name__}: {exc}")
        raise
    report.status_moves, report.review = derived.status_moves, derived.review
    ok = not derived.parse_failures
    error = "; ".join(derived.parse_failures) or None
    finish_run(db, run_id, RunStatus.OK if ok else RunStatus.FAILED, error)
    _fetch_row(db, run_id, fetched_at, http, ok=True, new=report.new_documents)
    set_watermarks(db, {WATERMARK: json.dumps(mark), "public_inspection": today.isoformat()}, run_id)
    report.status, report.note = PollStatus.CHANGED, "the desk changed"
    if error:
        report.error = error


def _fetch_row(db: Database, run_id: int, started: str, http: Http, *, ok: bool, new: int = 0,
               error: str | None = None) -> None:
    """The source-health row (`frtrack status`, the digest): public inspection was fetched by this poll."""
    record_source_fetch(db, run_id=run_id, source=Source.PUBLIC_INSPECTION, ok=ok, started_at=started,
                        requests=http.requests, new_items=new, error=error)


def deliver_pending(settings: Settings, db_path: str | os.PathLike[str], *, today: date | None = None,
                    sleep: Callable[[float], None] = time.sleep) -> AlertReport:
    """Send the alerts a run produced (the daemon calls this after each scheduled run)."""
    if not Path(db_path).exists():
        return AlertReport()
    today = today or clock.today()
    with db_lock(db_path):
        db = open_db(db_path, clock=clock.Clock(today))
        try:
            return deliver(settings, db, today=today, sleep=sleep)
        finally:
            db.close()
