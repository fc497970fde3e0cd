"""Issue 16 "Must show": a day on the public-inspection desk through real servers on 127.0.0.1.

The replay server plays the APIs (the desk moved along the day by the test's
clock), aiosmtpd takes the mail and a real http.server takes the webhook. The
timeline: a rule filed at 08:47 is alerted by the next poll with the exact
fact; idle polls make one request each and send nothing; a failing webhook is
retried by the next poll and recorded sent once; a special filing withdrawn in
the afternoon sends a retraction; the publication the next day sends
"published" only to the recipient who asked for it.
"""
from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.poll import poll_once
from pipeline.run import run_once
from store.db import open_db
from store.enums import PollStatus
from tests.alert_world import CAMBODIA, SAMPLE, AlertWorld, other_agency_entry

ET = ZoneInfo("America/New_York")
FILED = "Filed for publication 2026-02-04: Cambodia removed from D:5 (FR Doc. 2026-02262)"
PUBLISHED = "Published 2026-02-04: Cambodia removed from D:5, effective 2026-02-03 (FR Doc. 2026-02262)"
SAMPLE_FILED = "Filed for publication 2026-02-04: Nicaragua added to E:1 (FR Doc. 2099-90001)"
RETRACTION = ("Retraction: FR Doc. 2099-90001 was withdrawn from public inspection before publication;"
              " Nicaragua added to E:1 is no longer announced")


def at(day: str, hm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hm}:00").replace(tzinfo=ET)


def subjects(smtp, address: str) -> list[str]:
    return [str(m["Subject"]).strip() for m in smtp.messages_to(address)]   # a folded header keeps its space


class Clock:
    """Polls at given minutes, each counted: (report, desk requests, all requests) of that poll."""

    def __init__(self, world: AlertWorld, settings, db_path):
        self.world, self.settings, self.db_path = world, settings, db_path

    def poll(self, day: str, hm: str):
        before = len(self.world.server.requests)
        report = poll_once(self.settings, self.db_path, now=at(day, hm), sleep=lambda s: None)
        return report, len(self.world.server.requests) - before


@pytest.fixture
def day(replay_server, smtp_server, webhook_receiver, tmp_path):
    world = AlertWorld(replay_server)
    recipients = [
        {"email": "analyst@example.com", "name": "Export analyst", "countries": ["Cambodia"],
         "webhook": webhook_receiver.url},                                    # default alerts: published too
        {"email": "desk@example.com", "countries": ["Cambodia", "Nicaragua"], "alerts": ["announced"]},
        {"email": "russia@example.com", "countries": ["Russia"]},
    ]
    settings = world.settings(recipients, smtp_server.port)
    db_path = tmp_path / "frtrack.db"
    # 2026-02-03, 06:00: the scheduled full run; the desk still shows the 2026-02-03 issue
    world.desk.next_issue("2026-02-03", [other_agency_entry("2026-02101", "2026-02-03")],
                          at="2026-02-02T08:45:00.000-05:00")
    assert run_once(settings, db_path, today=date(2026, 2, 3)).ok
    return world, settings, db_path, Clock(world, settings, db_path)


def test_a_day_on_the_desk(day, smtp_server, webhook_receiver):
    world, settings, db_path, clock = day

    # 08:30: the desk the run saw: one conditional request, a 304, nothing sent
    report, requests = clock.poll("2026-02-03", "08:30")
    assert (report.status, report.note, requests, report.alerts.sent) == (PollStatus.IDLE, "304 Not Modified", 1, [])

    # 08:45 the 2026-02-04 issue goes up; 08:47 BIS files the Cambodia rule; the webhook is down
    world.desk.next_issue("2026-02-04", [other_agency_entry("2026-02150", "2026-02-04")],
                          at="2026-02-03T08:45:00.000-05:00")
    world.desk.file(world.cambodia_filing("2026-02-03T08:47:00.000-05:00"), at="2026-02-03T08:47:00.000-05:00")
    webhook_receiver.fail(3)                      # 1 try + alerts.retries (2) within this poll
    report, requests = clock.poll("2026-02-03", "08:50")
    assert report.status is PollStatus.CHANGED and requests == 2   # the desk, then the filing's raw text
    assert report.status_moves == ["Cambodia removed D:5: announced"]
    assert subjects(smtp_server, "analyst@example.com") == [FILED]
    assert subjects(smtp_server, "desk@example.com") == [FILED]
    assert smtp_server.messages_to("russia@example.com") == []
    assert [p.status for p in webhook_receiver.posts] == [500, 500, 500]
    assert not report.ok and report.alerts.failed == [
        f"webhook analyst@example.com: webhook http://127.0.0.1:{int(webhook_receiver.url.split(':')[2].split('/')[0])}/…: "
        "HTTP 500: upstream trouble"]

    mail = smtp_server.messages_to("analyst@example.com")[0]
    text = mail.get_body(("plain",)).get_content()
    assert FILED in text and "Filed on public inspection: 2026-02-03 08:47, for publication 2026-02-04" in text
    assert "Effective: 2026-02-03" in text and "https://www.federalregister.gov/public-inspection/2026-02262" in text
    html = mail.get_body(("html",)).get_content()
    assert "<strong>Filed for publication 2026-02-04: Cambodia removed from D:5 (FR Doc. 2026-02262)</strong>" in html

    # 09:00: nothing new on the desk (one request); the webhook is retried and goes through
    report, requests = clock.poll("2026-02-03", "09:00")
    assert (report.status, requests) == (PollStatus.IDLE, 1) and report.ok
    assert report.alerts.sent == [f"webhook analyst@example.com: {FILED}"]
    [hook] = webhook_receiver.accepted
    assert hook["text"] == FILED + " https://www.federalregister.gov/public-inspection/2026-02262"
    assert (hook["event"], hook["status"], hook["retraction"]) == ("change", "announced", False)
    assert {k: hook["change"][k] for k in ("country", "group", "action", "effective_date", "status", "fr_document",
                                          "scheduled_publication_date", "filed_at")} == {
        "country": "Cambodia", "group": "D:5", "action": "removed", "effective_date": "2026-02-03",
        "status": "announced", "fr_document": CAMBODIA, "scheduled_publication_date": "2026-02-04",
        "filed_at": "2026-02-03T08:47:00.000-05:00"}

    # 09:10, 09:20: idle, one request each, nothing sent to anyone
    sent_before = (len(smtp_server.received), len(webhook_receiver.posts))
    for hm in ("09:10", "09:20"):
        report, requests = clock.poll("2026-02-03", hm)
        assert (report.status, requests, report.alerts.sent, report.alerts.failed) == (PollStatus.IDLE, 1, [], [])
    assert (len(smtp_server.received), len(webhook_receiver.posts)) == sent_before

    # 10:15 a special filing (invented), 14:00 withdrawn before publication: an alert, then a retraction
    world.desk.file(world.sample_filing("2026-02-03T10:15:00.000-05:00"), at="2026-02-03T10:15:00.000-05:00",
                    special=True)
    report, _ = clock.poll("2026-02-03", "10:20")
    assert report.alerts.sent == [f"email desk@example.com: {SAMPLE_FILED}"]
    world.desk.withdraw(SAMPLE, at="2026-02-03T14:00:00.000-05:00")
    report, requests = clock.poll("2026-02-03", "14:10")
    assert report.status is PollStatus.CHANGED and report.withdrawn == [SAMPLE] and requests == 1
    assert report.status_moves == ["Nicaragua added E:1: announced -> withdrawn"]
    assert report.alerts.sent == [f"email desk@example.com: {RETRACTION}"]
    assert subjects(smtp_server, "desk@example.com") == [FILED, SAMPLE_FILED, RETRACTION]

    # 18:20: outside the window: nothing, not even a request
    report, requests = clock.poll("2026-02-03", "18:20")
    assert (report.status, requests, report.poll_id) == (PollStatus.SKIPPED, 0, None)

    # 2026-02-04, 06:00: the rule is published (effective the day before); 08:45 the next issue goes up
    world.publish_cambodia()
    assert run_once(settings, db_path, today=date(2026, 2, 4)).ok
    world.desk.next_issue("2026-02-05", [], at="2026-02-04T08:45:00.000-05:00")
    report, _ = clock.poll("2026-02-04", "08:50")
    assert report.withdrawn == []                   # it left the desk because it was published
    assert sorted(report.alerts.sent) == [f"email analyst@example.com: {PUBLISHED}",
                                          f"webhook analyst@example.com: {PUBLISHED}"]
    assert subjects(smtp_server, "analyst@example.com") == [FILED, PUBLISHED]
    assert subjects(smtp_server, "desk@example.com") == [FILED, SAMPLE_FILED, RETRACTION]   # asked: announced only
    assert [h["status"] for h in webhook_receiver.accepted] == ["announced", "published"]

    db = open_db(db_path)
    assert "SECRET" not in json.dumps(db.execute("SELECT * FROM alerts_sent").fetchall())   # the hook's token
    ledger = db.execute("SELECT recipient, channel, status, state, attempts FROM alerts_sent"
                        " WHERE state != 'superseded' ORDER BY recipient, channel, first_attempt_at, status").fetchall()
    db.close()
    assert ledger == [
        ("analyst@example.com", "email", "announced", "sent", 1),
        ("analyst@example.com", "email", "published", "sent", 1),
        ("analyst@example.com", "webhook", "announced", "sent", 2),
        ("analyst@example.com", "webhook", "published", "sent", 1),
        ("desk@example.com", "email", "announced", "sent", 1),
        ("desk@example.com", "email", "announced", "sent", 1),
        ("desk@example.com", "email", "withdrawn", "sent", 1),
    ]

    # frtrack status: the last poll and the ledger
    result = CliRunner().invoke(cli, ["--db", str(db_path), "status", "--json"])
    polls = json.loads(result.output)["polls"]
    assert polls["last_poll"]["status"] == "changed" and polls["alerts"]["counts"]["sent"] == 7
    text = CliRunner().invoke(cli, ["--db", str(db_path), "status"]).output
    assert "alert ledger: 7 sent, 0 failed (retried on the next poll), 0 abandoned" in text
    assert f"webhook analyst@example.com: {PUBLISHED}" in text


@pytest.mark.parametrize(("etag", "stamps", "why"), [
    (True, True, "304 Not Modified"),
    (False, True, "same filing stamps"),
    (False, False, "same body"),
])
def test_an_idle_poll_is_one_request_whatever_the_server_honours(replay_server, smtp_server, tmp_path,
                                                                 etag, stamps, why):
    world = AlertWorld(replay_server, etag=etag, stamps=stamps)
    settings = world.settings([{"email": "analyst@example.com"}], smtp_server.port)
    world.desk.next_issue("2026-02-04", [world.cambodia_filing()], at="2026-02-03T08:47:00.000-05:00")
    db_path = tmp_path / "frtrack.db"
    first = poll_once(settings, db_path, now=at("2026-02-03", "08:50"))
    assert first.status is PollStatus.CHANGED
    for hm in ("09:00", "09:10", "09:20"):
        before = world.desk_requests()
        total = len(replay_server.requests)
        report = poll_once(settings, db_path, now=at("2026-02-03", hm))
        assert (report.status, report.note) == (PollStatus.IDLE, why)
        assert (world.desk_requests() - before, len(replay_server.requests) - total) == (1, 1)
    # the headers that decide it: If-None-Match only when the server gave an ETag
    sent = [r.headers.get("If-None-Match") for r in replay_server.requests if r.path.endswith("current.json")]
    assert all(sent[1:]) if etag else not any(sent)


def test_cron_poll_command_pins_the_clock_and_exits_1_while_an_alert_fails(replay_server, smtp_server, tmp_path,
                                                                           monkeypatch):
    world = AlertWorld(replay_server)
    config = tmp_path / "frtrack.toml"
    config.write_text(
        f'[sources]\nfr_api_base = "{replay_server.url}/api/v1"\necfr_api_base = "{replay_server.url}/api/versioner/v1"\n'
        'max_retries = 0\n[watch]\nsince = "2026-01-01"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_server.port}\nsecurity = "plain"\n'
        '[alerts]\nretries = 0\n[[recipients]]\nemail = "analyst@example.com"\n'
        '[[recipients]]\nemail = "refused@example.com"\n', encoding="utf-8")
    smtp_server.reject("refused@example.com")
    world.desk.next_issue("2026-02-04", [world.cambodia_filing()], at="2026-02-03T08:47:00.000-05:00")
    db = tmp_path / "frtrack.db"
    run = CliRunner().invoke(cli, ["--config", str(config), "--db", str(db), "poll"],
                             env={"FRTRACK_NOW": "2026-02-03T08:50:00-05:00"})
    assert run.exit_code == 1, run.output
    assert "changed" in run.output and f"sent email analyst@example.com: {FILED}" in run.output
    assert subjects(smtp_server, "analyst@example.com") == [FILED]
    night = CliRunner().invoke(cli, ["--config", str(config), "--db", str(db), "poll"],
                               env={"FRTRACK_NOW": "2026-02-03T23:50:00-05:00"})
    assert night.exit_code == 0 and "skipped" in night.output and "outside the poll window" in night.output


def test_other_agencies_filing_all_day_cost_one_request_and_no_derivation(replay_server, smtp_server, tmp_path):
    world = AlertWorld(replay_server)
    settings = world.settings([{"email": "analyst@example.com"}], smtp_server.port)
    world.desk.next_issue("2026-02-04", [world.cambodia_filing()], at="2026-02-03T08:47:00.000-05:00")
    db_path = tmp_path / "frtrack.db"
    assert poll_once(settings, db_path, now=at("2026-02-03", "08:50")).status is PollStatus.CHANGED
    for i, hm in enumerate(("09:00", "09:10", "09:20")):
        world.desk.file(other_agency_entry(f"2026-0230{i}", "2026-02-04"), at=f"2026-02-03T{hm}:00.000-05:00")
        before = len(replay_server.requests)
        report = poll_once(settings, db_path, now=at("2026-02-03", hm))
        assert (report.status, report.note) == (PollStatus.IDLE, "the desk changed, nothing of the watched agencies did")
        assert len(replay_server.requests) - before == 1
    db = open_db(db_path)
    assert db.execute("SELECT trigger, status FROM runs").fetchall() == [("poll", "ok")]   # derived once
    assert db.execute("SELECT status FROM polls ORDER BY id").fetchall() == [("changed",), ("idle",), ("idle",),
                                                                             ("idle",)]
    db.close()
