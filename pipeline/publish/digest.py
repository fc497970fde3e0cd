"""The weekly digest: what happened in a window, per recipient, as text + HTML mail.

The digest has a section per list -- Country Groups, § 744.21, § 744.22 and the
Entity List -- and a list with no change in the window says "No change in this
window", so a quiet week reads as quiet, not as missing. Which changes belong to
a window [start, end] (both inclusive dates; by default the 7 days before today,
so a Monday run covers Monday..Sunday of last week):

- **this window's changes** (counted in the subject): a change whose effective
  date falls in the window, OR that was created or moved status in the window
  (``updated_at``, UTC date). The upper bound matters: a change touched after
  ``end`` belongs to the next window, so re-rendering a past window gives the
  same digest and nothing is reported twice or skipped;
- **still pending**: every other change whose effective date is after today,
  repeated each week until it takes effect (standing information, not news);
- withdrawn changes (reported before, no longer derived from the sources, e.g.
  after a parser fix) are listed under their own heading and not counted;
- D:5 / ITAR 126.1 divergences: open ones (alerts), pending ones (they begin on
  a future date, shown with it) and standing ones (present since the first
  compared versions) apart; FR documents published in the window by
  the watched agencies on the watched CFR parts that no listed change cites,
  amendment wording queued for review in the window, eCFR versions held as
  suspect, and source health.

All reads go through ``store.queries``; the only SQL of this feature is the
sent ledger in ``pipeline.publish.mail``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from parsers.errors import ConfigError, MailError
from parsers.lifecycle import ChangeAction, ChangeStatus, DivergenceKind, DivergenceSide, ReviewSubject, SourceKind, SourceRef
from parsers.model import CfrPart
from pipeline import clock
from pipeline.business_days import previous_business_day
from pipeline.config import CfrRange, Recipient, Settings
from pipeline.derive.units import in_cfr_ranges
from pipeline.publish import mail
from pipeline.publish.envelope import Rendered, Window
from pipeline.publish.render import environment
from pipeline.publish.wording import (
    CHANGE_LISTS,
    LIST_NAMES,
    LIST_TITLES,
    NOT_TRACKED,
    SIDE_LABELS,
    STATUS_HEADINGS,
    detail_words,
    plural,
)
from store import queries
from store.db import set_clock

PLACEHOLDER = Recipient(email="digest@localhost", name="frtrack user")

STATUS_ORDER = (ChangeStatus.ANNOUNCED, ChangeStatus.PUBLISHED, ChangeStatus.IN_EFFECT,
                ChangeStatus.CONFIRMED, ChangeStatus.CONTRADICTED, ChangeStatus.UNATTRIBUTED,
                ChangeStatus.WITHDRAWN)
STATUS_LABELS = STATUS_HEADINGS
FR_PREFIX = "https://www.federalregister.gov/"
# federalregister.gov API type names <-> the names stored in fr_documents.doc_type
DOC_TYPE_CODES = {"RULE": "Rule", "PRORULE": "Proposed Rule", "NOTICE": "Notice",
                  "PRESDOCU": "Presidential Document", "CORRECT": "Correction"}


def _oneline(value: Any) -> str:
    """Titles and names come from outside: no CR/LF/control characters in our output."""
    return re.sub(r"[\s\x00-\x1f\x7f]+", " ", str(value or "")).strip()


def _fr_url(url: str | None, document_number: str | None) -> str | None:
    """Only federalregister.gov links go out; anything else is rebuilt from the number."""
    if url and url.startswith(FR_PREFIX) and not re.search(r"[\s\"'<>]", url):
        return url
    if document_number and re.fullmatch(r"[A-Za-z0-9-]+", document_number):
        return queries.FR_DOC_URL.format(document_number)
    return None


LISTS = CHANGE_LISTS    # the digest's sections, in the registry's order


@dataclass(frozen=True)
class ChangeLine:
    """One change of any list, with every fact the digest prints about it."""

    id: int
    country: str
    group: str
    group_name: str
    action: ChangeAction
    status: ChangeStatus
    effective_date: str | None
    fr_document: str | None
    citation: str | None
    url: str | None
    ecfr_version: str | None
    sample: str | None = None      # the demo's note when this change is a sample event
    list: str = "country_groups"   # ListKind value
    entity: str = ""               # the Entity List: the entity's first name as printed
    changed: str = ""              # the Entity List: what a revision or move changed, in words

    @property
    def verb(self) -> str:
        return {ChangeAction.ADDED: "added to", ChangeAction.REMOVED: "removed from"}.get(self.action, "revised in")

    @property
    def group_label(self) -> str:
        return f"{self.group} ({self.group_name})" if self.group_name else self.group

    @property
    def headline(self) -> str:
        """For the subject: "Cambodia removed from D:5", "Entity List: Example Co. (China) revised"."""
        if self.list == "country_groups":
            return f"{self.country} {self.verb} {self.group}"
        if self.list == "entity_list":
            return f"Entity List: {self.entity} ({self.country}) {self.action.value}"
        return f"{self.country} {self.verb} {LIST_NAMES.get(self.list, self.list)}"

    @property
    def what(self) -> str:
        """What happened, after the country: "removed from D:5 (U.S. Arms Embargoed Countries)"."""
        if self.list == "country_groups":
            return f"{self.verb} {self.group_label}"
        if self.list == "entity_list":
            return f"Entity List entry \u201c{self.entity}\u201d {self.action.value}" + \
                (f" ({self.changed})" if self.changed else "")
        return f"{self.verb} {LIST_TITLES.get(self.list, self.list)}"

    @property
    def facts(self) -> str:
        """The plain line both parts carry (the HTML one only adds a link)."""
        parts = [f"{self.country}: {self.what}",
                 f"effective {self.effective_date}" if self.effective_date else "effective date not known"]
        if self.fr_document:
            parts.append(f"FR Doc. {self.fr_document}")
        if self.citation:
            parts.append(self.citation)
        if not self.fr_document and self.ecfr_version:
            parts.append(f"seen in the eCFR of {self.ecfr_version}")
        return ", ".join(parts) + (" (SAMPLE)" if self.sample else "")


@dataclass(frozen=True)
class DocLine:
    document_number: str
    title: str
    doc_type: str
    publication_date: str
    citation: str | None
    url: str | None
    cfr_parts: tuple[str, ...]


@dataclass(frozen=True)
class DivergenceLine:
    country: str
    side: str
    moved_first: str
    opened_on: str
    kind: str = DivergenceKind.OPEN.value
    opened_by: str | None = None

    @property
    def detail(self) -> str:
        side = SIDE_LABELS[DivergenceSide(self.side)]
        if self.kind == DivergenceKind.STANDING.value:
            return f"{side}, standing since the first compared versions ({self.opened_on})"
        if self.kind == DivergenceKind.PENDING.value:
            by = SourceRef.parse(self.opened_by)
            what = f"FR Doc. {by.value}" if by and by.kind is SourceKind.FR else "a change already published"
            return f"{side} from {self.opened_on} (pending: begins when {what} takes effect)"
        mover = "State (ITAR)" if self.moved_first == "itar" else "BIS (EAR)"
        return f"{side} since {self.opened_on} ({mover} moved first)"

    @property
    def facts(self) -> str:
        return f"{self.country}: {self.detail}"


@dataclass(frozen=True)
class ReviewLine:
    document_number: str
    text: str
    reason: str
    url: str | None

    @property
    def label(self) -> str:
        """"FR Doc. 2026-02262", or "eCFR version 2026-03-02" for an item about a stored eCFR version."""
        ref = SourceRef.parse(self.document_number)
        if ref is not None and ref.kind is SourceKind.ECFR:
            return f"eCFR version {ref.value}"
        return f"FR Doc. {self.document_number}"


@dataclass(frozen=True)
class SuspectLine:
    """An eCFR version held as suspect: none of its changes is published until a human looks."""

    date: str
    reason: str

    @property
    def facts(self) -> str:
        return f"eCFR version of {self.date}: {self.reason}"


@dataclass(frozen=True)
class HealthLine:
    source: str
    last_success: str | None
    last_failure: str | None
    last_error: str | None

    @property
    def failing(self) -> bool:
        return bool(self.last_failure and (not self.last_success or self.last_failure > self.last_success))

    @property
    def facts(self) -> str:
        ok = f"last success {self.last_success[:16].replace('T', ' ')} UTC" if self.last_success else "never succeeded"
        if self.failing:
            return f"{self.source}: FAILING — {ok}; last error: {_oneline(self.last_error) or 'unknown'}"
        return f"{self.source}: ok, {ok}"


@dataclass(frozen=True)
class DigestData:
    """Everything one digest says; ``for_recipient`` narrows it to a watchlist."""

    window: Window
    today: date
    changes: tuple[ChangeLine, ...]
    pending: tuple[ChangeLine, ...]
    divergences: tuple[DivergenceLine, ...]
    documents: tuple[DocLine, ...]
    review: tuple[ReviewLine, ...]
    health: tuple[HealthLine, ...]
    site_url: str = ""
    suspects: tuple[SuspectLine, ...] = ()
    notice: tuple[str, ...] = ()   # the demo's "what is real, what is illustrative" lines
    untracked: frozenset[str] = frozenset()   # lists with nothing stored: not "no change", not known

    def not_tracked(self, lst: str) -> str:
        """What a list's section says when nothing of the list is stored."""
        return f"{LIST_NAMES[lst]}: {NOT_TRACKED}"

    @property
    def last_issue(self) -> date:
        """The last federal business day before today: the newest FR issue the window can hold (same calendar as the poll)."""
        return previous_business_day(self.today)

    @property
    def news(self) -> tuple[ChangeLine, ...]:
        """This window's changes that stand (withdrawn ones are listed, not counted)."""
        return tuple(c for c in self.changes if c.status is not ChangeStatus.WITHDRAWN)

    @property
    def withdrawn(self) -> tuple[ChangeLine, ...]:
        return tuple(c for c in self.changes if c.status is ChangeStatus.WITHDRAWN)

    @property
    def count(self) -> int:
        return len(self.news)

    def divergences_of(self, kind: str) -> tuple[DivergenceLine, ...]:
        return tuple(d for d in self.divergences if d.kind == kind)

    @property
    def is_empty(self) -> bool:
        """Nothing new in the window (pending, divergences and health are standing facts)."""
        return not (self.changes or self.documents or self.review)

    @property
    def by_status(self) -> list[tuple[ChangeStatus, str, tuple[ChangeLine, ...]]]:
        return _by_status(self.changes)

    @property
    def by_list(self) -> list[tuple[str, str, int, list[tuple[ChangeStatus, str, tuple[ChangeLine, ...]]]]]:
        """(list, its title, its news count, its changes by status) for every list, quiet ones too."""
        return [(lst, LIST_TITLES[lst], sum(1 for c in self.news if c.list == lst),
                 _by_status(tuple(c for c in self.changes if c.list == lst))) for lst in LISTS]

    @property
    def tally(self) -> str:
        """"Country Groups 3, § 744.21 none, § 744.22 none, Entity List 2"."""
        return ", ".join(f"{LIST_NAMES[lst]} {n or ('not tracked' if lst in self.untracked else 'none')}"
                         for lst, _, n, _ in self.by_list)

    @property
    def subject(self) -> str:
        w = len(self.withdrawn)
        gone = f" ({w} withdrawn)" if w else ""
        if not self.news:
            return f"frtrack: no changes (week of {self.window.start.isoformat()}){gone}"
        n = self.count
        lists = [(lst, k) for lst, _, k, _ in self.by_list if k]
        if len(lists) == 1:
            noun = {"country_groups": "country-group change"}.get(lists[0][0], f"{LIST_NAMES[lists[0][0]]} change")
            head = f"frtrack: {plural(n, noun)}"
        else:
            head = f"frtrack: {plural(n, 'change')} (" + ", ".join(f"{LIST_NAMES[lst]} {k}" for lst, k in lists) + ")"
        head += f" — {self.news[0].headline}"
        return head + (f", +{n - 1} more" if n > 1 else "") + gone

    def for_recipient(self, r: Recipient) -> DigestData:
        countries = {c.strip().lower() for c in r.countries}
        groups = {g.strip().upper() for g in r.groups}
        parts = {p.strip() for p in r.cfr_parts}
        types = {_doc_type_key(t) for t in r.document_types}

        def change_ok(c: ChangeLine) -> bool:
            # A country watches every list of that country (the Entity List: the destination);
            # groups narrow Country Group changes, and a watchlist of groups alone is about them only.
            if countries and c.country.lower() not in countries:
                return False
            if c.list == "country_groups":
                return not groups or c.group.upper() in groups
            return not groups or bool(countries)

        def doc_ok(d: DocLine) -> bool:
            return ((not parts or bool(parts & set(d.cfr_parts)))
                    and (not types or _doc_type_key(d.doc_type) in types))

        return replace(
            self,
            changes=tuple(filter(change_ok, self.changes)),
            pending=tuple(filter(change_ok, self.pending)),
            # a divergence is about D:5 vs ITAR 126.1
            divergences=tuple(d for d in self.divergences
                              if (not countries or d.country.lower() in countries)
                              and (not groups or "D:5" in groups)),
            documents=tuple(filter(doc_ok, self.documents)),
        )


def _by_status(changes: tuple[ChangeLine, ...]) -> list[tuple[ChangeStatus, str, tuple[ChangeLine, ...]]]:
    out = []
    for st in STATUS_ORDER:
        lines = tuple(c for c in changes if c.status is st)
        if lines:
            out.append((st, STATUS_LABELS[st], lines))
    return out


def _doc_type_key(value: str) -> str:
    """"RULE", "Rule", "rule" all mean the same document type."""
    v = value.strip()
    return DOC_TYPE_CODES.get(v.upper(), v).lower()


def _change_line(row: dict[str, Any], columns: dict[str, str]) -> ChangeLine:
    return ChangeLine(
        id=row["id"], country=_oneline(row["country"]), group=_oneline(row["group"]),
        group_name=_oneline(row.get("group_name") or columns.get(row["group"], "")),
        action=ChangeAction(row["action"]), status=ChangeStatus(row["status"]),
        effective_date=row["effective_date"], fr_document=row["fr_document"],
        citation=_oneline(row["citation"]) or None, url=_fr_url(row.get("html_url"), row["fr_document"]),
        ecfr_version=row["ecfr_version"], list=row.get("list") or "country_groups",
        entity=_oneline(row.get("entity")), changed=_oneline(detail_words(row.get("detail"))))


def _watched(doc: dict[str, Any], agencies: set[str], ranges: tuple[CfrRange, ...]) -> bool:
    slugs = {(a.get("slug") if isinstance(a, dict) else str(a)) for a in doc["agencies"] or []}
    if agencies and not (slugs & agencies):
        return False
    refs = CfrPart.from_api_list(doc["cfr_references"])
    if not refs:
        return True            # the fetcher already filtered on CFR; a missing list is no reason to hide it
    return in_cfr_ranges(refs, ((r.title, *r.first_last) for r in ranges))


def build_digest(db: Database, settings: Settings, window: Window, today: date,
                 disclosure: Any = None) -> DigestData:
    """The full (unfiltered) digest for ``window``, read through store.queries only.

    ``disclosure`` (the demo's ``timeline.DISCLOSURE``) marks sample events and heads the
    message with what in the sample is real and what is illustrative.
    """
    columns = queries.group_columns(db)
    rows: dict[int, dict[str, Any]] = {}
    for r in queries.list_changes(db, since=window.start, until=window.end, list_kind=None):
        rows[r["id"]] = r
    for r in queries.list_changes(db, list_kind=None, touched_since=window.start.isoformat(),
                                  touched_before=(window.end + timedelta(days=1)).isoformat()):
        if window.contains(r["updated_at"]) or window.contains(r["created_at"]):
            rows[r["id"]] = r
    ordered = sorted(rows.values(), key=lambda r: (r["effective_date"] is None, r["effective_date"] or "",
                                                   r["country"], LISTS.index(r.get("list") or "country_groups"),
                                                   r["group"] or "", r.get("entity_key") or "", r["id"]))
    invented = queries.sample_documents(db)   # decided from the data: with or without the demo's disclosure

    def sample(r: dict[str, Any]) -> str | None:
        ref = SourceRef.of_change(r["fr_document"], r["ecfr_version"])
        return disclosure.sample_note(ref) if disclosure else None

    def unlinked(number: str | None) -> bool:
        """A sample document exists nowhere else: no link to a page that is not there."""
        if not number:
            return False
        return number in invented or bool(disclosure and disclosure.sample_note(SourceRef.fr(number)))

    def line(r: dict[str, Any]) -> ChangeLine:
        note = sample(r)
        base = _change_line(r, columns)
        return replace(base, sample=note, url=None if note or unlinked(r["fr_document"]) else base.url)

    changes = tuple(line(r) for r in ordered)
    pending = tuple(line(r)
                    for r in queries.list_changes(db, since=today + timedelta(days=1), list_kind=None)
                    if r["id"] not in rows and r["status"] != ChangeStatus.WITHDRAWN.value)

    cited = {c.fr_document for c in changes if c.fr_document}
    agencies = set(settings.watch.agencies) | set(settings.watch.itar_agencies)
    ranges = tuple(settings.watch.cfr) + tuple(settings.watch.itar_cfr)
    docs = tuple(
        DocLine(document_number=d["document_number"], title=_oneline(d["title"]) or "(untitled)",
                doc_type=_oneline(d["doc_type"]) or "Document", publication_date=d["publication_date"],
                citation=_oneline(d["citation"]) or None,
                url=None if unlinked(d["document_number"]) else _fr_url(d["html_url"], d["document_number"]),
                cfr_parts=tuple(sorted({p.part for p in CfrPart.from_api_list(d["cfr_references"])})))
        for d in sorted(queries.documents(db, since=window.start, until=window.end),
                        key=lambda d: (d["publication_date"], d["document_number"]))
        if d["document_number"] not in cited and _watched(d, agencies, ranges))

    divergences = tuple(DivergenceLine(_oneline(d["country"]), d["side"], d["moved_first"], d["opened_on"],
                                       d["kind"], d["opened_by"])
                        for d in queries.divergences(db, kinds=(DivergenceKind.OPEN, DivergenceKind.PENDING,
                                                                DivergenceKind.STANDING)))
    review = tuple(ReviewLine(_oneline(r["document_number"]), _oneline(r["text"]), _oneline(r["reason"]),
                              _fr_url(None, r["document_number"])
                              if r["subject"] == ReviewSubject.FR_DOCUMENT.value and not unlinked(r["document_number"])
                              else None)
                   for r in queries.review_items(db)
                   if window.contains(r["created_at"]) and r["subject"] == ReviewSubject.FR_DOCUMENT.value)
    suspects = tuple(SuspectLine(s["date"], _oneline(s["reason"])) for s in queries.suspect_versions(db))
    health = tuple(HealthLine(h["source"], h["last_success"], h["last_failure"], h["last_error"])
                   for h in queries.source_health(db))
    return DigestData(window=window, today=today, changes=changes, pending=pending, divergences=divergences,
                      documents=docs, review=review, health=health, suspects=suspects,
                      site_url=settings.digest.site_url if settings.digest.site_url.startswith("https://") else "",
                      notice=tuple(disclosure.lines()) if disclosure else (),
                      untracked=frozenset(lst for lst in LISTS if queries.list_history_start(db, lst) is None))


def render_digest(data: DigestData, recipient: Recipient) -> Rendered:
    """Both parts from the same data, so they carry the same facts."""
    env = environment()
    ctx = {"d": data, "recipient": recipient, "ChangeStatus": ChangeStatus}
    return Rendered(subject=data.subject, text=env.get_template("digest.txt").render(ctx),
                    html=env.get_template("digest.html").render(ctx))


@dataclass
class DigestReport:
    """What ``frtrack digest`` did; ``ok`` is False when any recipient failed."""

    window: Window
    changes: int = 0
    written: list[Path] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    skipped_empty: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    attempted_send: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        parts = []
        changes = f"{self.changes} change{'s' if self.changes != 1 else ''}"
        if self.written:
            n = len(self.written)
            names = ", ".join(str(p) for p in self.written)
            parts.append(f"wrote {names} ({n} message{'s' if n != 1 else ''}, {changes})")
        if self.attempted_send:
            total = len(self.sent) + len(self.already_sent) + len(self.failed) + len(self.skipped_empty)
            s = f"sent to {len(self.sent)} of {total} recipient{'s' if total != 1 else ''}"
            if self.already_sent:
                s += f"; {len(self.already_sent)} already sent for {self.window.label}"
            if self.failed:
                s += "; failed: " + ", ".join(f"{who} ({why})" for who, why in self.failed)
            parts.append(s)
        if self.skipped_empty:
            parts.append(f"no changes in {self.window.label}: nothing for "
                         f"{', '.join(self.skipped_empty)} (digest.send_empty = false)")
        return "; ".join(parts) or f"nothing to do for {self.window.label}"


def _out_paths(out: str, recipients: list[Recipient]) -> list[Path]:
    """One recipient: FILE.eml itself; several: FILE-<address>.eml each (an .eml holds one message)."""
    p = Path(out)
    if len(recipients) == 1:
        return [p]
    stem, suffix = p.stem, p.suffix or ".eml"
    return [p.with_name(f"{stem}-{re.sub(r'[^A-Za-z0-9@._-]+', '_', r.email)}{suffix}") for r in recipients]


def digest_command(settings: Settings, db: Database, *, since: date | None, out: str | None, send: bool,
                   today: date | None = None) -> DigestReport:
    """``frtrack digest``: write the message(s) to ``out`` and/or send them, once per window."""
    today = today or clock.today()
    now = clock.Clock(today)
    set_clock(db, now)   # the sent ledger records the pipeline's day, like a run does
    window = Window.for_run(today, settings.digest.window_days, since)
    full = build_digest(db, settings, window, today)
    report = DigestReport(window=window, changes=full.count)

    if out:
        recipients = list(settings.recipients) or [PLACEHOLDER]
        for r, path in zip(recipients, _out_paths(out, recipients), strict=True):
            data = full.for_recipient(r)
            if data.is_empty and not settings.digest.send_empty:
                report.skipped_empty.append(r.email)
                continue
            msg = mail.build_message(settings, r, render_digest(data, r), now=now.now())
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(msg.as_bytes())
            report.written.append(path)

    if send:
        if not settings.recipients:
            raise ConfigError("recipients", "no recipients configured: add [[recipients]] tables, or use --out",
                              settings.path)
        report.attempted_send = True
        ledger = mail.SentLedger(db)
        for r in settings.recipients:
            if ledger.already_sent(r.email, window):
                report.already_sent.append(r.email)
                continue
            data = full.for_recipient(r)
            if data.is_empty and not settings.digest.send_empty:
                report.skipped_empty.append(r.email)
                continue
            try:   # a bad address or a refusal costs this recipient only
                msg = mail.build_message(settings, r, render_digest(data, r), now=now.now())
                mail.send_message(settings.smtp, msg)
            except MailError as exc:
                ledger.record_failure(r.email, window, str(exc), subject=mail.clean_header(data.subject))
                report.failed.append((r.email, getattr(exc, "reason", str(exc))))
                continue
            ledger.record_sent(r.email, window, message_id=str(msg["Message-ID"]), subject=str(msg["Subject"]))
            report.sent.append(r.email)
    return report


def write_demo_digest(db: Database, path: str | Path, today: date, settings: Settings | None = None,
                      disclosure: Any = None) -> Path:
    """The demo's digest: every change of the default window before ``today``, as one .eml."""
    settings = settings or Settings()
    window = Window.for_run(today, settings.digest.window_days)
    data = build_digest(db, settings, window, today, disclosure)
    msg = mail.build_message(settings, PLACEHOLDER, render_digest(data, PLACEHOLDER), now=clock.Clock(today).now())
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(msg.as_bytes())
    return p
