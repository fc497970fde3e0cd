"""The store's bookkeeping enums: runs, fetches, sources, parses, mail and polls.

Domain enums (change status, divergence kind, ...) are in parsers.lifecycle.
"""
from __future__ import annotations

import enum


class RunStatus(enum.Enum):
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
    INTERRUPTED = "interrupted"     # found 'running' by a later run: the process died


class FetchStatus(enum.Enum):
    OK = "ok"
    FAILED = "failed"


class Source(enum.Enum):
    FEDERAL_REGISTER = "federal_register"
    PUBLIC_INSPECTION = "public_inspection"
    ECFR = "ecfr"
    GOVINFO = "govinfo"


class ParseStatus(enum.Enum):
    PENDING = "pending"
    OK = "ok"
    FAILED = "failed"


class DigestStatus(enum.Enum):
    SENT = "sent"
    FAILED = "failed"


class PollStatus(enum.Enum):
    """One public-inspection poll: what the desk said."""

    RUNNING = "running"
    IDLE = "idle"                   # nothing changed (304, or the same filing stamps / body)
    CHANGED = "changed"             # the desk changed: stored, derived, alerted
    FAILED = "failed"
    SKIPPED = "skipped"             # outside the poll window, or a run held the lock


class AlertChannel(enum.Enum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class AlertState(enum.Enum):
    """An alert in the ledger: sent once; failed ones are retried on the next poll."""

    SENT = "sent"
    FAILED = "failed"               # retried on the next poll until alerts.max_attempts
    SUPERSEDED = "superseded"       # never sent: its change was withdrawn before the send succeeded
    ABANDONED = "abandoned"         # failed alerts.max_attempts times; shown by `frtrack status`
