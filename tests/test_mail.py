"""Sending the digest to a real aiosmtpd server on 127.0.0.1, and the sent ledger.

Dates are frozen with ``today``: 2026-02-08 gives the default window
2026-02-01..2026-02-07, which holds the Cambodia D:5 removal of the seeded data.
"""
from __future__ import annotations

import email.policy
from datetime import date

import pytest
from lxml import etree

from parsers.errors import ConfigError, MailError
from pipeline.config import Digest, Recipient, Settings, Smtp
from pipeline.publish.digest import PLACEHOLDER, Window, build_digest, digest_command, render_digest
from pipeline.publish.mail import SentLedger, build_message, clean_header, send_message
from store.enums import DigestStatus

FEB8 = date(2026, 2, 8)
WINDOW = Window(date(2026, 2, 1), date(2026, 2, 7))
CAMBODIA = ("Cambodia: removed from D:5 (U.S. Arms Embargoed Countries), effective 2026-02-03, "
            "FR Doc. 2026-02262")


def settings_for(server, *recipients: Recipient, **digest) -> Settings:
    return Settings(smtp=Smtp(host=server.host, port=server.port, security="plain", sender="frtrack@example.org",
                              timeout=10.0),
                    digest=Digest(**digest), recipients=tuple(recipients))


def run(settings, db, **kw):
    return digest_command(settings, db, since=kw.pop("since", None), out=None, send=True,
                          today=kw.pop("today", FEB8))


def visible(html: str) -> str:
    root = etree.fromstring(html.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    return " ".join("".join(root.itertext()).split())


def ledger_rows(db):
    return [tuple(r) for r in db.execute(
        "SELECT recipient, window_start, window_end, status, attempts, last_error IS NOT NULL"
        " FROM digests_sent ORDER BY recipient")]


def test_received_message_has_both_parts_and_the_cambodia_line(seeded_db, smtp_server):
    settings = settings_for(smtp_server, Recipient("analyst@example.com", name="Export Analyst"),
                            list_unsubscribe="https://frtrack.example.org/unsubscribe")
    report = run(settings, seeded_db)
    assert report.ok and report.summary() == "sent to 1 of 1 recipient"
    [got] = smtp_server.received
    assert got.rcpt_tos == ["analyst@example.com"] and got.mail_from == "frtrack@example.org"
    msg = got.message
    assert msg["To"] == "Export Analyst <analyst@example.com>"
    assert msg["Subject"] == "frtrack: 1 country-group change — Cambodia removed from D:5"
    assert msg["List-Unsubscribe"] == "<https://frtrack.example.org/unsubscribe>"
    assert msg["Date"] and msg["Message-ID"].startswith("<") and msg["Message-ID"].endswith("@example.org>")
    assert msg.get_content_type() == "multipart/alternative"
    plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert plain.get_content_charset() == html.get_content_charset() == "utf-8"
    assert CAMBODIA in plain.get_content()
    assert CAMBODIA in visible(html.get_content())
    assert ledger_rows(seeded_db) == [("analyst@example.com", "2026-02-01", "2026-02-07", "sent", 1, 0)]
    row = SentLedger(seeded_db).get("analyst@example.com", WINDOW)
    assert row["message_id"] == msg["Message-ID"] and row["subject"] == msg["Subject"]


def test_each_recipient_gets_only_their_watchlist(seeded_db, smtp_server):
    settings = settings_for(smtp_server, Recipient("ven@example.com", countries=("Venezuela",)),
                            Recipient("d5@example.com", groups=("D:5",)))
    assert run(settings, seeded_db, since=date(2026, 2, 1), today=date(2026, 2, 24)).ok
    ven, = smtp_server.messages_to("ven@example.com")
    d5, = smtp_server.messages_to("d5@example.com")
    assert ven["Subject"] == "frtrack: 1 country-group change — Venezuela added to E:2"
    assert d5["Subject"] == "frtrack: 1 country-group change — Cambodia removed from D:5"
    assert "Cambodia" not in ven.get_body(("plain",)).get_content()
    d5_text = d5.get_body(("plain",)).get_content()
    assert CAMBODIA in d5_text and "Venezuela" not in d5_text and "Belarus" not in d5_text
    assert all(len(r.rcpt_tos) == 1 for r in smtp_server.received)


def test_second_run_sends_nothing_twice(seeded_db, smtp_server):
    settings = settings_for(smtp_server, Recipient("a@example.com"), Recipient("b@example.com"))
    assert run(settings, seeded_db).summary() == "sent to 2 of 2 recipients"
    again = run(settings, seeded_db)
    assert again.ok and again.sent == [] and again.already_sent == ["a@example.com", "b@example.com"]
    assert again.summary() == "sent to 0 of 2 recipients; 2 already sent for 2026-02-01 to 2026-02-07"
    assert len(smtp_server.received) == 2
    assert [r[3:5] for r in ledger_rows(seeded_db)] == [("sent", 1), ("sent", 1)]


def test_refused_connection_is_recorded_and_retried_next_run(seeded_db, smtp_server):
    settings = settings_for(smtp_server, Recipient("a@example.com"))
    smtp_server.stop()
    failed = run(settings, seeded_db)
    assert not failed.ok
    assert failed.failed == [("a@example.com", "connection refused; check smtp.host and smtp.port")]
    assert failed.summary() == ("sent to 0 of 1 recipient; failed: a@example.com (connection refused; "
                                "check smtp.host and smtp.port)")
    assert ledger_rows(seeded_db) == [("a@example.com", "2026-02-01", "2026-02-07", "failed", 1, 1)]
    assert "connection refused" in SentLedger(seeded_db).get("a@example.com", WINDOW)["last_error"]

    smtp_server.start()
    retried = run(settings, seeded_db)
    assert retried.ok and retried.sent == ["a@example.com"]
    assert len(smtp_server.received) == 1
    assert ledger_rows(seeded_db) == [("a@example.com", "2026-02-01", "2026-02-07", "sent", 2, 1)]


def test_a_550_for_one_recipient_does_not_block_or_resend_the_others(seeded_db, smtp_server):
    smtp_server.reject("bad@example.com")
    settings = settings_for(smtp_server, Recipient("a@example.com"), Recipient("bad@example.com"),
                            Recipient("c@example.com"))
    first = run(settings, seeded_db)
    assert not first.ok and first.sent == ["a@example.com", "c@example.com"]
    [(who, why)] = first.failed
    assert who == "bad@example.com" and why.startswith("550 5.1.1 <bad@example.com>")
    assert first.summary().startswith("sent to 2 of 3 recipients; failed: bad@example.com (550 ")
    assert sorted(a for r in smtp_server.received for a in r.rcpt_tos) == ["a@example.com", "c@example.com"]
    assert [r[3] for r in ledger_rows(seeded_db)] == ["sent", "failed", "sent"]

    smtp_server.rejected.clear()
    second = run(settings, seeded_db)
    assert second.ok and second.sent == ["bad@example.com"]
    assert sorted(a for r in smtp_server.received for a in r.rcpt_tos) == [
        "a@example.com", "bad@example.com", "c@example.com"]


def test_send_error_names_recipient_server_and_reply(seeded_db, smtp_server):
    smtp_server.reject("bad@example.com")
    data = build_digest(seeded_db, Settings(), WINDOW, FEB8)
    rec = Recipient("bad@example.com")
    settings = settings_for(smtp_server, rec)
    with pytest.raises(MailError) as err:
        send_message(settings.smtp, build_message(settings, rec, render_digest(data, rec)))
    assert str(err.value).startswith(f"mail to bad@example.com via 127.0.0.1:{smtp_server.port}: 550 ")


def test_empty_week_sends_a_short_digest_or_none(seeded_db, smtp_server):
    quiet_day = date(2026, 1, 10)
    settings = settings_for(smtp_server, Recipient("a@example.com"))
    assert run(settings, seeded_db, today=quiet_day).ok
    [got] = smtp_server.received
    assert got.message["Subject"] == "frtrack: no changes (week of 2026-01-03)"
    assert "No changes in this window in any list" in got.message.get_body(("plain",)).get_content()

    muted = settings_for(smtp_server, Recipient("b@example.com"), send_empty=False)
    report = run(muted, seeded_db, today=quiet_day)
    assert report.ok and report.sent == [] and len(smtp_server.received) == 1
    assert "send_empty = false" in report.summary()


def test_hostile_title_over_smtp_reaches_only_the_recipient(seeded_db, smtp_server):
    import json
    with seeded_db.atomic():
        seeded_db.execute(
            "INSERT INTO fr_documents (document_number, doc_type, title, publication_date, agencies, cfr_references,"
            " parse_status, updated_at) VALUES (?,?,?,?,?,?,?,?)",
            ["2099-90600", "Rule", "<script>x()</script>\r\nBcc: victim@example.net\r\n\r\nbody", "2026-02-05",
             json.dumps(["industry-and-security-bureau"]), json.dumps([{"title": 15, "part": 740}]), "ok",
             "2026-02-24T12:00:00+00:00"])
    assert run(settings_for(smtp_server, Recipient("a@example.com")), seeded_db).ok
    [got] = smtp_server.received
    assert got.rcpt_tos == ["a@example.com"] and got.message["Bcc"] is None
    assert "&lt;script&gt;x()&lt;/script&gt;" in got.message.get_body(("html",)).get_content()


def test_send_without_recipients_is_a_config_error(seeded_db):
    with pytest.raises(ConfigError, match="recipients"):
        digest_command(Settings(), seeded_db, since=None, out=None, send=True, today=FEB8)


def test_clean_header_flattens_control_characters():
    assert clean_header("a\r\nBcc: x@y\x00\tz\u2028w") == "a Bcc: x@y z w"
    assert len(clean_header("x" * 500)) == 250


def test_placeholder_message_headers(seeded_db):
    data = build_digest(seeded_db, Settings(), WINDOW, FEB8)
    msg = build_message(Settings(), PLACEHOLDER, render_digest(data, PLACEHOLDER))
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert parsed["To"] == "frtrack user <digest@localhost>" and parsed["From"] == "frtrack <frtrack@localhost>"
    assert parsed["List-Unsubscribe"] is None
    assert DigestStatus("sent") is DigestStatus.SENT


# --- authentication and TLS --------------------------------------------------------------

def test_login_uses_the_password_from_the_environment(seeded_db, smtp_server_factory, monkeypatch):
    server = smtp_server_factory(credentials=("frtrack", "s3cret"))
    smtp = Smtp(host=server.host, port=server.port, security="plain", username="frtrack",
                password_env="FRTRACK_SMTP_PASSWORD", sender="frtrack@example.org", timeout=10.0)
    settings = Settings(smtp=smtp, recipients=(Recipient("a@example.com"),))

    no_password = run(settings, seeded_db)
    assert no_password.failed == [("a@example.com", "smtp.username is set but $FRTRACK_SMTP_PASSWORD is empty")]

    monkeypatch.setenv("FRTRACK_SMTP_PASSWORD", "wrong")
    wrong = run(settings, seeded_db)
    assert wrong.failed[0][1].startswith("login refused (535 ") and server.received == []
    assert wrong.failed[0][1].endswith("; check smtp.username and $FRTRACK_SMTP_PASSWORD")

    monkeypatch.setenv("FRTRACK_SMTP_PASSWORD", "s3cret")
    assert run(settings, seeded_db).ok
    assert server.logins == ["frtrack"] and len(server.received) == 1
    assert ledger_rows(seeded_db) == [("a@example.com", "2026-02-01", "2026-02-07", "sent", 3, 1)]


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_encrypted_transports(seeded_db, smtp_server_factory, smtp_tls_cert, monkeypatch, security):
    server = smtp_server_factory(tls=smtp_tls_cert, implicit_tls=security == "tls", credentials=("u", "p"))
    monkeypatch.setenv("FRTRACK_SMTP_PASSWORD", "p")
    smtp = Smtp(host=server.host, port=server.port, security=security, username="u", sender="frtrack@example.org",
                timeout=10.0)
    report = run(Settings(smtp=smtp, recipients=(Recipient("a@example.com"),)), seeded_db)
    assert report.ok, report.summary()
    assert server.logins == ["u"]
    assert CAMBODIA in server.received[0].message.get_body(("plain",)).get_content()


def test_starttls_refused_by_a_plain_server_is_a_recorded_failure(seeded_db, smtp_server):
    smtp = Smtp(host=smtp_server.host, port=smtp_server.port, security="starttls", timeout=10.0)
    report = run(Settings(smtp=smtp, recipients=(Recipient("a@example.com"),)), seeded_db)
    assert not report.ok and "STARTTLS" in report.failed[0][1] and smtp_server.received == []


def test_a_malformed_address_fails_alone(seeded_db, smtp_server):
    settings = settings_for(smtp_server, Recipient("not an address"), Recipient("a@example.com"))
    report = run(settings, seeded_db)
    assert report.sent == ["a@example.com"]
    assert report.failed == [("not an address", "not an email address: 'not an address'")]
    assert [r[3] for r in ledger_rows(seeded_db)] == ["sent", "failed"]
