"""Turning a rendered digest into MIME mail, sending it over SMTP, and the sent ledger.

One message per recipient, each on its own SMTP connection: a recipient the
server refuses (550) or a dropped connection costs that recipient only. The
ledger (table ``digests_sent``) is written after every recipient in its own
transaction, so a crash mid-run never resends to those already served.
"""
from __future__ import annotations

import re
import smtplib
import socket
import ssl
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from sqlite_utils import Database

from parsers.errors import MailError
from pipeline.config import Recipient, Settings, Smtp
from pipeline.publish.envelope import Rendered, Window
from store import ledgers
from store.enums import DigestStatus

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u0085]+")


class SendError(MailError):
    """The SMTP server refused or failed for one recipient; ``reason`` is the short form."""

    def __init__(self, recipient: str, server: str, reason: str):
        self.recipient, self.server, self.reason = recipient, server, reason
        super().__init__(f"mail to {recipient} via {server}: {reason}")


def clean_header(value: str, limit: int = 250) -> str:
    """One line, no CR/LF or control characters: data never becomes a new header."""
    text = " ".join(_CONTROL.sub(" ", value).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _address(email: str, name: str = "") -> Address:
    email = clean_header(email, 320)
    if "@" not in email or " " in email:
        raise MailError(f"not an email address: {email!r}")
    local, _, domain = email.rpartition("@")
    return Address(display_name=clean_header(name, 100), username=local, domain=domain)


def build_message(settings: Settings, recipient: Recipient, rendered: Rendered,
                  now: datetime | None = None) -> EmailMessage:
    """multipart/alternative (text first, HTML preferred), UTF-8, with Date and Message-ID."""
    sender = _address(settings.smtp.sender, "frtrack")
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = _address(recipient.email, recipient.name)
    msg["Subject"] = clean_header(rendered.subject)
    msg["Date"] = format_datetime(now or datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain=sender.domain or "localhost")
    unsubscribe = clean_header(settings.digest.list_unsubscribe)
    if unsubscribe:
        msg["List-Unsubscribe"] = f"<{unsubscribe.strip('<>')}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(rendered.text, subtype="plain", charset="utf-8")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8")
    return msg


def _connect(smtp: Smtp) -> smtplib.SMTP:
    if smtp.security == "tls":
        return smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout,
                                context=ssl.create_default_context())
    conn = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    if smtp.security == "starttls":
        try:
            conn.ehlo()
            conn.starttls(context=ssl.create_default_context())
            conn.ehlo()
        except BaseException:
            conn.close()   # not yet inside the caller's `with`: a refused STARTTLS would leak the socket
            raise
    return conn


def _reason(exc: BaseException, smtp: Smtp | None = None) -> str:
    """The failure in words, with the config key to change where one would fix it."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"
    if isinstance(exc, smtplib.SMTPNotSupportedError) and "STARTTLS" in str(exc).upper():
        return ('the server does not offer STARTTLS; set smtp.security = "plain" if it takes unencrypted '
                'mail, or "tls" if it speaks TLS from the first byte')
    if isinstance(exc, smtplib.SMTPNotSupportedError) and "AUTH" in str(exc).upper():
        return ('the server offers no login; remove smtp.username, or use smtp.security = "starttls" '
                'if it offers AUTH only after STARTTLS')
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        env = smtp.password_env if smtp else "FRTRACK_SMTP_PASSWORD"
        return f"login refused ({_reply(exc)}); check smtp.username and ${env}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc)
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused; check smtp.host and smtp.port"
    if isinstance(exc, socket.gaierror):
        return "cannot resolve the host name; check smtp.host"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        secs = f" within {smtp.timeout:g}s" if smtp else ""
        return f"no answer{secs}; check smtp.host and smtp.port (and smtp.timeout)"
    if isinstance(exc, ssl.SSLError):
        return (f"TLS handshake failed ({exc.reason or exc}); if the server does not speak TLS on connect, "
                'set smtp.security = "starttls" or "plain"')
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"the server closed the connection ({exc or 'no reason given'})"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _reply(exc: smtplib.SMTPResponseException) -> str:
    err = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
    return f"{exc.smtp_code} {err}"


def send_message(smtp: Smtp, msg: EmailMessage) -> None:
    """Send one message; any refusal or network failure becomes SendError."""
    server = f"{smtp.host}:{smtp.port}"
    to = msg["To"].addresses[0].addr_spec
    try:
        with _connect(smtp) as conn:
            if smtp.username:
                password = smtp.password
                if password is None:
                    raise SendError(to, server, f"smtp.username is set but ${smtp.password_env} is empty")
                conn.login(smtp.username, password)
            conn.send_message(msg, to_addrs=[to])
    except SendError:
        raise
    except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
        raise SendError(to, server, clean_header(_reason(exc, smtp), 300)) from exc


class SentLedger:
    """(recipient, window) -> sent once; failures counted and retried on the next run."""

    def __init__(self, db: Database):
        self.db = db

    def get(self, recipient: str, window: Window) -> dict[str, Any] | None:
        return ledgers.digest_row(self.db, recipient, window.start.isoformat(), window.end.isoformat())

    def already_sent(self, recipient: str, window: Window) -> bool:
        row = self.get(recipient, window)
        return row is not None and DigestStatus(row["status"]) is DigestStatus.SENT

    def _record(self, recipient: str, window: Window, status: DigestStatus, *, error: str | None,
                message_id: str | None, subject: str | None) -> None:
        ledgers.record_digest(self.db, recipient, window.start.isoformat(), window.end.isoformat(), status,
                              error=error, message_id=message_id, subject=subject)

    def record_sent(self, recipient: str, window: Window, *, message_id: str, subject: str) -> None:
        self._record(recipient, window, DigestStatus.SENT, error=None, message_id=message_id, subject=subject)

    def record_failure(self, recipient: str, window: Window, error: str, *, subject: str | None = None) -> None:
        self._record(recipient, window, DigestStatus.FAILED, error=error, message_id=None, subject=subject)
