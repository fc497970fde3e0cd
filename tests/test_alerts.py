"""Who gets which instant alert, the ledger's states, the alert config keys, and polls in `frtrack status`.

The store rows are written as the engine writes them (a change, its status
log, its documents); mail goes to the real aiosmtpd server on 127.0.0.1.
"""
from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner

from parsers.errors import ConfigError
from pipeline.alerts import AlertLedger, deliver, plan
from pipeline.cli import cli
from pipeline.config import settings_from_dict
from pipeline.status import build_status, format_status
from store.db import open_db
from store.enums import AlertState

TODAY = date(2026, 2, 4)


def _settings(recipients, smtp_port=25, **alerts):
    return settings_from_dict({"smtp": {"host": "127.0.0.1", "port": smtp_port, "security": "plain"},
                               "alerts": {"retry_backoff": 0.0, **alerts}, "recipients": recipients}, environ={})


def add_change(db, key, country, grp, action, *, statuses, effective, fr=None, published=None, ecfr=None,
               at="2026-02-04T11:00:00+00:00"):
    """A change whose status log holds ``statuses`` (the last is its status now)."""
    if fr and published and not db.execute("SELECT 1 FROM fr_documents WHERE document_number = ?", [fr]).fetchone():
        db.execute("INSERT INTO fr_documents (document_number, publication_date, citation) VALUES (?,?,?)",
                   [fr, published, None])
    cid = db.execute("INSERT INTO changes (change_key, country, group_code, action, effective_date, status,"
                     " fr_document, ecfr_version, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                     [key, country, grp, action, effective, statuses[-1], fr if published else None, ecfr, at,
                      at]).lastrowid
    for s in statuses:
        db.execute("INSERT INTO change_status_log (change_id, status, at) VALUES (?,?,?)", [cid, s, at])
    return cid


def move(db, cid, status, at="2026-02-05T11:00:00+00:00"):
    db.execute("UPDATE changes SET status = ? WHERE id = ?", [status, cid])
    db.execute("INSERT INTO change_status_log (change_id, status, at) VALUES (?,?,?)", [cid, status, at])


def owed(db, settings, today=TODAY):
    return [(d.recipient.email, d.channel.value, d.alert.subject) for d in plan(db, settings, today=today)]


def test_history_is_not_news_a_fresh_change_is(fresh_db):
    add_change(fresh_db, "Cambodia|D:5|added|fr:2021-26633", "Cambodia", "D:5", "added",
               statuses=["published", "in_effect", "confirmed"], effective="2021-12-09", fr="2021-26633",
               published="2021-12-09", ecfr="2021-12-09")
    add_change(fresh_db, "Cambodia|D:5|removed|fr:2026-02262", "Cambodia", "D:5", "removed",
               statuses=["in_effect"], effective="2026-02-03", fr="2026-02262", published="2026-02-04")
    settings = _settings([{"email": "a@example.com"}])
    assert owed(fresh_db, settings) == [
        ("a@example.com", "email", "In effect 2026-02-03: Cambodia removed from D:5 (FR Doc. 2026-02262)")]
    # a week and more later, the same fact is history
    assert owed(fresh_db, settings, today=TODAY + timedelta(days=9)) == []


def test_first_alert_is_the_latest_status_later_moves_only_when_asked(fresh_db):
    cid = add_change(fresh_db, "Cambodia|D:5|removed|fr:2026-02262", "Cambodia", "D:5", "removed",
                     statuses=["published", "in_effect"], effective="2026-02-03", fr="2026-02262",
                     published="2026-02-04")
    quiet = {"email": "quiet@example.com", "alerts": ["announced"]}
    eager = {"email": "eager@example.com", "alerts": ["announced", "confirmed"]}
    settings = _settings([quiet, eager])
    first = "In effect 2026-02-03: Cambodia removed from D:5 (FR Doc. 2026-02262)"
    assert owed(fresh_db, settings) == [("quiet@example.com", "email", first), ("eager@example.com", "email", first)]
    ledger = AlertLedger(fresh_db)
    for d in plan(fresh_db, settings, today=TODAY, ledger=ledger):
        ledger.record(d.recipient.email, d.channel, d.alert, AlertState.SENT)
    # the older "published" step was superseded, never sent
    assert fresh_db.execute("SELECT recipient, status, state FROM alerts_sent ORDER BY recipient, status").fetchall() == [
        ("eager@example.com", "in_effect", "sent"), ("eager@example.com", "published", "superseded"),
        ("quiet@example.com", "in_effect", "sent"), ("quiet@example.com", "published", "superseded")]
    assert owed(fresh_db, settings) == []
    fresh_db.execute("UPDATE changes SET ecfr_version = '2026-02-05' WHERE id = ?", [cid])
    move(fresh_db, cid, "confirmed")
    assert owed(fresh_db, settings) == [
        ("eager@example.com", "email", "Confirmed by the eCFR of 2026-02-05: Cambodia removed from D:5 (FR Doc. 2026-02262)")]


def test_watchlists_compare_country_identities_and_groups(fresh_db):
    add_change(fresh_db, "Burma|D:5|added|fr:2026-03001", "Burma", "D:5", "added", statuses=["in_effect"],
               effective="2026-02-04", fr="2026-03001", published="2026-02-04")
    settings = _settings([{"email": "myanmar@example.com", "countries": ["Myanmar"]},
                          {"email": "e1@example.com", "groups": ["E:1"]},
                          {"email": "d5@example.com", "countries": ["burma"], "groups": ["D:5"]},
                          {"email": "none@example.com", "alerts": []}])
    assert [who for who, _, _ in owed(fresh_db, settings)] == ["myanmar@example.com", "d5@example.com"]


def test_a_withdrawn_change_supersedes_a_failed_first_alert_and_retracts_only_what_went_out(fresh_db, smtp_server):
    cid = add_change(fresh_db, "Cambodia|D:5|removed|fr:2026-02262", "Cambodia", "D:5", "removed",
                     statuses=["announced"], effective="2026-02-03")
    fresh_db.execute("INSERT INTO public_inspection (document_number, filed_at, publication_date) VALUES (?,?,?)",
                     ["2026-02262", "2026-02-03T08:47:00-05:00", "2026-02-04"])
    smtp_server.reject("refused@example.com")
    settings = _settings([{"email": "ok@example.com"}, {"email": "refused@example.com"}], smtp_server.port)
    report = deliver(settings, fresh_db, today=TODAY)
    assert report.sent == ["email ok@example.com: Filed for publication 2026-02-04: Cambodia removed from D:5"
                           " (FR Doc. 2026-02262)"]
    assert len(report.failed) == 1 and "550" in report.failed[0]
    fresh_db.execute("UPDATE public_inspection SET withdrawn_at = '2026-02-03T19:10:00+00:00'")
    move(fresh_db, cid, "withdrawn")
    report = deliver(settings, fresh_db, today=TODAY)
    assert report.sent == ["email ok@example.com: Retraction: FR Doc. 2026-02262 was withdrawn from public inspection"
                           " before publication; Cambodia removed from D:5 is no longer announced"]
    assert fresh_db.execute("SELECT recipient, status, state FROM alerts_sent ORDER BY recipient, status").fetchall() == [
        ("ok@example.com", "announced", "sent"), ("ok@example.com", "withdrawn", "sent"),
        ("refused@example.com", "announced", "superseded")]
    assert deliver(settings, fresh_db, today=TODAY).sent == []
    # filed again (relisted on the desk): news again, for everyone, under a new ledger key
    fresh_db.execute("UPDATE public_inspection SET withdrawn_at = NULL")
    move(fresh_db, cid, "announced")
    again = deliver(settings, fresh_db, today=TODAY)
    assert again.sent == ["email ok@example.com: Filed for publication 2026-02-04: Cambodia removed from D:5"
                          " (FR Doc. 2026-02262)"] and len(again.failed) == 1
    assert fresh_db.execute("SELECT event FROM alerts_sent WHERE recipient = 'ok@example.com' ORDER BY rowid"
                            ).fetchall() == [("change:Cambodia|D:5|removed|fr:2026-02262:announced",),
                                             ("change:Cambodia|D:5|removed|fr:2026-02262:withdrawn",),
                                             ("change:Cambodia|D:5|removed|fr:2026-02262:announced#1",)]


def test_a_change_no_longer_derived_retracts_with_the_reason(fresh_db, smtp_server):
    cid = add_change(fresh_db, "Cambodia|D:5|removed|fr:2026-02262", "Cambodia", "D:5", "removed",
                     statuses=["in_effect"], effective="2026-02-03", fr="2026-02262", published="2026-02-04")
    settings = _settings([{"email": "a@example.com"}], smtp_server.port)
    assert len(deliver(settings, fresh_db, today=TODAY).sent) == 1
    move(fresh_db, cid, "withdrawn")
    fresh_db.execute("UPDATE change_status_log SET note = 'was in_effect; no longer derived from the stored documents'"
                     " WHERE status = 'withdrawn'")
    assert deliver(settings, fresh_db, today=TODAY).sent == [
        "email a@example.com: Retraction: Cambodia removed from D:5 (FR Doc. 2026-02262) is no longer derived from"
        " the sources"]
    body = smtp_server.messages_to("a@example.com")[-1].get_body(("plain",)).get_content()
    assert "Why: was in_effect; no longer derived from the stored documents" in body


def test_review_items_go_to_who_asked_and_failures_end_abandoned_in_status(fresh_db, smtp_server):
    fresh_db.execute("INSERT INTO fr_documents (document_number, publication_date) VALUES ('2026-03001', '2026-02-04')")
    fresh_db.execute("INSERT INTO review_items (document_number, instruction_index, text, reason, created_at, subject)"
                     " VALUES ('2026-03001', 0, 'Supplement No. 1 to part 740 is amended by transferring the entry',"
                     " 'unrecognized amendment wording', '2026-02-04T11:00:00+00:00', 'fr_document')")
    settings = _settings([{"email": "review@example.com"}, {"email": "changes@example.com", "alerts": ["published"]}],
                         smtp_server.port, max_attempts=2)
    smtp_server.stop()                                   # the mail server is down: refused, twice
    for _ in range(2):
        report = deliver(settings, fresh_db, today=TODAY)
    assert report.sent == [] and len(report.abandoned) == 1
    assert report.abandoned[0].startswith("email review@example.com: Needs review: FR Doc. 2026-03001, instruction 1:"
                                          " unrecognized amendment wording")
    status = build_status(fresh_db, now=datetime(2026, 2, 4, 16, 0, tzinfo=UTC))
    assert "1 alert(s) abandoned after every attempt failed (see the alert ledger below)" in status["problems"]
    assert "ABANDONED email review@example.com after 2 attempts: Needs review" in format_status(status)
    smtp_server.start()
    assert deliver(settings, fresh_db, today=TODAY).sent == []     # abandoned stays abandoned


def _poll_row(db, started: datetime, status="idle"):
    db.execute("INSERT INTO polls (started_at, finished_at, status, requests) VALUES (?,?,?,1)",
               [started.isoformat(timespec="seconds"), started.isoformat(timespec="seconds"), status])


def _ok_run(db, at: datetime):
    db.execute("INSERT INTO runs (started_at, finished_at, status, trigger, today) VALUES (?,?,'ok','cli',?)",
               [at.isoformat(), at.isoformat(), at.date().isoformat()])


def test_status_check_fails_when_polls_stop_during_business_hours(tmp_path):
    db_path = tmp_path / "frtrack.db"
    db = open_db(db_path)
    tuesday_11am = datetime(2026, 2, 3, 16, 0, tzinfo=UTC)       # 11:00 New York
    _ok_run(db, tuesday_11am - timedelta(hours=2))
    assert build_status(db, now=tuesday_11am)["healthy"]                  # never polled: polling is optional
    _poll_row(db, tuesday_11am - timedelta(minutes=25))
    assert build_status(db, now=tuesday_11am)["healthy"]                  # 25 min < 3 x 10 min
    _poll_row(db, tuesday_11am - timedelta(minutes=20), status="failed")
    late = build_status(db, now=tuesday_11am + timedelta(minutes=10))
    assert late["problems"] == ["public-inspection polls stopped during business hours: the last successful poll was "
                                "2026-02-03T15:35:00+00:00, 35 min ago (limit 30 min; last poll failed)"]
    assert build_status(db, now=datetime(2026, 2, 3, 23, 30, tzinfo=UTC))["problems"] == []   # 18:30 ET
    presidents_day = datetime(2026, 2, 16, 16, 0, tzinfo=UTC)   # a federal holiday: no polls expected
    _ok_run(db, presidents_day - timedelta(hours=1))
    assert build_status(db, now=presidents_day)["problems"] == []
    db.close()
    result = CliRunner().invoke(cli, ["--db", str(db_path), "status", "--check"],
                                env={"FRTRACK_NOW": "2026-02-03T16:10:00+00:00"})
    assert result.exit_code == 3, result.output
    assert "last poll: #2 failed" in result.output and "polls stopped during business hours" in result.output


@pytest.mark.parametrize(("raw", "key", "problem"), [
    ({"recipients": [{"email": "a@example.com", "alerts": ["announced", "rumoured"]}]}, "recipients[0].alerts[1]",
     "unknown alert 'rumoured'"),
    ({"recipients": [{"email": "a@example.com", "webhook": "hooks.example.com/x"}]}, "recipients[0].webhook",
     "expected an http:// or https:// URL"),
    ({"recipients": [{"email": "a@example.com", "alert_email": False}]}, "recipients[0].alert_email",
     "no webhook is set"),
    ({"schedule": {"poll_window": "18:00-08:30"}}, "schedule.poll_window", "must end after it starts"),
    ({"schedule": {"poll_window": "morning"}}, "schedule.poll_window", "such as '08:30-18:00'"),
    ({"schedule": {"poll": "every ten minutes"}}, "schedule.poll", "is not a crontab line"),
    ({"alerts": {"max_attempts": 0}}, "alerts.max_attempts", "must be at least 1"),
    ({"alerts": {"loud": True}}, "alerts.loud", "unknown key"),
])
def test_alert_config_is_checked_naming_the_key(raw, key, problem):
    with pytest.raises(ConfigError) as err:
        settings_from_dict(raw, "frtrack.toml", environ={})
    assert err.value.key == key and problem in str(err.value)


def test_alert_config_defaults():
    s = settings_from_dict({"recipients": [{"email": "a@example.com"}]}, environ={})
    assert (s.schedule.poll, s.schedule.poll_window) == ("*/10 * * * *", "08:30-18:00")
    assert s.recipients[0].alerts == ("announced", "published", "contradicted", "unattributed", "review")
    assert (s.alerts.enabled, s.alerts.max_age_days, s.alerts.retries, s.alerts.max_attempts) == (True, 7, 2, 20)
    assert json.loads(json.dumps(list(s.recipients[0].alerts)))[0] == "announced"


def test_alert_html_is_strict_xml_and_escapes_what_came_from_outside():
    from lxml import etree

    from pipeline.alerts import Alert, render_alert
    from pipeline.config import Recipient
    alert = Alert(event="review:x", kind="review", change_key=None,
                  subject='Needs review: FR Doc. 2099-90002: wording "<b>&" we cannot read',
                  details=(("Text", "Supplement No. 1 <script>alert(1)</script> & more"),),
                  url="https://www.federalregister.gov/d/2099-90002", data={}, fact_date="2026-02-04")
    rendered = render_alert(alert, Recipient(email="a@example.com"))
    root = etree.fromstring(rendered.html.encode(), etree.XMLParser(resolve_entities=False, no_network=True))
    text = "".join(root.itertext())
    assert "<script>alert(1)</script> & more" in text and "<script>" not in rendered.html
    assert 'wording "<b>&" we cannot read' in rendered.text and "Text: Supplement No. 1 <script>" in rendered.text


def test_poll_interval_is_the_shortest_gap_of_the_trigger():
    from pipeline.config import Schedule
    from pipeline.status import poll_interval_minutes
    friday_evening = datetime(2026, 2, 13, 22, 55, tzinfo=UTC)      # 17:55 New York
    assert poll_interval_minutes(Schedule(poll="*/10 8-18 * * mon-fri"), friday_evening) == 10
    assert poll_interval_minutes(Schedule(poll="interval:300"), friday_evening) == 5
    assert poll_interval_minutes(Schedule(poll="off"), friday_evening) is None


def test_a_webhook_429_is_waited_out_as_retry_after_says(fresh_db, webhook_receiver):
    add_change(fresh_db, "Cambodia|D:5|removed|fr:2026-02262", "Cambodia", "D:5", "removed",
               statuses=["in_effect"], effective="2026-02-03", fr="2026-02262", published="2026-02-04")
    settings = _settings([{"email": "a@example.com", "webhook": webhook_receiver.url, "alert_email": False}])
    webhook_receiver.fail(1, status=429)
    slept = []
    report = deliver(settings, fresh_db, today=TODAY, sleep=slept.append)
    assert [p.status for p in webhook_receiver.posts] == [429, 200] and slept == [7.0]
    assert report.sent == ["webhook a@example.com: In effect 2026-02-03: Cambodia removed from D:5 (FR Doc. 2026-02262)"]
