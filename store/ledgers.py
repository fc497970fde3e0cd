"""Who was sent what: the alert ledger (``alerts_sent``) and the digest ledger (``digests_sent``).

Each is written after every attempt, in its own transaction, so a crash never
resends what already went and a failure is retried by the next poll or run.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from store.db import utcnow
from store.enums import AlertChannel, AlertState, DigestStatus


@dataclass(frozen=True)
class AlertRow:
    """One (recipient, channel, event) of the alert ledger after an attempt (or a decision not to send)."""

    recipient: str
    channel: AlertChannel
    event: str                 # 'change:<change key>:<status>[#epoch]' | 'review:<digest>'
    change_key: str | None
    status: str                # the ChangeStatus value alerted, or 'review'
    state: AlertState
    attempts: int
    subject: str | None
    last_error: str | None
    first_attempt_at: str
    sent_at: str | None

    def as_dict(self) -> dict[str, Any]:
        """The row as ``alert_rows`` returns it (enum values as stored)."""
        return {"recipient": self.recipient, "channel": self.channel.value, "event": self.event,
                "change_key": self.change_key, "status": self.status, "state": self.state.value,
                "attempts": self.attempts, "subject": self.subject, "last_error": self.last_error,
                "first_attempt_at": self.first_attempt_at, "sent_at": self.sent_at}


def alert_rows(db: Database) -> list[dict[str, Any]]:
    """The whole alert ledger, in the order it was written."""
    return db.execute_returning_dicts("SELECT * FROM alerts_sent ORDER BY rowid")


def record_alert(db: Database, row: AlertRow) -> None:
    """Write one ledger row; an existing (recipient, channel, event) keeps its first attempt time."""
    values = list(row.as_dict().values())     # in the table's column order
    with db.atomic():
        db.execute(
            "INSERT INTO alerts_sent (recipient, channel, event, change_key, status, state, attempts, subject,"
            " last_error, first_attempt_at, sent_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT (recipient, channel, event) DO UPDATE SET state = excluded.state,"
            " attempts = excluded.attempts, subject = excluded.subject, last_error = excluded.last_error,"
            " sent_at = excluded.sent_at", values)


def digest_row(db: Database, recipient: str, window_start: str, window_end: str) -> dict[str, Any] | None:
    """The digest ledger's row for one recipient and window, or None when nothing was tried."""
    rows = db.execute_returning_dicts(
        "SELECT recipient, window_start, window_end, status, attempts, last_error, message_id, subject, sent_at"
        " FROM digests_sent WHERE recipient = ? AND window_start = ? AND window_end = ?",
        [recipient, window_start, window_end])
    return rows[0] if rows else None


def record_digest(db: Database, recipient: str, window_start: str, window_end: str, status: DigestStatus, *,
                  error: str | None, message_id: str | None, subject: str | None) -> None:
    """Count one attempt at a recipient's digest for a window; the last error is kept until one succeeds."""
    with db.atomic():
        db.execute(
            "INSERT INTO digests_sent (recipient, window_start, window_end, status, attempts, last_error,"
            " message_id, subject, sent_at) VALUES (?,?,?,?,1,?,?,?,?)"
            " ON CONFLICT (recipient, window_start, window_end) DO UPDATE SET status = excluded.status,"
            " attempts = digests_sent.attempts + 1,"
            " last_error = coalesce(excluded.last_error, digests_sent.last_error),"
            " message_id = excluded.message_id, subject = excluded.subject, sent_at = excluded.sent_at",
            [recipient, window_start, window_end, status.value, error, message_id, subject,
             utcnow(db) if status is DigestStatus.SENT else None])
