"""Instant alerts: one message per recipient and fact, sent once, retried until it goes.

What is alerted (only facts the engine derived exactly, or review items):

- a **change event**: a row of ``change_status_log`` (a change appearing on a
  watched country/group, or moving status). The first alert a recipient gets
  about a change goes out whatever its status (the latest one pending: a rule
  first seen published already in effect is one "in effect" alert, not two);
  later moves only when the status is in the recipient's ``alerts`` list. When
  a change is ``withdrawn`` (its public-inspection filing left the desk before
  publication, or a parser fix no longer derives it) whoever was alerted about
  it gets a **retraction**; alerts still pending for it are superseded.
- a **review item** (amendment wording aimed at a tracked table that frtrack
  cannot read exactly), to recipients whose ``alerts`` list has "review".

Only news: a fact older than ``alerts.max_age_days`` (by its own date: filed,
published, effective, eCFR version) is not alerted, so a backfill of history
mails nobody. Retractions always go out.

The ledger (``alerts_sent``) has one row per (recipient, channel, event),
written after each attempt in its own transaction: a sent alert is never sent
again, a failed one is retried on the next poll (``retries`` more times within
a poll, with backoff) until ``max_attempts`` polls, then abandoned and shown by
``frtrack status``. Channels: email (text + HTML in the digest's look) and a
webhook (a JSON POST whose ``text`` field chat tools show, plus the structured
change); each is tracked on its own, so a failing webhook does not resend mail.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from sqlite_utils import Database

from parsers.countries import canonical_name
from parsers.errors import MailError, WebhookError
from parsers.lifecycle import ChangeAction, ChangeStatus, SourceKind, SourceRef
from pipeline.config import Recipient, Settings
from pipeline.publish import mail
from pipeline.publish.envelope import Rendered
from pipeline.publish.render import environment
from pipeline.sources.http import retry_after_seconds
from store import ledgers, queries
from store.db import utcnow
from store.enums import AlertChannel, AlertState

log = logging.getLogger(__name__)

REVIEW = "review"
MAX_RETRY_AFTER = 30.0     # seconds a webhook's Retry-After may hold one poll; longer waits for the next poll
_FR_URL = "https://www.federalregister.gov/"


def _doc_of(key: str, stored: str | None) -> str | None:
    """The FR document number of a change: stored, or from its key ('...|fr:2026-02262') while only announced."""
    if stored:
        return stored
    source = SourceRef.parse(key.rpartition("|")[2])
    return source.value if source is not None and source.kind is SourceKind.FR else None


def redact(url: str) -> str:
    """A webhook URL's secret is its path: logs and the ledger show only the host."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…" if parts.netloc else "webhook"


@dataclass(frozen=True)
class Alert:
    """One fact, ready for any recipient: subject, detail lines, link and the webhook's structured part."""

    event: str                         # ledger key
    kind: str                          # ChangeStatus value or "review"
    change_key: str | None
    subject: str
    details: tuple[tuple[str, str], ...]
    url: str | None
    data: dict[str, Any]
    fact_date: str | None
    retraction: bool = False

    def payload(self, recipient: Recipient, sent_at: str) -> dict[str, Any]:
        text = self.subject + (f" {self.url}" if self.url else "")
        return {"text": text, "event": "review" if self.kind == REVIEW else "change", "status": self.kind,
                "retraction": self.retraction, **self.data, "recipient": recipient.email, "sent_at": sent_at}


@dataclass(frozen=True)
class ChangeEvent:
    """A status-log row with the change it belongs to and the documents that date it."""

    log_id: int
    status: ChangeStatus              # the status this row logged
    now: ChangeStatus                 # the change's status today
    key: str
    country: str
    group: str | None
    group_name: str
    action: ChangeAction
    effective_date: str | None
    document: str | None
    citation: str | None
    publication_date: str | None      # the FR issue it was published in
    scheduled: str | None             # public inspection: the issue it is filed for
    filed_at: str | None
    ecfr_version: str | None
    off_desk: bool                    # its filing was withdrawn from public inspection
    note: str | None
    logged_at: str
    epoch: int = 0                    # withdrawals logged before this row: a change back after one is news again
    list_kind: str = "country_groups"  # changes.list: the lists beyond Country Groups have no group
    entity: str | None = None         # an Entity List change: the entity's first name as printed

    @property
    def headline(self) -> str:
        if self.entity is not None:      # "Russia: Entity List entry 'Example Co.' added"
            return f"{self.country}: Entity List entry {self.entity!r} {self.action.value}"
        if self.group is None:           # "Cambodia added to § 744.21"
            verb = "added to" if self.action is ChangeAction.ADDED else "removed from"
            return f"{self.country} {verb} § {self.list_kind}"
        verb = "added to" if self.action is ChangeAction.ADDED else "removed from"
        return f"{self.country} {verb} {self.group}"

    @property
    def fact_date(self) -> str | None:
        """The date that makes this news: filed, published, effective or seen in the eCFR."""
        s = self.status
        if s is ChangeStatus.ANNOUNCED:
            return (self.filed_at or "")[:10] or self.scheduled
        if s is ChangeStatus.PUBLISHED:
            return self.publication_date or self.effective_date
        if s is ChangeStatus.IN_EFFECT:
            return max(filter(None, (self.effective_date, self.publication_date)), default=None)
        if s is ChangeStatus.WITHDRAWN:
            return self.logged_at[:10]
        return self.ecfr_version or self.effective_date

    def subject(self) -> str:
        doc = f"FR Doc. {self.document}" if self.document else None
        paren = f" ({doc})" if doc else ""
        s = self.status
        if s is ChangeStatus.ANNOUNCED:
            when = f" {self.scheduled}" if self.scheduled else ""
            return f"Filed for publication{when}: {self.headline}{paren}"
        if s is ChangeStatus.PUBLISHED:
            eff = f", effective {self.effective_date}" if self.effective_date else ", effective date not known"
            cite = f", {self.citation}" if self.citation and doc else ""
            return f"Published {self.publication_date or ''}".rstrip() + f": {self.headline}{eff} ({doc}{cite})"
        if s is ChangeStatus.IN_EFFECT:
            return f"In effect {self.effective_date or ''}".rstrip() + f": {self.headline}{paren}"
        if s is ChangeStatus.CONFIRMED:
            return f"Confirmed by the eCFR of {self.ecfr_version}: {self.headline}{paren}"
        if s is ChangeStatus.CONTRADICTED:
            return f"Contradicted by the eCFR of {self.ecfr_version}: {self.headline}{paren} — check"
        if s is ChangeStatus.UNATTRIBUTED:
            return f"In the eCFR of {self.ecfr_version} with no FR document: {self.headline}"
        if self.off_desk:
            return (f"Retraction: {doc or 'the filing'} was withdrawn from public inspection before publication;"
                    f" {self.headline} is no longer announced")
        return f"Retraction: {self.headline}{paren} is no longer derived from the sources"

    def alert(self) -> Alert:
        url = f"{_FR_URL}d/{self.document}" if self.document else None
        if self.status is ChangeStatus.ANNOUNCED and self.document:
            url = f"{_FR_URL}public-inspection/{self.document}"
        group = f"{self.group} ({self.group_name})" if self.group_name else self.group
        where = [("Group", group)] if self.group is not None else [("List", self.list_kind)]
        if self.entity is not None:
            where.append(("Entity", self.entity))
        details = [("Country", self.country), *where, ("Change", self.action.value),
                   ("Effective", self.effective_date or "not known yet")]
        if self.document:
            details.append(("FR document", self.document + (f", {self.citation}" if self.citation else "")))
        if self.filed_at:
            details.append(("Filed on public inspection", self.filed_at.replace("T", " ")[:16]
                            + (f", for publication {self.scheduled}" if self.scheduled else "")))
        if self.publication_date:
            details.append(("Published", self.publication_date))
        if self.ecfr_version:
            details.append(("eCFR version", self.ecfr_version))
        details.append(("Status now", self.now.value.replace("_", " ")))
        if self.note and self.note.startswith("effective date moved"):
            details.append(("Note", self.note))
        if self.status is ChangeStatus.WITHDRAWN:
            details.append(("Why", "the filing left the public-inspection desk before publication" if self.off_desk
                            else (self.note or "no longer derived from the stored documents")))
        data = {"change": {"key": self.key, "country": self.country, "group": self.group,
                           "group_name": self.group_name or None, "action": self.action.value,
                           "effective_date": self.effective_date, "status": self.now.value,
                           "fr_document": self.document, "citation": self.citation,
                           "publication_date": self.publication_date, "scheduled_publication_date": self.scheduled,
                           "filed_at": self.filed_at, "ecfr_version": self.ecfr_version,
                           "withdrawn_from_public_inspection": self.off_desk, "list": self.list_kind,
                           "entity": self.entity}}
        return Alert(event=event_key(self.key, self.status, self.epoch), kind=self.status.value, change_key=self.key,
                     subject=self.subject(), details=tuple(details), url=url, data=data,
                     fact_date=self.fact_date, retraction=self.status is ChangeStatus.WITHDRAWN)


def change_events(db: Database, touched_since: str | None = None) -> dict[str, list[ChangeEvent]]:
    """Status-log rows grouped by change key, oldest first.

    ``touched_since`` (a date) keeps only changes updated since then or already in the
    alert ledger: a fact is never dated after the moment it was logged, so a change
    untouched for longer than the alert age holds no news.
    """
    pi = {r["document_number"]: r for r in queries.filings(db)}
    docs = {r["document_number"]: r for r in queries.document_dates(db)}
    columns = queries.group_columns(db)
    out: dict[str, list[ChangeEvent]] = {}
    for r in queries.status_log_entries(db, touched_since):
        number = _doc_of(r["key"], r["fr_document"])
        p, d = pi.get(number or "", {}), docs.get(number or "", {})
        events = out.setdefault(r["key"], [])
        epoch = sum(1 for e in events if e.status is ChangeStatus.WITHDRAWN)
        events.append(ChangeEvent(
            log_id=r["log_id"], status=ChangeStatus(r["logged"]), now=ChangeStatus(r["status"]), key=r["key"],
            country=r["country"], group=r["group"], group_name=columns.get(r["group"], ""),
            action=ChangeAction(r["action"]), effective_date=r["effective_date"], document=number,
            citation=d.get("citation"), publication_date=d.get("publication_date"),
            scheduled=p.get("publication_date"), filed_at=p.get("filed_at"), ecfr_version=r["ecfr_version"],
            off_desk=bool(p.get("withdrawn_at")) and not d, note=r["note"], logged_at=r["at"], epoch=epoch,
            list_kind=r.get("list") or "country_groups", entity=r.get("entity")))
    return out


def event_key(change_key: str, status: ChangeStatus, epoch: int = 0) -> str:
    """The ledger key of a change event; '#N' after the Nth withdrawal (a relisted filing alerts again)."""
    return f"change:{change_key}:{status.value}" + (f"#{epoch}" if epoch else "")


def _epoch(event: str) -> int:
    _, sep, n = event.rpartition("#")
    return int(n) if sep and n.isdigit() else 0


def review_alerts(db: Database) -> list[Alert]:
    """Every review item about an FR document or eCFR version, dated by its document."""
    published = {r["document_number"]: r["publication_date"] for r in queries.document_dates(db)}
    filed = {r["document_number"]: (r["filed_at"] or "")[:10] or r["publication_date"] for r in queries.filings(db)}
    out = []
    for r in queries.review_items(db):
        number, text, reason = r["document_number"], r["text"], r["reason"]
        digest = hashlib.sha1(f"{number}|{r['instruction_index']}|{text}".encode()).hexdigest()[:16]
        version = SourceRef.parse(number)
        if version is not None and version.kind is SourceKind.ECFR:
            label, url, day = f"eCFR version {version.value}", None, version.value
        else:
            label, url = f"FR Doc. {number}", f"{_FR_URL}d/{number}"
            day = published.get(number) or filed.get(number) or (r["created_at"] or "")[:10]
        where = "" if r["instruction_index"] is None else f", instruction {r['instruction_index'] + 1}"
        short = text if len(text) <= 120 else text[:119].rstrip() + "…"
        out.append(Alert(event=f"review:{digest}", kind=REVIEW, change_key=None,
                         subject=f"Needs review: {label}{where}: {reason}",
                         details=(("Document", label), ("Reason", reason), ("Text", short)), url=url,
                         data={"review": {"document_number": number, "instruction_index": r["instruction_index"],
                                          "text": text, "reason": reason}},
                         fact_date=day or None))
    return out


# ---------------------------------------------------------------- the ledger

class AlertLedger:
    """``alerts_sent``: what went to whom on which channel, and what is still owed."""

    def __init__(self, db: Database):
        self.db = db
        self.rows: dict[tuple[str, str, str], dict[str, Any]] = {
            (r["recipient"], r["channel"], r["event"]): r for r in ledgers.alert_rows(db)}

    def get(self, recipient: str, channel: AlertChannel, event: str) -> dict[str, Any] | None:
        return self.rows.get((recipient, channel.value, event))

    def about(self, recipient: str, channel: AlertChannel, change_key: str) -> list[dict[str, Any]]:
        return [r for (who, ch, _), r in self.rows.items()
                if who == recipient and ch == channel.value and r["change_key"] == change_key]

    def record(self, recipient: str, channel: AlertChannel, alert: Alert, state: AlertState,
               error: str | None = None) -> dict[str, Any]:
        now = utcnow(self.db)
        old = self.get(recipient, channel, alert.event)
        attempts = (old["attempts"] if old else 0) + (0 if state is AlertState.SUPERSEDED else 1)
        row = ledgers.AlertRow(
            recipient=recipient, channel=channel, event=alert.event, change_key=alert.change_key, status=alert.kind,
            state=state, attempts=attempts, subject=alert.subject,
            last_error=error if error is not None else (old or {}).get("last_error"),
            first_attempt_at=(old or {}).get("first_attempt_at") or now,
            sent_at=now if state is AlertState.SENT else None)
        ledgers.record_alert(self.db, row)
        stored = self.rows[(recipient, channel.value, alert.event)] = row.as_dict()
        return stored


# ---------------------------------------------------------------- who gets what

def _channels(r: Recipient) -> list[AlertChannel]:
    if not r.alerts:
        return []
    return ([AlertChannel.EMAIL] if r.alert_email else []) + ([AlertChannel.WEBHOOK] if r.webhook else [])


@functools.lru_cache(maxsize=4096)
def _identity(name: str) -> str:
    return (canonical_name(name) or name).strip().lower()


def watches(r: Recipient, country: str, group: str | None) -> bool:
    """The recipient's watchlist (empty = everything), countries compared as identities.

    The digest's rule: a country watches every list of that country; groups narrow the Country
    Group changes, and a watchlist of groups alone watches nothing else (``group`` is None for
    a § 744.21 / § 744.22 or Entity List change).
    """
    countries, groups = {_identity(c) for c in r.countries}, {g.strip().upper() for g in r.groups}
    if countries and _identity(country) not in countries:
        return False
    if group is None:
        return not groups or bool(countries)
    return not groups or group.upper() in groups


@dataclass(frozen=True)
class Due:
    """One alert owed to one recipient on one channel."""

    recipient: Recipient
    channel: AlertChannel
    alert: Alert


def _open(row: dict[str, Any] | None, max_attempts: int) -> bool:
    """Never tried, or failed and still within its attempts."""
    return row is None or (row["state"] == AlertState.FAILED.value and row["attempts"] < max_attempts)


def plan(db: Database, settings: Settings, *, today: date, ledger: AlertLedger | None = None) -> list[Due]:
    """Everything owed now (and, as a side effect, superseded rows recorded in the ledger)."""
    ledger = ledger or AlertLedger(db)
    oldest = (today - timedelta(days=settings.alerts.max_age_days)).isoformat()
    limit = settings.alerts.max_attempts
    in_ledger = {row["change_key"] for row in ledger.rows.values() if row["change_key"]}
    # history nobody was told about is skipped whole: a poll over 10,000 changes stays cheap
    by_change = {key: events for key, events in change_events(db, touched_since=oldest).items()
                 if key in in_ledger or any((e.fact_date or "9999") >= oldest for e in events)}
    reviews = review_alerts(db)
    due: list[Due] = []
    for r in settings.recipients:
        for channel in _channels(r):
            for events in by_change.values():
                due.extend(_change_due(r, channel, events, ledger, oldest, limit))
            if REVIEW in r.alerts:
                due.extend(Due(r, channel, a) for a in reviews
                           if (a.fact_date or "9999") >= oldest and _open(ledger.get(r.email, channel, a.event), limit))
    return due


def _change_due(r: Recipient, channel: AlertChannel, events: list[ChangeEvent], ledger: AlertLedger,
                oldest: str, limit: int) -> list[Due]:
    last = events[-1]
    if not watches(r, last.country, last.group):
        return []
    # each channel keeps its own story, and each withdrawal starts a new one
    rows = [row for row in ledger.about(r.email, channel, last.key) if _epoch(row["event"]) == last.epoch]
    events = [e for e in events if e.epoch == last.epoch]
    if last.now is ChangeStatus.WITHDRAWN:
        for row in rows:   # owed news about a change that no longer stands: never send it
            if row["state"] == AlertState.FAILED.value and row["status"] != ChangeStatus.WITHDRAWN.value:
                ledger.record(r.email, channel, _stub(row), AlertState.SUPERSEDED)
        told = any(row["state"] == AlertState.SENT.value and row["status"] != ChangeStatus.WITHDRAWN.value
                   for row in rows)
        retraction = next(e for e in reversed(events) if e.status is ChangeStatus.WITHDRAWN).alert()
        if told and _open(ledger.get(r.email, channel, retraction.event), limit):
            return [Due(r, channel, retraction)]
        return []
    first = not any(row["state"] != AlertState.SUPERSEDED.value for row in rows)   # nothing went or is owed yet
    owed = []
    for e in events:
        if e.status is ChangeStatus.WITHDRAWN or (e.fact_date or "9999") < oldest:
            continue
        recorded = ledger.get(r.email, channel, event_key(e.key, e.status, e.epoch))
        if recorded is not None:
            if _open(recorded, limit):
                owed.append(e)           # a failed send: retried
        elif first or e.status.value in r.alerts:
            owed.append(e)
    if not owed:
        return []
    latest = owed[-1].alert()
    for e in owed[:-1]:                  # one alert per change per delivery: the latest says the most
        ledger.record(r.email, channel, e.alert(), AlertState.SUPERSEDED)
    return [Due(r, channel, latest)]


def _stub(row: dict[str, Any]) -> Alert:
    return Alert(event=row["event"], kind=row["status"], change_key=row["change_key"], subject=row["subject"] or "",
                 details=(), url=None, data={}, fact_date=None)


# ---------------------------------------------------------------- sending

def render_alert(alert: Alert, recipient: Recipient):
    """Text and HTML from the same alert (the digest's look)."""
    env = environment()
    ctx = {"a": alert, "recipient": recipient}
    return Rendered(subject=alert.subject, text=env.get_template("alert.txt").render(ctx),
                    html=env.get_template("alert.html").render(ctx))


def post_webhook(url: str, payload: dict[str, Any], *, timeout: float, user_agent: str,
                 session: requests.Session | None = None) -> None:
    """One JSON POST; any non-2xx answer or network failure is WebhookError (the URL redacted)."""
    where = redact(url)
    poster = session or requests
    try:
        resp = poster.post(url, data=json.dumps(payload).encode("utf-8"), timeout=(timeout, timeout),
                           headers={"Content-Type": "application/json", "User-Agent": user_agent})
    except requests.exceptions.Timeout:
        raise WebhookError(where, f"no answer within {timeout:g}s") from None
    except requests.exceptions.RequestException as exc:
        raise WebhookError(where, f"connection failed ({type(exc).__name__})") from None
    with resp:
        if not 200 <= resp.status_code < 300:
            text = " ".join(resp.text[:200].split())
            error = WebhookError(where, f"HTTP {resp.status_code}" + (f": {text}" if text else ""), resp.status_code)
            error.retry_after = retry_after_seconds(resp.headers.get("Retry-After"))   # a 429 says how long
            raise error


def _permanent(exc: Exception) -> bool:
    """Not worth retrying within this poll (the next poll still tries): a refusal, not a hiccup."""
    if isinstance(exc, WebhookError):
        return exc.status is not None and 400 <= exc.status < 500 and exc.status not in (408, 429)
    reason = getattr(exc, "reason", "")
    return str(reason)[:1] == "5"      # SMTP 5xx: the server refused this message


@dataclass
class AlertReport:
    """What one delivery did, for the poll's line and the scheduler log."""

    sent: list[str] = field(default_factory=list)          # "email a@b: subject"
    failed: list[str] = field(default_factory=list)        # "webhook a@b: why"
    abandoned: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        parts = [f"{len(self.sent)} alert{'s' if len(self.sent) != 1 else ''} sent"]
        if self.failed:
            parts.append(f"{len(self.failed)} failed (retried on the next poll): " + "; ".join(self.failed))
        if self.abandoned:
            parts.append(f"{len(self.abandoned)} abandoned: " + "; ".join(self.abandoned))
        return ", ".join(parts)


def deliver(settings: Settings, db: Database, *, today: date, sleep: Callable[[float], None] = time.sleep
            ) -> AlertReport:
    """Send everything owed; every attempt lands in the ledger at once."""
    report = AlertReport()
    if not settings.alerts.enabled or not settings.recipients:
        return report
    ledger = AlertLedger(db)
    for item in plan(db, settings, today=today, ledger=ledger):
        _send_one(settings, item, ledger, report, sleep)
    return report


def _send_one(settings: Settings, item: Due, ledger: AlertLedger, report: AlertReport,
              sleep: Callable[[float], None]) -> None:
    r, channel, alert = item.recipient, item.channel, item.alert
    who = f"{channel.value} {r.email}"
    cfg = settings.alerts
    error: Exception | None = None
    for attempt in range(cfg.retries + 1):
        if attempt:
            wait = getattr(error, "retry_after", None)
            sleep(min(wait, MAX_RETRY_AFTER) if wait is not None else cfg.retry_backoff * 2 ** (attempt - 1))
        try:
            if channel is AlertChannel.EMAIL:
                mail.send_message(settings.smtp, mail.build_message(settings, r, render_alert(alert, r)))
            else:
                post_webhook(r.webhook, alert.payload(r, utcnow(ledger.db)), timeout=cfg.webhook_timeout,
                             user_agent=settings.sources.user_agent)
            error = None
            break
        except (MailError, WebhookError) as exc:
            error = exc
            log.warning("alert to %s failed (try %d of %d): %s", who, attempt + 1, cfg.retries + 1, exc)
            if _permanent(exc):
                break
    if error is None:
        ledger.record(r.email, channel, alert, AlertState.SENT)
        report.sent.append(f"{who}: {alert.subject}")
        return
    old = ledger.get(r.email, channel, alert.event)
    if (old["attempts"] if old else 0) + 1 >= cfg.max_attempts:
        ledger.record(r.email, channel, alert, AlertState.ABANDONED, str(error))
        report.abandoned.append(f"{who}: {alert.subject}: {error}")
    else:
        ledger.record(r.email, channel, alert, AlertState.FAILED, str(error))
        report.failed.append(f"{who}: {error}")


def ledger_summary(db: Database, limit: int = 10) -> dict[str, Any]:
    """For ``frtrack status``: counts per state and the latest rows."""
    return {"counts": queries.alert_state_counts(db), "latest": queries.latest_alerts(db, limit),
            "owed": queries.owed_alerts(db)}
