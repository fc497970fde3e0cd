"""One pipeline run: fetch -> store raw -> parse -> derive -> record.

The run row is written first (status 'running') and finished last, so a run
killed half-way is found 'running' by the next one and marked interrupted.
Any source failure or newly failed parse makes the run 'failed' (exit 1),
while everything other sources brought is kept.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import date

from parsers.errors import FrtrackError
from pipeline import clock
from pipeline.config import Settings
from pipeline.engine import derive
from pipeline.fetch import fetch_all
from pipeline.lock import db_lock, mark_interrupted_runs
from pipeline.publish.wording import plural
from store.db import open_db
from store.enums import RunStatus
from store.runs import finish_run, start_run

log = logging.getLogger(__name__)


@dataclass
class RunReport:
    """What a run did, for the CLI line, the scheduler log and the exit code."""

    run_id: int
    ok: bool
    outcomes: list = field(default_factory=list)     # pipeline.fetch.SourceOutcome
    parse_failures: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)
    status_moves: list[str] = field(default_factory=list)
    changes: int = 0
    open_divergences: int = 0
    error: str | None = None

    def summary(self, errors: bool = True) -> str:
        """The run in a few lines; ``errors=False`` leaves the failures to ``failure_lines`` (the CLI's stderr)."""
        lines = [f"run {self.run_id}: {'ok' if self.ok else 'FAILED'}"]
        for o in self.outcomes:
            state = "ok" if o.ok else (f"FAILED: {o.brief or o.error}" if errors else "FAILED")
            lines.append(f"  {o.source.value}: {o.new_items} new, {plural(o.requests, 'request')}, {state}")
        if errors:
            lines += [f"  parse error: {e}" for e in self.parse_failures]
        lines += [f"  needs review: {r}" for r in self.review]
        lines += [f"  change: {m}" for m in self.status_moves]
        lines.append(f"  {plural(self.changes, 'country-group change')} on record,"
                     f" {plural(self.open_divergences, 'open D:5/126.1 divergence')}")
        if errors and self.error and not self._explained():
            lines.append(f"  error: {self.error}")
        return "\n".join(lines)

    def _explained(self) -> bool:
        return any(not o.ok for o in self.outcomes) or bool(self.parse_failures)

    def failure_lines(self) -> list[str]:
        """One short line per failure (a source, a document, the run itself), without URLs."""
        lines = [f"{o.source.value}: {o.brief or o.error}" for o in self.outcomes if not o.ok]
        lines += [f"parse error: {e}" for e in self.parse_failures]
        if self.error and not self._explained():
            lines.append(self.error)
        return lines

    def recorded_error(self) -> str | None:
        """What ``runs.error`` keeps: which parts failed; the details live in source_fetches (not said twice)."""
        parts = []
        failed = [o.source.value for o in self.outcomes if not o.ok]
        if failed:
            parts.append(f"source{'s' if len(failed) > 1 else ''} failed: {', '.join(failed)}")
        if self.parse_failures:
            n = len(self.parse_failures)
            parts.append(f"{n} document{'s' if n > 1 else ''} did not parse: " + "; ".join(self.parse_failures))
        if not parts and self.error:
            parts.append(self.error)
        return "; ".join(parts) or None


def _lock(db_path):
    return db_lock(db_path)


def _start(db, today: date, trigger: str) -> int:
    mark_interrupted_runs(db)
    return start_run(db, today=today.isoformat(), trigger=trigger, pid=os.getpid())


def _finish(db, run_id: int, ok: bool, error: str | None, status: RunStatus | None = None) -> None:
    finish_run(db, run_id, status or (RunStatus.OK if ok else RunStatus.FAILED), error)


def run_once(settings: Settings, db_path, *, since: date | None = None, today: date | None = None,
             trigger: str = "cli") -> RunReport:
    """Fetch every source, derive history, record the run. Raises LockHeldError if another run holds the lock."""

    today = today or clock.today()
    with _lock(db_path):
        db = open_db(db_path, clock=clock.Clock(today))
        try:
            run_id = _start(db, today, trigger)
            report = RunReport(run_id=run_id, ok=False)
            try:
                report.outcomes = fetch_all(settings, db, run_id=run_id, since=since, today=today)
                derived = derive(db, today=today, run_id=run_id)
                report.parse_failures, report.review = derived.parse_failures, derived.review
                report.status_moves, report.changes = derived.status_moves, derived.changes
                report.open_divergences = derived.open_divergences
                failed = [o for o in report.outcomes if not o.ok]
                report.ok = not failed and not derived.parse_failures
                errors = [f"{o.source.value}: {o.error}" for o in failed] + derived.parse_failures
                report.error = "; ".join(errors) or None
            except FrtrackError as exc:
                report.ok, report.error = False, str(exc)
            except KeyboardInterrupt:      # Ctrl-C: not a failure of the sources; the next run completes the work
                _finish(db, run_id, False, "interrupted by the user (Ctrl-C)", RunStatus.INTERRUPTED)
                raise
            except BaseException as exc:   # record, then let it propagate (a bug)
                _finish(db, run_id, False, f"{type(exc).__name__}: {exc}")
                raise
            _finish(db, run_id, report.ok, report.recorded_error())
            return report
        finally:
            db.close()


def reparse(settings: Settings, db_path, *, today: date | None = None) -> RunReport:
    """Re-derive everything from stored raw blobs with the current parsers, in one transaction."""

    today = today or clock.today()
    with _lock(db_path):
        db = open_db(db_path, clock=clock.Clock(today))
        try:
            run_id = _start(db, today, "reparse")
            try:
                derived = derive(db, today=today, run_id=run_id, everything=True)
            except KeyboardInterrupt:      # the derivation is one transaction: nothing half-done stays
                _finish(db, run_id, False, "interrupted by the user (Ctrl-C)", RunStatus.INTERRUPTED)
                raise
            report = RunReport(run_id=run_id, ok=not derived.parse_failures, parse_failures=derived.parse_failures,
                               review=derived.review, status_moves=derived.status_moves, changes=derived.changes,
                               open_divergences=derived.open_divergences)
            report.error = "; ".join(derived.parse_failures) or None
            _finish(db, run_id, report.ok, report.error)
            return report
        finally:
            db.close()
