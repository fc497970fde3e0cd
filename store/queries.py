"""Read-side queries shared by the CLI, the digest and the site.

Everything returns plain dicts/lists (JSON-ready, dates as ISO strings) so
renderers never write SQL of their own.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlite_utils import Database

from parsers.lifecycle import ChangeStatus, DivergenceKind, SourceKind, SourceRef
from parsers.model import ListKind
from store.enums import AlertState, PollStatus, RunStatus

FR_DOC_URL = "https://www.federalregister.gov/d/{}"
GROUPS = ListKind.COUNTRY_GROUPS.value   # the list the group readers read

# A row's opening and closing references: the FR document, or the date of the eCFR version.
_REFS = ("{t}.opened_by_document AS opened_document, ov.date AS opened_version,"
         " {t}.closed_by_document AS closed_document, cv.date AS closed_version")
_REF_JOINS = (" LEFT JOIN ecfr_versions ov ON ov.id = {t}.opened_by_version"
              " LEFT JOIN ecfr_versions cv ON cv.id = {t}.closed_by_version")


def _d(value: date | str | None) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def _source(document: str | None, version_date: str | None) -> str | None:
    """A stored foreign-key pair as the reference text the JSON contracts print: 'fr:DOC' or 'ecfr:DATE'."""
    if document:
        return SourceRef.fr(document)
    return SourceRef.ecfr(version_date) if version_date else None


def _with_sources(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with its four reference columns replaced by ``opened_by`` and ``closed_by`` (at the end)."""
    opened = _source(row.pop("opened_document"), row.pop("opened_version"))
    closed = _source(row.pop("closed_document"), row.pop("closed_version"))
    return {**row, "opened_by": opened, "closed_by": closed}


def list_changes(db: Database, *, since: date | str | None = None, until: date | str | None = None,
                 country: str | None = None, group: str | None = None,
                 statuses: Iterable[ChangeStatus] | None = None,
                 touched_since: str | None = None, touched_before: str | None = None,
                 list_kind: str | None = GROUPS) -> list[dict[str, Any]]:
    """Country-group change events, oldest effective date first.

    ``since``/``until`` filter on the effective date (inclusive); ``touched_since``
    and ``touched_before`` (UTC timestamps, the latter exclusive) keep changes
    created or updated in that span. ``list_kind``: the list whose changes
    (``changes.list``; None: every list's). The readers written before the other
    lists existed read Country Groups, as they always have.
    """
    where: list[str] = ["1=1"]
    args: list[str | None] = []
    if list_kind is not None:
        where.append("c.list = ?")
        args.append(list_kind)
    if since:
        where.append("c.effective_date >= ?")
        args.append(_d(since))
    if until:
        where.append("c.effective_date <= ?")
        args.append(_d(until))
    if country:
        where.append("lower(c.country) = lower(?)")
        args.append(country)
    if group:
        where.append("upper(c.group_code) = upper(?)")
        args.append(group)
    if statuses is not None:
        sts = [s.value for s in statuses]
        where.append(f"c.status IN ({','.join('?' * len(sts))})")
        args.extend(sts)
    if touched_since:
        where.append("c.updated_at >= ?")
        args.append(touched_since)
    if touched_before:
        where.append("c.created_at < ?")
        args.append(touched_before)
    rows = db.execute_returning_dicts(
        f"""SELECT c.id, c.country, c.group_code AS "group", c.action, c.effective_date, c.status,
                   c.fr_document, d.citation, d.publication_date, c.ecfr_version,
                   d.title AS fr_title, d.html_url, c.corrected_by, gc.name AS group_name,
                   c.created_at, c.updated_at, c.list, c.entity, c.entity_key, c.detail
            FROM changes c
            LEFT JOIN fr_documents d ON d.document_number = c.fr_document
            LEFT JOIN group_columns gc ON gc.code = c.group_code AND gc.withdrawn = 0
            WHERE {' AND '.join(where)}
            ORDER BY c.effective_date IS NULL, c.effective_date, c.country, c.group_code, c.id""",
        args,
    )
    for r in rows:
        r["corrected_by"] = json.loads(r["corrected_by"]) if r["corrected_by"] else []
        if r["fr_document"] and not r["html_url"]:
            r["html_url"] = FR_DOC_URL.format(r["fr_document"])
    return rows


def change_json(row: dict[str, Any]) -> dict[str, Any]:
    """The public JSON shape of one change (issue 5 contract).

    ``status`` is one of announced, published, in_effect, confirmed, contradicted,
    unattributed, withdrawn (reported before, no longer derived; kept with its log).
    """
    keys = ("country", "group", "action", "effective_date", "status", "fr_document",
            "citation", "publication_date", "ecfr_version")
    return {k: row.get(k) for k in keys}


def status_history(db: Database, change_id: int) -> list[dict[str, Any]]:
    return db.execute_returning_dicts(
        "SELECT status, at, run_id, note FROM change_status_log WHERE change_id = ? ORDER BY id",
        [change_id])


def groups_as_of(db: Database, country: str, as_of: date | str) -> list[str]:
    """Column codes the country held on ``as_of`` (intervals are [from, to))."""
    rows = db.execute(
        "SELECT DISTINCT group_code FROM memberships WHERE list = ? AND withdrawn = 0 AND lower(country) = lower(?)"
        " AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?) ORDER BY group_code",
        [GROUPS, country, _d(as_of), _d(as_of)]).fetchall()
    return [r[0] for r in rows]


def memberships_as_of(db: Database, as_of: date | str) -> dict[str, set[str]]:
    """country -> set of codes on ``as_of``: the matrix at a date."""
    out: dict[str, set[str]] = {}
    for country, code in db.execute(
            "SELECT country, group_code FROM memberships WHERE list = ? AND withdrawn = 0 AND valid_from <= ?"
            " AND (valid_to IS NULL OR valid_to > ?)", [GROUPS, _d(as_of), _d(as_of)]).fetchall():
        out.setdefault(country, set()).add(code)
    return out


def membership_intervals(db: Database, country: str | None = None) -> list[dict[str, Any]]:
    """Country-group intervals: country, group, valid_from, valid_to, opened_by, closed_by ('fr:…'/'ecfr:…')."""
    where, args = ("AND lower(m.country) = lower(?)", [country]) if country else ("", [])
    return [_with_sources(r) for r in db.execute_returning_dicts(
        f"SELECT m.country, m.group_code AS \"group\", m.valid_from, m.valid_to, {_REFS.format(t='m')}"
        f" FROM memberships m{_REF_JOINS.format(t='m')} WHERE m.list = ? AND m.withdrawn = 0 {where}"
        " ORDER BY m.country, m.group_code, m.valid_from", [GROUPS, *args])]


def known_countries(db: Database) -> list[str]:
    return [r[0] for r in db.execute(
        "SELECT DISTINCT country FROM memberships WHERE list = ? AND withdrawn = 0"
        " UNION SELECT DISTINCT country FROM changes WHERE list = ? ORDER BY 1", [GROUPS, GROUPS])]


def resolve_country(db: Database, name: str) -> str | None:
    """The stored spelling of a country name typed by a user (case-insensitive)."""
    for c in known_countries(db):
        if c.lower() == name.strip().lower():
            return c
    return None


def group_columns(db: Database) -> dict[str, str]:
    return {r[0]: r[1] for r in db.execute("SELECT code, name FROM group_columns WHERE withdrawn = 0")}


def ecfr_version_dates(db: Database, kind: str = "country_groups") -> list[str]:
    return [r[0] for r in db.execute(
        "SELECT date FROM ecfr_versions WHERE kind = ? AND parse_status = 'ok' ORDER BY date", [kind])]


def divergences(db: Database, *, open_only: bool = False,
                kinds: Iterable[DivergenceKind] | None = None) -> list[dict[str, Any]]:
    """D:5 / 126.1 divergences, oldest first; ``open_only``: the open alerts (kind 'open')."""
    if open_only:
        kinds = (DivergenceKind.OPEN,)
    where, args = "", []
    if kinds is not None:
        ks = [k.value for k in kinds]
        where, args = f"AND d.kind IN ({','.join('?' * len(ks))})", ks
    return [_with_sources(r) for r in db.execute_returning_dicts(
        f"SELECT d.id, d.country, d.side, d.kind, d.moved_first, d.opened_on, d.closed_on, {_REFS.format(t='d')}"
        f" FROM divergences d{_REF_JOINS.format(t='d')} WHERE d.withdrawn = 0 {where}"
        " ORDER BY d.opened_on, d.country, d.side", args)]


def divergence_json(row: dict[str, Any]) -> dict[str, Any]:
    """The public JSON shape of one divergence (``frtrack divergences --json``, issue 12 contract)."""
    return {"country": row["country"], "side": row["side"], "kind": row["kind"], "since": row["opened_on"],
            "until": row["closed_on"], "opened_by": row["opened_by"], "closed_by": row["closed_by"]}


_SIDE_TEXT = {"ear_only": "in D:5 but not in 126.1", "itar_only": "in 126.1 but not in D:5"}
_MOVER = {"itar": "State moved first", "ear": "BIS moved first"}


def _ref_text(ref: str | None, kind: str = "") -> str:
    """'fr:2026-02262' -> 'FR Doc. 2026-02262'; 'ecfr:2025-11-07' -> '126.1 version of 2025-11-07'."""
    source = SourceRef.parse(ref)
    if source is None:
        return "no source recorded"
    if source.kind is SourceKind.FR:
        return f"FR Doc. {source.value}"
    return f"{kind or 'eCFR'} version of {source.value}"


def divergence_text(row: dict[str, Any]) -> str:
    """One divergence in plain English, for the terminal."""
    side, kind = _SIDE_TEXT.get(row["side"], row["side"]), row["kind"]
    opener = _ref_text(row["opened_by"], "126.1" if row["moved_first"] == "itar" else "D:5")
    if kind == DivergenceKind.STANDING.value:
        head = f"{row['country']}: {side}, standing since the first compared versions ({row['opened_on']})"
        return head + (f", until {row['closed_on']} ({_ref_text(row['closed_by'])})" if row["closed_on"] else "")
    span = f"from {row['opened_on']}" + (f" to {row['closed_on']}" if row["closed_on"] else "")
    detail = f"{_MOVER.get(row['moved_first'], 'who moved first is not known')}: {opener}"
    if kind == DivergenceKind.PENDING.value:
        return f"{row['country']}: {side} {span} (pending: begins when {opener} takes effect)"
    if row["closed_on"]:
        verb = "closed by" if kind == DivergenceKind.CLOSED.value else "to be closed by"
        detail += f"; {verb} {_ref_text(row['closed_by'])}"
    else:
        detail += "; still open"
    return f"{row['country']}: {side} {span} ({detail})"


def documents(db: Database, *, since: date | str | None = None, until: date | str | None = None) -> list[dict[str, Any]]:
    """FR documents published in [since, until], newest first."""
    where, args = ["1=1"], []
    if since:
        where.append("publication_date >= ?")
        args.append(_d(since))
    if until:
        where.append("publication_date <= ?")
        args.append(_d(until))
    rows = db.execute_returning_dicts(
        f"SELECT document_number, doc_type, title, action, publication_date, effective_date, effective_on,"
        f" citation, agencies, cfr_references, html_url, correction_of, parse_status, parse_error"
        f" FROM fr_documents WHERE {' AND '.join(where)} ORDER BY publication_date DESC, document_number",
        args)
    for r in rows:
        for k in ("agencies", "cfr_references"):
            r[k] = json.loads(r[k]) if r[k] else []
        r["html_url"] = r["html_url"] or FR_DOC_URL.format(r["document_number"])
    return rows


def review_items(db: Database) -> list[dict[str, Any]]:
    """The review items derived now (withdrawn ones are kept in the table, not listed)."""
    return db.execute_returning_dicts(
        "SELECT document_number, instruction_index, text, reason, created_at, subject FROM review_items"
        " WHERE withdrawn_at IS NULL ORDER BY id")


def suspect_versions(db: Database) -> list[dict[str, Any]]:
    """eCFR versions of the supplement held as suspect (not used for any fact), oldest first."""
    return db.execute_returning_dicts(
        "SELECT unit, date, suspect AS reason FROM ecfr_versions WHERE suspect IS NOT NULL ORDER BY date, id")


def source_health(db: Database) -> list[dict[str, Any]]:
    """Per source: last successful fetch, last failure and its error."""
    return db.execute_returning_dicts(
        """SELECT s.source,
                  MAX(CASE WHEN s.status = 'ok' THEN s.finished_at END) AS last_success,
                  MAX(CASE WHEN s.status = 'failed' THEN s.finished_at END) AS last_failure,
                  (SELECT error FROM source_fetches f WHERE f.source = s.source AND f.status = 'failed'
                   ORDER BY f.id DESC LIMIT 1) AS last_error,
                  SUM(s.new_items) AS items
           FROM source_fetches s GROUP BY s.source ORDER BY s.source""")


def last_run(db: Database) -> dict[str, Any] | None:
    rows = db.execute_returning_dicts("SELECT * FROM runs ORDER BY id DESC LIMIT 1")
    return rows[0] if rows else None


def data_as_of(db: Database) -> str | None:
    """The latest day the data speaks for: newest parsed eCFR version, newest FR publication or
    last clean run. The one definition: `groups --as-of`, the site and status all say this day."""
    row = db.execute("SELECT MAX(d) FROM (SELECT MAX(date) AS d FROM ecfr_versions WHERE parse_status = 'ok'"
                     " UNION ALL SELECT MAX(publication_date) FROM fr_documents"
                     " UNION ALL SELECT MAX(today) FROM runs WHERE status = 'ok')").fetchone()
    return row[0] if row else None


def counts(db: Database) -> dict[str, int]:
    tables = {"documents": "fr_documents", "ecfr_versions": "ecfr_versions", "changes": "changes",
              "public_inspection": "public_inspection", "blobs": "blobs",
              "review_items": "review_items WHERE withdrawn_at IS NULL"}
    out = {k: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for k, t in tables.items()}
    out["open_divergences"] = db.execute("SELECT COUNT(*) FROM divergences WHERE kind = ? AND withdrawn = 0",
                                         [DivergenceKind.OPEN.value]).fetchone()[0]
    return out


# --- runs and polls (``frtrack status``) ---------------------------------------------------------

def last_finished_run(db: Database) -> dict[str, Any] | None:
    """The newest run that is no longer running (whatever its outcome)."""
    rows = db.execute_returning_dicts("SELECT * FROM runs WHERE status != ? ORDER BY id DESC LIMIT 1",
                                      [RunStatus.RUNNING.value])
    return rows[0] if rows else None


def last_successful_run(db: Database) -> dict[str, Any] | None:
    rows = db.execute_returning_dicts("SELECT * FROM runs WHERE status = ? ORDER BY id DESC LIMIT 1",
                                      [RunStatus.OK.value])
    return rows[0] if rows else None


def last_poll(db: Database, statuses: Iterable[PollStatus] | None = None) -> dict[str, Any] | None:
    """The newest poll (with one of ``statuses`` when given)."""
    where, args = "", []
    if statuses is not None:
        sts = [s.value for s in statuses]
        where, args = f"WHERE status IN ({','.join('?' * len(sts))})", sts
    rows = db.execute_returning_dicts(f"SELECT * FROM polls {where} ORDER BY id DESC LIMIT 1", args)
    return rows[0] if rows else None


# --- what the alerts read ------------------------------------------------------------------------

def filings(db: Database) -> list[dict[str, Any]]:
    """Every public-inspection filing: number, filed_at, scheduled publication_date, withdrawn_at."""
    return db.execute_returning_dicts(
        "SELECT document_number, filed_at, publication_date, withdrawn_at FROM public_inspection")


def document_dates(db: Database) -> list[dict[str, Any]]:
    """Every FR document's number, publication date and citation (how an alert dates and names it)."""
    return db.execute_returning_dicts("SELECT document_number, publication_date, citation FROM fr_documents")


def status_log_entries(db: Database, touched_since: str | None = None) -> list[dict[str, Any]]:
    """Every change_status_log row with its change, oldest first.

    ``touched_since`` keeps the changes updated since then or already in the
    alert ledger (the only ones an alert can still be owed for).
    """
    where = "" if touched_since is None else \
        " WHERE c.updated_at >= ? OR c.change_key IN (SELECT change_key FROM alerts_sent)"
    return db.execute_returning_dicts(
        "SELECT l.id AS log_id, l.status AS logged, l.at, l.note, c.change_key AS key, c.country,"
        " c.group_code AS \"group\", c.action,"
        " c.effective_date, c.status, c.fr_document, c.ecfr_version, c.list, c.entity"
        " FROM change_status_log l JOIN changes c ON c.id = l.change_id" + where + " ORDER BY l.id",
        [] if touched_since is None else [touched_since])


def alert_state_counts(db: Database) -> dict[str, int]:
    """Alert-ledger rows per state (every AlertState present, 0 when none)."""
    counts = {state.value: 0 for state in AlertState}
    for state, n in db.execute("SELECT state, COUNT(*) FROM alerts_sent GROUP BY state").fetchall():
        counts[state] = n
    return counts


def latest_alerts(db: Database, limit: int = 10) -> list[dict[str, Any]]:
    """The newest ledger rows that were sent or tried (not the superseded ones)."""
    return db.execute_returning_dicts(
        "SELECT recipient, channel, status, state, attempts, subject, last_error, sent_at, first_attempt_at"
        " FROM alerts_sent WHERE state != ? ORDER BY coalesce(sent_at, first_attempt_at) DESC, rowid DESC LIMIT ?",
        [AlertState.SUPERSEDED.value, limit])


def owed_alerts(db: Database) -> list[dict[str, Any]]:
    """Alerts still failing (retried on the next poll) or abandoned, in ledger order."""
    return db.execute_returning_dicts(
        "SELECT recipient, channel, status, state, attempts, subject, last_error FROM alerts_sent"
        " WHERE state IN (?, ?) ORDER BY rowid", [AlertState.FAILED.value, AlertState.ABANDONED.value])


# --- coverage (``frtrack groups``) ---------------------------------------------------------------

def first_version_date(db: Database, kind: str = "country_groups") -> str | None:
    """The date of the oldest parsed eCFR version of ``kind``."""
    day: str | None = db.execute("SELECT MIN(date) FROM ecfr_versions WHERE kind = ? AND parse_status = 'ok'",
                                 [kind]).fetchone()[0]
    return day


def first_membership_date(db: Database) -> str | None:
    day: str | None = db.execute("SELECT MIN(valid_from) FROM memberships WHERE list = ? AND withdrawn = 0",
                                 [GROUPS]).fetchone()[0]
    return day


# --- what the site reads -------------------------------------------------------------------------

def table_note_events(db: Database, as_of: str) -> list[tuple[str, str, str | None]]:
    """(kind, subject, after) of every footnote and note change recorded up to the eCFR version ``as_of``,
    oldest first (the site replays them to print a matrix's footnotes as of a date)."""
    return [(r[0], r[1], r[2]) for r in db.execute(
        "SELECT kind, subject, after FROM table_events WHERE kind IN ('footnote_changed', 'note_changed')"
        " AND withdrawn = 0 AND ecfr_version <= ? ORDER BY ecfr_version, id", [as_of]).fetchall()]


def status_logs(db: Database) -> dict[int, list[dict[str, Any]]]:
    """change id -> its status log, oldest first: ``status_history`` for every change in one query
    (one query per change cost about a second per thousand changes)."""
    out: dict[int, list[dict[str, Any]]] = {}
    for change_id, status, at, run_id, note in db.execute(
            "SELECT change_id, status, at, run_id, note FROM change_status_log ORDER BY change_id, id"):
        out.setdefault(change_id, []).append({"status": status, "at": at, "run_id": run_id, "note": note})
    return out
