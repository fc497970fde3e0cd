"""The poll in the daemon: its trigger and window, lock skips, and alerts sent right after a scheduled run."""
from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from pipeline.config import Schedule, Settings
from pipeline.lock import db_lock
from pipeline.poll import in_poll_window, poll_once
from pipeline.scheduler import Daemon
from store.db import open_db
from store.enums import PollStatus
from tests.alert_world import AlertWorld

NY = ZoneInfo("America/New_York")
WAIT = 60


def test_default_poll_fires_every_ten_minutes_inside_the_window_on_business_days():
    s = Settings()
    d = Daemon(s, "unused.db")
    t, fired = datetime(2026, 2, 13, 17, 41, tzinfo=NY), []      # Friday before Presidents' Day
    while len(fired) < 4:
        t = d.poll_trigger.get_next_fire_time(None, t)
        if in_poll_window(s, t):
            fired.append(t.strftime("%a %d %H:%M"))
        t = t.replace(second=1)
    # 18:00 Friday is the last; Saturday, Sunday and Monday 2026-02-16 (a federal holiday) are skipped
    assert fired == ["Fri 13 17:50", "Fri 13 18:00", "Tue 17 08:30", "Tue 17 08:40"]


def test_a_poll_while_a_run_holds_the_lock_is_skipped_with_a_line(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="frtrack.scheduler")
    db = tmp_path / "f.db"
    open_db(db).close()

    def poll():
        return poll_once(d.settings, db, now=datetime(2026, 2, 3, 9, 0, tzinfo=NY))

    d = Daemon(replace(Settings(), schedule=Schedule(fetch="off", digest="off", poll="interval:600")), db,
               poll_job=poll)
    with db_lock(db):
        d.run_poll()
    assert "scheduled poll: skipped, another frtrack run" in caplog.text


def test_alerts_go_out_right_after_a_scheduled_run(replay_server, smtp_server, tmp_path, monkeypatch):
    world = AlertWorld(replay_server)
    settings = world.settings([{"email": "analyst@example.com", "countries": ["Cambodia"]}], smtp_server.port)
    settings = replace(settings, schedule=replace(settings.schedule, fetch="off", digest="off", poll="off"))
    world.publish_cambodia()                       # the run finds the published rule: no poll involved
    monkeypatch.setenv("FRTRACK_TODAY", "2026-02-04")
    d = Daemon(settings, tmp_path / "f.db")
    d.run_fetch()
    assert [str(m["Subject"]).strip() for m in smtp_server.messages_to("analyst@example.com")] == [
        "In effect 2026-02-03: Cambodia removed from D:5 (FR Doc. 2026-02262)"]
    d.run_fetch()                                  # nothing new, nothing sent twice
    assert len(smtp_server.received) == 1


def test_a_failed_desk_still_retries_owed_alerts_and_is_recorded(replay_server, smtp_server, tmp_path):
    world = AlertWorld(replay_server)
    settings = world.settings([{"email": "analyst@example.com"}], smtp_server.port)
    world.desk.next_issue("2026-02-04", [world.cambodia_filing()], at="2026-02-03T08:47:00.000-05:00")
    db = tmp_path / "f.db"
    smtp_server.stop()
    first = poll_once(settings, db, now=datetime(2026, 2, 3, 8, 50, tzinfo=NY))
    assert first.status is PollStatus.CHANGED and len(first.alerts.failed) == 1 and not first.ok
    smtp_server.start()
    world.api.fault("/api/v1/public-inspection-documents/current.json", {"kind": "status", "status": 503})
    second = poll_once(settings, db, now=datetime(2026, 2, 3, 9, 0, tzinfo=NY))
    assert second.status is PollStatus.FAILED and "HTTP 503" in second.error
    assert second.alerts.sent == ["email analyst@example.com: Filed for publication 2026-02-04: Cambodia removed"
                                  " from D:5 (FR Doc. 2026-02262)"]
    conn = open_db(db)
    assert conn.execute("SELECT status, requests, alerts_sent, alerts_failed FROM polls ORDER BY id").fetchall() == [
        ("changed", 2, 0, 1), ("failed", 2, 1, 0)]
    conn.close()


def test_cron_poll_while_a_run_holds_the_lock_exits_75(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import cli
    db = tmp_path / "f.db"
    open_db(db).close()
    with db_lock(db):
        result = CliRunner().invoke(cli, ["--db", str(db), "poll", "--force"])
    assert result.exit_code == 75 and "another frtrack run" in result.output
