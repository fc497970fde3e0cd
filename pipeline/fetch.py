"""Fetch every source once: each failure is recorded while the others still run.

A source that raises is recorded in ``source_fetches`` as failed with the
error (which names the URL and the problem); what it already stored (raw
blobs, documents) stays, but its watermarks do not move — a source writes its
watermarks only as its very last step, after everything succeeded — so the
next run asks for the same window again. Reruns are idempotent.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date
from urllib.parse import urlsplit

from sqlite_utils import Database

from parsers.errors import BlockedError, FetchError
from pipeline.config import Settings
from pipeline.sources.ecfr import fetch_ecfr
from pipeline.sources.federal_register import fetch_federal_register
from pipeline.sources.govinfo import fetch_govinfo
from pipeline.sources.http import Http
from pipeline.sources.outcome import SourceOutcome
from pipeline.sources.public_inspection import fetch_public_inspection
from store.db import utcnow
from store.documents import first_seen_count
from store.enums import Source
from store.runs import record_source_fetch

log = logging.getLogger(__name__)


def fetch_all(settings: Settings, db: Database, *, run_id: int, since: date | None = None,
              today: date, sleep: Callable[[float], None] = time.sleep,
              http: Http | None = None) -> list[SourceOutcome]:
    """Run every source; return one outcome per source that ran.

    ``sleep`` is what the HTTP layer waits with (tests pass a recorder);
    ``http`` lets a caller share or inspect the HTTP layer (request counts).
    """

    own_http = http is None
    if http is None:
        http = Http(settings.sources, db, run_id=run_id, sleep=sleep)
    plan: list[tuple[Source, Callable[..., SourceOutcome]]] = [(Source.FEDERAL_REGISTER, fetch_federal_register)]
    if settings.watch.public_inspection:
        plan.append((Source.PUBLIC_INSPECTION, fetch_public_inspection))
    if settings.watch.tracked:
        plan.append((Source.ECFR, fetch_ecfr))
    outcomes: list[SourceOutcome] = []
    fr_blocked = False
    try:
        for source, fn in plan:
            outcome = _run_source(source, fn, http, db, settings, run_id=run_id, since=since, today=today)
            outcomes.append(outcome)
            if source is Source.FEDERAL_REGISTER and outcome.blocked:
                fr_blocked = True
        if settings.sources.govinfo_fallback and fr_blocked:
            outcomes.append(_run_source(Source.GOVINFO, fetch_govinfo, http, db, settings,
                                        run_id=run_id, since=since, today=today))
    finally:
        if own_http:
            http.close()
    return outcomes


def _brief(exc: FetchError) -> str:
    """The problem in one line without the URL, but naming the host:port it came from."""
    parts = urlsplit(exc.url or "")
    if not parts.hostname:
        return exc.problem
    where = f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
    return exc.problem if where in exc.problem else f"{exc.problem} [{where}]"


def _run_source(source: Source, fn: Callable[..., SourceOutcome], http: Http, db: Database,
                settings: Settings, *, run_id: int, since: date | None, today: date) -> SourceOutcome:
    started = utcnow(db)
    before = http.requests
    try:
        outcome = fn(http, db, settings, run_id=run_id, since=since, today=today)
    except FetchError as exc:
        kind = type(exc).__name__
        log.info("%s failed: %s", source.value, exc)      # the full URL: with -v
        blocked = isinstance(exc, BlockedError)
        said = _brief(exc) + ("; consider sources.govinfo_fallback = true" if blocked else "")
        outcome = SourceOutcome(source, False, http.requests - before, first_seen_count(db, source, run_id),
                                None, f"{kind}: {exc}", brief=said, blocked=blocked)
    brief = outcome.brief or (outcome.error.split(": ", 1)[-1] if outcome.error else None)
    outcome = SourceOutcome(outcome.source, outcome.ok, http.requests - before, outcome.new_items,
                            outcome.watermark, outcome.error, brief=brief, blocked=outcome.blocked)
    record_source_fetch(db, run_id=run_id, source=source, ok=outcome.ok, started_at=started,
                        requests=outcome.requests, new_items=outcome.new_items, error=outcome.brief)
    return outcome
