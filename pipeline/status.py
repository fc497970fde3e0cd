"""``frtrack status``: is the tracker alive and its data fresh?

Built for monitoring as much as for people: ``build_status`` returns a
JSON-ready dict whose ``healthy`` flag drives ``status --check`` (exit 3), and
``problems`` says in words why it is not healthy, so an alert can quote it.
"""
from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from parsers.lifecycle import DivergenceKind
from pipeline import clock
from pipeline.alerts import ledger_summary
from pipeline.business_days import in_window
from pipeline.clock import Clock
from pipeline.config import Schedule, parse_poll_window
from pipeline.publish.wording import plural
from pipeline.triggers import parse_trigger
from store import queries
from store.enums import PollStatus, RunStatus

_RUN_KEYS = ("id", "status", "trigger", "started_at", "finished_at", "error")


def _parse_ts(value: str | None) -> datetime | None:
    """Stored timestamps are UTC ISO strings; a naive one is read as UTC."""
    if not value:
        return None
    try:
        ts = datetime.fromisoformat(value)
    except ValueError:
        return None
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def _age_hours(ts: datetime | None, now: datetime) -> float | None:
    return None if ts is None else round((now - ts).total_seconds() / 3600, 2)


def _run(row: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if row is None else {k: row.get(k) for k in _RUN_KEYS}


def build_status(db: Database, *, max_age_hours: float = 26.0,
                 now: datetime | None = None, schedule: Any = None) -> dict[str, Any]:
    """Summarise runs, per-source freshness, counts and open divergences.

    Not healthy when: no run has finished yet; the last finished run failed or
    was interrupted; or any source that has ever been fetched has no successful
    fetch within ``max_age_hours`` (``stale``). A run still in progress does not
    count against health — the one before it does.
    """
    if now is None:   # FRTRACK_NOW pins the moment; a pinned FRTRACK_TODAY is the day runs were stamped with
        now = clock.now() if os.environ.get("FRTRACK_NOW") else Clock().now()
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    limit = now - timedelta(hours=max_age_hours)
    problems: list[str] = []

    last = queries.last_run(db)
    last_finished = queries.last_finished_run(db)
    last_ok = queries.last_successful_run(db)

    if last is None:
        problems.append("frtrack has never run on this database")
    elif last_finished is None:
        problems.append(f"no run has finished yet (run {last['id']} started {last['started_at']} is still running)")
    elif last_finished["status"] in (RunStatus.FAILED.value, RunStatus.INTERRUPTED.value):
        why = f": {last_finished['error']}" if last_finished.get("error") else ""
        problems.append(f"the last run (id {last_finished['id']}, started {last_finished['started_at']}) "
                        f"{last_finished['status']}{why}")

    stale = False
    sources = []
    for row in queries.source_health(db):
        success = _parse_ts(row.get("last_success"))
        entry = {
            "source": row["source"],
            "last_success": row.get("last_success"),
            "last_failure": row.get("last_failure"),
            "last_error": row.get("last_error"),
            "age_hours": _age_hours(success, now),
            "stale": success is None or success < limit,
        }
        if entry["stale"]:
            stale = True
            if success is None:
                detail = f"; last error: {row['last_error']}" if row.get("last_error") else ""
                problems.append(f"{row['source']}: no successful fetch on record{detail}")
            else:
                problems.append(f"{row['source']}: last successful fetch {row['last_success']} is "
                                f"{entry['age_hours']} h old (limit {max_age_hours:g} h)")
        sources.append(entry)

    # With no fetch rows at all, freshness falls back to the last successful run.
    if not sources and last is not None:
        ok_at = _parse_ts(last_ok.get("finished_at")) if last_ok else None
        if ok_at is None or ok_at < limit:
            stale = True
            problems.append("no successful fetch on record" if ok_at is None or last_ok is None else
                            f"the last successful run finished {last_ok['finished_at']}, "
                            f"more than {max_age_hours:g} h ago")
    if last is None:
        stale = True
    polls = poll_health(db, schedule, now)
    problems += polls["problems"]

    return {
        "checked_at": now.isoformat(timespec="seconds"),
        "max_age_hours": max_age_hours,
        "last_run": _run(last),
        "last_successful_run": _run(last_ok),
        "sources": sources,
        "counts": queries.counts(db),
        "data_as_of": queries.data_as_of(db),
        "open_divergences": queries.divergences(db, open_only=True),
        "pending_divergences": queries.divergences(db, kinds=(DivergenceKind.PENDING,)),
        "standing_divergences": queries.divergences(db, kinds=(DivergenceKind.STANDING,)),
        "suspect_versions": queries.suspect_versions(db),
        "stale": stale,
        "healthy": not problems,
        "problems": problems,
        "polls": {k: v for k, v in polls.items() if k != "problems"},
    }


def format_status(report: dict[str, Any]) -> str:
    """The status report as a few lines for a terminal."""
    lines = [f"frtrack status: {'healthy' if report['healthy'] else 'NOT HEALTHY'}"
             f" (checked {report['checked_at']}, max age {report['max_age_hours']:g} h)"]
    run = report["last_run"]
    if run is None:
        lines.append("last run: never")
    else:
        end = f", finished {run['finished_at']}" if run.get("finished_at") else ""
        err = f" — {run['error']}" if run.get("error") else ""
        lines.append(f"last run: #{run['id']} {run['status']} ({run['trigger']}, started {run['started_at']}{end}){err}")
    if report["sources"]:
        lines.append("sources:")
        for s in report["sources"]:
            ok = s["last_success"] or "never"
            age = f" ({s['age_hours']} h ago)" if s["age_hours"] is not None else ""
            fail = ""
            quoted = bool(s["last_error"]) and any(s["last_error"] in p for p in report["problems"])
            if s["last_failure"] and (not s["last_success"] or s["last_failure"] > s["last_success"]):
                # the error once: here, or in the problems below when they quote it
                fail = f"; last failure {s['last_failure']}" + ("" if quoted else f": {s['last_error'] or 'no message'}")
            lines.append(f"  {s['source']:18} last success {ok}{age}{' STALE' if s['stale'] else ''}{fail}")
    c = report["counts"]
    lines.append(f"data as of: {report['data_as_of'] or 'no data'}")
    lines.append(f"counts: {plural(c['documents'], 'FR document')}, {plural(c['ecfr_versions'], 'eCFR version')}, "
                 f"{plural(c['changes'], 'change')}, {plural(c['public_inspection'], 'public-inspection document')}, "
                 f"{plural(c['review_items'], 'review item')}")
    divs = report["open_divergences"]
    lines.append(f"open divergences (ITAR 126.1 vs EAR D:5): {len(divs)}")
    for d in divs:
        lines.append(f"  {d['country']}: {d['side']} since {d['opened_on']} ({d['moved_first']} moved first)")
    for key, title, fmt in (("pending_divergences", "pending divergences (begin on a future date)",
                             "  {country}: {side} from {opened_on} (pending)"),
                            ("standing_divergences", "standing differences (since the first compared versions)",
                             "  {country}: {side} since {opened_on} (standing)")):
        if report.get(key):
            lines.append(f"{title}: {len(report[key])}")
            lines.extend(fmt.format(**d) for d in report[key])
    if report.get("suspect_versions"):
        lines.append(f"eCFR versions held as suspect (needs review): {len(report['suspect_versions'])}")
        lines.extend(f"  {v['unit']} as of {v['date']}: {v['reason']}" for v in report["suspect_versions"])
    lines.extend(format_polls(report.get("polls")))
    if report["problems"]:
        lines.append("problems:")
        lines.extend(f"  - {p}" for p in report["problems"])
    return "\n".join(lines)


def poll_interval_minutes(schedule: Any, now: datetime) -> float | None:
    """The gap between two scheduled polls (from the trigger itself), None when polling is off."""
    trigger = parse_trigger(schedule.poll, schedule.timezone, "schedule.poll")
    if trigger is None:
        return None
    fires: list[datetime] = []
    t = now
    for _ in range(6):   # the shortest gap: a crontab with hours has a long one at night
        t = trigger.get_next_fire_time(fires[-1] if fires else None, t)
        if t is None:
            break
        fires.append(t)
        t = t + timedelta(seconds=1)
    gaps = [(b - a).total_seconds() / 60 for a, b in pairwise(fires)]
    return min(gaps) if gaps else None


def poll_health(db: Database, schedule: Any, now: datetime) -> dict[str, Any]:
    """The last poll and the alert ledger; a problem when polls stopped during business hours.

    "Stopped" means: polls ran on this database before, it is now inside the
    poll window on a federal business day (for at least three poll intervals),
    and the last successful poll is older than three intervals (15 minutes at
    least). A database that never polled has no poll problem: polling is optional.
    """

    schedule = schedule or Schedule()
    last = queries.last_poll(db)
    good = queries.last_poll(db, (PollStatus.IDLE, PollStatus.CHANGED))
    changed = queries.last_poll(db, (PollStatus.CHANGED,))
    ledger = ledger_summary(db)
    problems: list[str] = []
    interval = poll_interval_minutes(schedule, now)
    limit = max(15.0, 3 * interval) if interval else None
    if last and limit is not None:
        start, end = parse_poll_window(schedule.poll_window)
        tz = ZoneInfo(schedule.timezone)
        settled = now - timedelta(minutes=limit)
        if in_window(now, start, end, tz) and in_window(settled, start, end, tz):
            ok_at = _parse_ts(good["started_at"]) if good else None
            if ok_at is None or ok_at < settled:
                since = f"the last successful poll was {good['started_at']}, " \
                        f"{(now - ok_at).total_seconds() / 60:.0f} min ago" if ok_at and good else "no poll has succeeded"
                problems.append(f"public-inspection polls stopped during business hours: {since} "
                                f"(limit {limit:g} min; last poll {last['status']}"
                                f"{': ' + last['error'] if last.get('error') else ''})")
    if ledger["counts"].get("abandoned"):
        problems.append(f"{ledger['counts']['abandoned']} alert(s) abandoned after every attempt failed "
                        "(see the alert ledger below)")
    return {"enabled": interval is not None, "interval_minutes": interval, "max_age_minutes": limit,
            "last_poll": last, "last_successful_poll": good, "last_changed_poll": changed, "alerts": ledger,
            "problems": problems}


def format_polls(polls: dict[str, Any] | None) -> list[str]:
    """The poll and alert-ledger lines of ``frtrack status``."""
    if not polls:
        return []
    last = polls["last_poll"]
    if last is None:
        lines = ["last poll: none on record" + ("" if polls["enabled"] else " (schedule.poll is off)")]
    else:
        why = f"; {last['note']}" if last.get("note") else ""
        err = f" — {last['error']}" if last.get("error") else ""
        lines = [f"last poll: #{last['id']} {last['status']} at {last['started_at']} "
                 f"({last['requests']} request{'s' if last['requests'] != 1 else ''}{why}){err}"]
        ch = polls["last_changed_poll"]
        if ch:
            lines.append(f"last change on the desk: poll #{ch['id']} at {ch['started_at']} "
                         f"({ch['new_documents']} new, {ch['withdrawn']} withdrawn)")
    counts = polls["alerts"]["counts"]
    lines.append(f"alert ledger: {counts.get('sent', 0)} sent, {counts.get('failed', 0)} failed (retried on the "
                 f"next poll), {counts.get('abandoned', 0)} abandoned, {counts.get('superseded', 0)} superseded")
    for row in polls["alerts"]["owed"]:
        lines.append(f"  {row['state'].upper()} {row['channel']} {row['recipient']} after {row['attempts']} "
                     f"attempt{'s' if row['attempts'] != 1 else ''}: {row['subject']} — {row['last_error']}")
    for row in polls["alerts"]["latest"]:
        if row["state"] == "sent":
            lines.append(f"  sent {row['sent_at']} {row['channel']} {row['recipient']}: {row['subject']}")
    return lines
