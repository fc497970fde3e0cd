"""What a mail carries and which days it covers: shared by the digest, the alerts and the mailer."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Window:
    """Inclusive date range a digest covers; the ledger key with the recipient."""

    start: date
    end: date

    @classmethod
    def for_run(cls, today: date, days: int = 7, since: date | None = None) -> Window:
        end = today - timedelta(days=1)
        start = since if since is not None else today - timedelta(days=days)
        return cls(start, max(start, end))

    def contains(self, value: str | date | None) -> bool:
        if not value:
            return False
        day = value.isoformat() if isinstance(value, date) else str(value)[:10]
        return self.start.isoformat() <= day <= self.end.isoformat()

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
