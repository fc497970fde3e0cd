"""``frtrack schedule``: the APScheduler daemon that fetches and mails on a cron.

Why these settings: missed fire times are coalesced into one run (a laptop
waking from sleep should fetch once, not four times); each job runs at most
once at a time, and a single worker thread runs fetch and digest one after the
other, so the daemon is never its own second writer. Every run still takes the
database lock (``pipeline.lock``), so the daemon and a cron ``frtrack run``
exclude each other; a tick that finds the lock held is skipped with a log line.

A job that raises is logged (and its run row, if left 'running', is marked
failed) and the daemon keeps going. SIGTERM/SIGINT stop new jobs, let the job
in progress finish (a run completes: every document is its own transaction,
and SIGKILL stays safe if a supervisor will not wait), then return — exit 0.

Schedules are crontab strings (``"0 6,12,18,23 * * mon-fri"``) in
``schedule.timezone``; ``"interval:N"`` fires every N seconds (tests, demos);
``"off"`` disables the job.

The public-inspection poll (``schedule.poll``, default every 10 minutes) runs
``pipeline.poll.poll_once`` on the same single worker, so a poll and a run
never overlap; a tick outside ``schedule.poll_window`` on a federal business
day does nothing. After each scheduled run the alerts it produced are sent
at once (``pipeline.poll.deliver_pending``) rather than at the next poll.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from apscheduler.events import EVENT_JOB_MISSED, EVENT_SCHEDULER_STARTED, JobExecutionEvent, SchedulerEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.schedulers.blocking import BlockingScheduler

from parsers.errors import FrtrackError, LockHeldError
from pipeline.clock import Clock
from pipeline.config import Settings
from pipeline.lock import db_lock
from pipeline.poll import deliver_pending, poll_once
from pipeline.publish.digest import digest_command
from pipeline.triggers import parse_trigger
from store.db import open_db
from store.runs import fail_runs, running_runs

log = logging.getLogger("frtrack.scheduler")

Job = Callable[[], Any]


def _summary(result: Any) -> str:
    summary = getattr(result, "summary", None)
    return summary() if callable(summary) else repr(result)


def _log_failure(what: str, exc: Exception) -> None:
    """Deliberate errors in one line; anything else is a bug, so with its traceback."""
    if isinstance(exc, FrtrackError):
        log.error("%s: failed: %s", what, exc)
    else:
        log.error("%s: failed with %s: %s\n%s", what, type(exc).__name__, exc, traceback.format_exc().rstrip())


def fail_own_running_runs(db_path: str | os.PathLike[str], error: str) -> list[int]:
    """Mark this process's runs left 'running' as failed with ``error``.

    Called after a fetch job raised: run_once normally finishes its own row,
    but an unexpected error can escape first. Needs the lock; if another
    process holds it, the row is left for ``mark_interrupted_runs`` later.
    """

    if not Path(db_path).exists():
        return []
    try:
        with db_lock(db_path):
            db = open_db(db_path, clock=Clock())
            try:
                ids = running_runs(db, pid=os.getpid())
                fail_runs(db, ids, error)
                return ids
            finally:
                db.close()
    except LockHeldError:
        return []


class Daemon:
    """The scheduler plus its stop logic; ``serve`` is the one-call front door."""

    def __init__(self, settings: Settings, db_path: str | os.PathLike[str], *,
                 fetch_job: Job | None = None, digest_job: Job | None = None, poll_job: Job | None = None):
        self.settings, self.db_path = settings, str(db_path)
        sched = settings.schedule
        self.fetch_trigger = parse_trigger(sched.fetch, sched.timezone, "schedule.fetch", settings.path)
        self.digest_trigger = parse_trigger(sched.digest, sched.timezone, "schedule.digest", settings.path)
        self.poll_trigger = parse_trigger(sched.poll, sched.timezone, "schedule.poll", settings.path)
        self._fetch = fetch_job or self._default_fetch
        self._digest = digest_job or self._default_digest
        self._poll = poll_job or self._default_poll
        self.stopping = threading.Event()
        self._stopper: threading.Thread | None = None
        self._lock = threading.RLock()   # re-entrant: a signal handler may interrupt its holder
        self.scheduler = BlockingScheduler(
            timezone=sched.timezone,
            # One worker: fetch and digest never overlap inside the daemon.
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": sched.misfire_grace_seconds},
        )
        self.scheduler.add_listener(self._on_missed, EVENT_JOB_MISSED)
        self.scheduler.add_listener(self._on_started, EVENT_SCHEDULER_STARTED)

    # -- the jobs ---------------------------------------------------------
    def _default_fetch(self) -> Any:
        from pipeline.run import run_once  # lazy: the daemon starts even if a run would fail to import
        report = run_once(self.settings, self.db_path, trigger="schedule")
        self._alerts_after_run()
        return report

    def _alerts_after_run(self) -> None:
        """The run's news goes out now, not at the next poll; a failure here is retried by the polls."""
        try:
            alerts = deliver_pending(self.settings, self.db_path)
        except Exception as exc:
            _log_failure("alerts after the scheduled fetch", exc)
            return
        if alerts.sent or alerts.failed or alerts.abandoned:
            log.log(logging.INFO if alerts.ok else logging.ERROR, "alerts after the scheduled fetch: %s",
                    alerts.summary())

    def _default_poll(self) -> Any:
        return poll_once(self.settings, self.db_path)

    def run_poll(self) -> None:
        """The scheduled poll: never raises; outside the poll window it is silent."""
        if self.stopping.is_set():
            return
        try:
            result = self._poll()
        except LockHeldError as exc:
            log.warning("scheduled poll: skipped, %s", exc)
            return
        except Exception as exc:
            _log_failure("scheduled poll", exc)
            return
        status = getattr(getattr(result, "status", None), "value", "")
        if status == "skipped":
            log.debug("scheduled poll: %s", getattr(result, "note", "skipped"))
            return
        ok = getattr(result, "ok", True)
        log.log(logging.INFO if ok else logging.ERROR, "scheduled poll: %s", _summary(result))

    def _default_digest(self) -> Any:
        db = open_db(self.db_path)
        try:
            return digest_command(self.settings, db, since=None, out=None, send=True)
        finally:
            db.close()

    def run_fetch(self) -> None:
        """The scheduled fetch: never raises, so one bad tick cannot stop the daemon."""
        if self.stopping.is_set():
            return
        log.info("scheduled fetch: starting")
        try:
            result = self._fetch()
        except LockHeldError as exc:
            log.warning("scheduled fetch: skipped, %s", exc)
            return
        except Exception as exc:
            _log_failure("scheduled fetch", exc)
            marked = fail_own_running_runs(self.db_path, f"scheduled fetch raised {type(exc).__name__}: {exc}")
            if marked:
                log.error("scheduled fetch: marked run(s) %s failed", ", ".join(map(str, marked)))
            return
        ok = getattr(result, "ok", True)
        log.log(logging.INFO if ok else logging.ERROR, "scheduled fetch: finished %s: %s",
                "ok" if ok else "with failures", _summary(result))

    def run_digest(self) -> None:
        """The scheduled digest: never raises; errors are logged."""
        if self.stopping.is_set():
            return
        log.info("scheduled digest: starting")
        try:
            result = self._digest()
        except Exception as exc:
            _log_failure("scheduled digest", exc)
            return
        ok = getattr(result, "ok", True)
        log.log(logging.INFO if ok else logging.ERROR, "scheduled digest: finished %s: %s",
                "ok" if ok else "with failures", _summary(result))

    def _on_missed(self, event: JobExecutionEvent) -> None:
        log.warning("job %s missed its run time %s (beyond the misfire grace time)",
                    event.job_id, event.scheduled_run_time)

    # -- lifecycle --------------------------------------------------------
    def stop(self, reason: str = "stop requested") -> None:
        """Ask the daemon to stop: no new jobs, wait for the current one, then return from run().

        Safe from a signal handler: the waiting happens on a helper thread.
        """
        with self._lock:
            if self.stopping.is_set():
                return
            self.stopping.set()
            log.info("stopping (%s): waiting for the job in progress to finish", reason)
            if self.scheduler.state != STATE_STOPPED:
                self._start_stopper()

    def _start_stopper(self) -> None:
        if self._stopper is None:
            self._stopper = threading.Thread(target=self._shutdown, name="frtrack-stop", daemon=True)
            self._stopper.start()

    def _on_started(self, event: SchedulerEvent) -> None:
        # A signal that came while the scheduler was still starting found nothing to shut down.
        with self._lock:
            if self.stopping.is_set():
                self._start_stopper()

    def _shutdown(self) -> None:
        try:
            self.scheduler.shutdown(wait=True)
        except Exception as exc:   # already stopped: nothing to wait for
            log.debug("shutdown: %s", exc)

    def _on_signal(self, signum: int, frame: Any) -> None:
        name = signal.Signals(signum).name
        if self.stopping.is_set():
            log.warning("%s again while stopping: still waiting for the job in progress"
                        " (SIGKILL is safe too: the next run marks this one interrupted)", name)
            return
        self.stop(name)

    def run(self) -> None:
        """Block until stopped. Installs SIGTERM/SIGINT handlers when on the main thread."""
        if self.fetch_trigger is not None:
            self.scheduler.add_job(self.run_fetch, self.fetch_trigger, id="fetch", name="fetch")
        if self.digest_trigger is not None:
            self.scheduler.add_job(self.run_digest, self.digest_trigger, id="digest", name="digest")
        if self.poll_trigger is not None:
            self.scheduler.add_job(self.run_poll, self.poll_trigger, id="poll", name="poll")
        previous: dict[signal.Signals, Any] = {}
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                previous[sig] = signal.signal(sig, self._on_signal)
        try:
            if self.stopping.is_set():
                return
            jobs = ", ".join(f"{j.name} ({j.trigger})" for j in self.scheduler.get_jobs()) or "no jobs"
            log.info("frtrack scheduler started (pid %d, db %s): %s", os.getpid(), self.db_path, jobs)
            self.scheduler.start()
            if self._stopper is not None:
                self._stopper.join()
            log.info("frtrack scheduler stopped")
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def serve(settings: Settings, db_path: str | os.PathLike[str], *,
          fetch_job: Job | None = None, digest_job: Job | None = None, poll_job: Job | None = None) -> None:
    """Run the daemon until SIGTERM/SIGINT, then return (the CLI exits 0).

    ``fetch_job``/``digest_job``/``poll_job`` replace the real jobs (tests inject dummies).
    """
    Daemon(settings, db_path, fetch_job=fetch_job, digest_job=digest_job, poll_job=poll_job).run()
