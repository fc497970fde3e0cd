"""The daemon's wiring: triggers from config, job defaults, jobs that fail, clean stop."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from parsers.errors import ConfigError, LockHeldError
from pipeline.config import Schedule, Settings, load_settings
from pipeline.scheduler import Daemon, fail_own_running_runs
from pipeline.triggers import parse_trigger
from store.db import open_db

REPO = Path(__file__).resolve().parents[1]
NY = ZoneInfo("America/New_York")
WAIT = 60   # seconds: a ceiling for waiting on events, never an assertion about speed


def _settings(fetch="interval:0.05", digest="off", grace=30) -> Settings:
    return replace(Settings(), schedule=Schedule(fetch=fetch, digest=digest, misfire_grace_seconds=grace, poll="off"))


def test_default_schedule_fires_on_weekdays_eastern():
    s = Settings().schedule
    fetch = parse_trigger(s.fetch, s.timezone, "schedule.fetch")
    digest = parse_trigger(s.digest, s.timezone, "schedule.digest")
    friday_night = datetime(2026, 11, 27, 23, 30, tzinfo=NY)
    fires, t = [], friday_night
    for _ in range(5):
        t = fetch.get_next_fire_time(None, t)
        fires.append(t.strftime("%a %H:%M"))
        t = t.replace(second=1)
    assert fires == ["Mon 06:00", "Mon 12:00", "Mon 18:00", "Mon 23:00", "Tue 06:00"]
    assert digest.get_next_fire_time(None, friday_night) == datetime(2026, 11, 30, 7, 0, tzinfo=NY)
    # across the DST change the wall-clock hour holds (06:00 EST and 06:00 EDT)
    march = fetch.get_next_fire_time(None, datetime(2026, 3, 7, 0, 0, tzinfo=NY))
    assert (march.day, march.hour, march.utcoffset().total_seconds()) == (9, 6, -4 * 3600)


def test_interval_and_off_forms():
    t = parse_trigger("interval:2", "UTC", "schedule.fetch")
    assert isinstance(t, IntervalTrigger) and t.interval.total_seconds() == 2
    assert parse_trigger(" OFF ", "UTC", "schedule.digest") is None
    assert isinstance(parse_trigger("*/5 * * * *", "UTC", "schedule.fetch"), CronTrigger)


@pytest.mark.parametrize("spec", ["every day", "0 6 * *", "interval:", "interval:-1", "interval:0", "61 * * * *"])
def test_bad_schedule_is_a_config_error_naming_the_key(spec):
    with pytest.raises(ConfigError) as info:
        parse_trigger(spec, "UTC", "schedule.fetch", "/etc/frtrack.toml")
    assert info.value.key == "schedule.fetch"
    assert str(info.value).startswith("/etc/frtrack.toml: schedule.fetch: ")
    assert info.value.exit_code == 2


def test_bad_timezone_is_a_config_error():
    with pytest.raises(ConfigError) as info:
        Daemon(replace(Settings(), schedule=Schedule(timezone="Mars/Olympus")), "x.db")
    assert info.value.key == "schedule.timezone"


def test_schedule_from_toml_file(tmp_path):
    cfg = tmp_path / "f.toml"
    cfg.write_text('[schedule]\nfetch = "interval:2"\ndigest = "off"\nmisfire_grace_seconds = 60\n')
    d = Daemon(load_settings(cfg), tmp_path / "f.db")
    assert isinstance(d.fetch_trigger, IntervalTrigger) and d.digest_trigger is None


class Calls:
    """A fetch job that misbehaves in turn: raises, finds the lock held, fails, succeeds."""

    class Report:
        def __init__(self, ok):
            self.ok = ok

        def summary(self):
            return f"dummy run {'ok' if self.ok else 'FAILED'}"

    def __init__(self, want: int):
        self.n, self.want, self.done = 0, want, threading.Event()

    def __call__(self):
        self.n += 1
        if self.n >= self.want:
            self.done.set()
        step = self.n % 4
        if step == 1:
            raise RuntimeError("bug in a run")
        if step == 2:
            raise LockHeldError("another frtrack run (pid 1, since then) holds x.db.lock")
        return self.Report(ok=step == 0)


def test_daemon_keeps_going_after_errors_and_stops_cleanly(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="frtrack.scheduler")
    calls = Calls(want=6)
    d = Daemon(_settings(grace=17), tmp_path / "f.db", fetch_job=calls)
    thread = threading.Thread(target=d.run)
    thread.start()
    try:
        assert calls.done.wait(WAIT), "the fetch job did not fire six times"
        job = d.scheduler.get_job("fetch")
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 17)
        assert d.scheduler.get_job("digest") is None       # "off"
    finally:
        d.stop("test")
        thread.join(WAIT)
    assert not thread.is_alive()
    assert d.stopping.is_set()         # no new job starts; the one in progress was waited for
    n = calls.n
    text = caplog.text
    assert "scheduled fetch: failed with RuntimeError: bug in a run" in text
    assert "scheduled fetch: skipped, another frtrack run (pid 1" in text
    assert "scheduled fetch: finished with failures: dummy run FAILED" in text
    assert "scheduled fetch: finished ok: dummy run ok" in text
    assert "frtrack scheduler stopped" in text
    # once stopped, nothing fires any more
    d.run_fetch()
    assert calls.n == n


def test_digest_errors_are_logged_not_raised(tmp_path, caplog):
    def digest():
        raise ConnectionRefusedError("smtp down")
    d = Daemon(_settings(), tmp_path / "f.db", digest_job=digest)
    d.run_digest()
    assert "scheduled digest: failed with ConnectionRefusedError: smtp down" in caplog.text


def test_a_run_left_running_by_a_crashing_job_is_marked_failed(tmp_path):
    db_path = tmp_path / "f.db"
    open_db(db_path).close()

    def job():
        db = open_db(db_path)
        db.execute("INSERT INTO runs (started_at, status, trigger, today, pid) VALUES (?,?,?,?,?)",
                   ["2026-01-01T00:00:00+00:00", "running", "schedule", "2026-01-01", os.getpid()])
        db.execute("INSERT INTO runs (started_at, status, trigger, today, pid) VALUES (?,?,?,?,?)",
                   ["2026-01-01T00:00:00+00:00", "running", "cli", "2026-01-01", os.getpid() + 1])
        db.close()
        raise KeyError("no such column")

    Daemon(_settings(), db_path, fetch_job=job).run_fetch()
    db = open_db(db_path)
    rows = [tuple(r) for r in db.execute("SELECT id, status, error FROM runs ORDER BY id")]
    db.close()
    # our own row is failed with the error; another process's row is left for mark_interrupted_runs
    assert rows == [(1, "failed", "scheduled fetch raised KeyError: 'no such column'"), (2, "running", None)]
    assert fail_own_running_runs(tmp_path / "absent.db", "x") == []


DAEMON_SCRIPT = """
import sys, time
from dataclasses import replace
from pipeline.config import Schedule, Settings
from pipeline.scheduler import serve

log = open(sys.argv[2], "a", buffering=1)
n = 0
def job():
    global n
    n += 1
    log.write(f"start {n}\\n")
    time.sleep(1.0)               # a document transaction in progress when the signal comes
    log.write(f"end {n}\\n")
serve(replace(Settings(), schedule=Schedule(fetch="interval:0.2", digest="off")), sys.argv[1], fetch_job=job)
log.write("returned\\n")
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_waits_for_the_job_in_progress_then_exits_0(tmp_path, sig):
    events = tmp_path / "events.txt"
    events.touch()
    proc = subprocess.Popen([sys.executable, "-c", DAEMON_SCRIPT, str(tmp_path / "f.db"), str(events)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        with open(events) as fh:            # follow the job log until the first job is mid-way
            line = ""
            for _ in range(WAIT * 20):
                line += fh.readline()
                if "start 1" in line:
                    break
                threading.Event().wait(0.05)
        assert "start 1" in line, "the job never started"
        proc.send_signal(sig)
        out, _ = proc.communicate(timeout=WAIT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    assert events.read_text().splitlines() == ["start 1", "end 1", "returned"]


def test_stop_before_the_scheduler_started_still_stops_it(tmp_path):
    """A SIGTERM during start-up must not be lost (the daemon would otherwise run on)."""
    from apscheduler.events import EVENT_SCHEDULER_STARTED
    d = Daemon(_settings(fetch="interval:3600"), tmp_path / "f.db", fetch_job=lambda: None)

    def signal_while_starting(event):
        # what stop() does when it finds the scheduler not yet running: set the flag, nothing to shut down
        d.stopping.set()
    # run before the daemon's own start listener (private list: the only way to place it first)
    d.scheduler._listeners.insert(0, (signal_while_starting, EVENT_SCHEDULER_STARTED))
    thread = threading.Thread(target=d.run)
    thread.start()
    thread.join(WAIT)
    assert not thread.is_alive()


def test_cli_schedule_with_a_bad_schedule_exits_2(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import cli
    cfg = tmp_path / "f.toml"
    cfg.write_text('[schedule]\nfetch = "every weekday at six"\n')
    res = CliRunner().invoke(cli, ["--config", str(cfg), "--db", str(tmp_path / "f.db"), "schedule"])
    assert res.exit_code == 2
    assert f"frtrack: error: {cfg}: schedule.fetch: 'every weekday at six' is not a crontab line" in res.output
