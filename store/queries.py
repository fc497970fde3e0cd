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

from parsers.lifecycle import ChangeStatus, DivergenceKind
from parsers.model import ListKind, name_key
from store.enums import AlertState, PollStatus, RunStatus

FR_DOC_URL = "https://www.federalregister.gov/d/{}"


def _d(value: date | str | None) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


# Rows of the lists in ListKind's order, the order every output names them (the store keeps the values).
_LIST_ORDER = ("CASE {col} " + " ".join(f"WHEN '{k.value}' THEN {i}" for i, k in enumerate(ListKind))
               + f" ELSE {len(ListKind)} END")
# A document whose title starts so is invented (the demo's and the tests' samples); the view change_detail
# asks the same (``d.title LIKE 'SAMPLE%'``). It has no federalregister.gov page: nothing links one.
SAMPLE_TITLE_PREFIX = "SAMPLE"


def is_sample_title(title: str | None) -> bool:
    """Is this the title of an invented document (no page on federalregister.gov)?"""
    return bool(title) and str(title).startswith(SAMPLE_TITLE_PREFIX)


def sample_documents(db: Database) -> frozenset[str]:
    """The document numbers of every stored invented document."""
    return frozenset(r[0] for r in db.execute("SELECT document_number, title FROM fr_documents")
                     if is_sample_title(r[1]))
# A membership's or divergence's opener/closer as the SourceRef text the renderers read ('fr:DOC' | 'ecfr:DATE'),
# over the joins of _REF_JOINS (ov/cv: the opening and closing eCFR versions).
_REF = ("CASE WHEN {t}.{side}_by_document IS NOT NULL THEN 'fr:' || {t}.{side}_by_document"
        " WHEN {v}.id IS NOT NULL THEN 'ecfr:' || {v}.date END")
_REF_JOINS = (" LEFT JOIN ecfr_versions ov ON ov.id = {t}.opened_by_version"
              " LEFT JOIN ecfr_versions cv ON cv.id = {t}.closed_by_version")


def _ref(table: str, side: str) -> str:
    return _REF.format(t=table, side=side, v="ov" if side == "opened" else "cv")


def _list_value(kind: Any) -> str:
    return kind.value if hasattr(kind, "value") else str(kind)


def list_changes(db: Database, *, since: date | str | None = None, until: date | str | None = None,
                 country: str | None = None, group: str | None = None, list_kind: Any = "country_groups",
                 entity_keys: Iterable[str] | None = None,
                 statuses: Iterable[ChangeStatus] | None = None,
                 touched_since: str | None = None, touched_before: str | None = None) -> list[dict[str, Any]]:
    """Change events of every list, oldest effective date first.

    ``since``/``until`` filter on the effective date (inclusive); ``touched_since``
    and ``touched_before`` (UTC timestamps, the latter exclusive) keep changes
    created or updated in that span; ``list_kind`` (a ListKind or its value) keeps
    one list, None every list's -- the default is Country Groups, what the readers
    written before the other lists existed have always read; ``entity_keys`` keeps the
    Entity List changes of those entity keys.
    """
    where, args = ["1=1"], []
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
    if list_kind is not None:
        where.append("c.list = ?")
        args.append(_list_value(list_kind))
    if entity_keys is not None:
        keys = sorted(set(entity_keys))
        where.append(f"c.entity_key IN ({','.join('?' * len(keys))})" if keys else "0")
        args.extend(keys)
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
        f"""SELECT c.id, c.list, c.country, c.group_code AS "group", c.entity, c.entity_key, c.action, c.detail,
                   c.effective_date, c.status, c.fr_document, d.citation, d.publication_date, c.ecfr_version,
                   d.title AS fr_title, d.html_url, c.corrected_by, gc.name AS group_name,
                   c.created_at, c.updated_at
            FROM changes c
            LEFT JOIN fr_documents d ON d.document_number = c.fr_document
            LEFT JOIN group_columns gc ON gc.code = c.group_code AND gc.withdrawn = 0
            WHERE {' AND '.join(where)}
            ORDER BY c.effective_date IS NULL, c.effective_date, c.country, {_LIST_ORDER.format(col='c.list')},
                     c.group_code, c.entity_key, c.id""",
        args,
    )
    for r in rows:
        r["corrected_by"] = json.loads(r["corrected_by"]) if r["corrected_by"] else []
        r["detail"] = json.loads(r["detail"]) if r["detail"] else None
        if is_sample_title(r["fr_title"]):
            r["html_url"] = None
        elif r["fr_document"] and not r["html_url"]:
            r["html_url"] = FR_DOC_URL.format(r["fr_document"])
    return rows


CHANGE_KEYS = ("country", "group", "action", "effective_date", "status", "fr_document",
               "citation", "publication_date", "ecfr_version", "list")


def change_json(row: dict[str, Any]) -> dict[str, Any]:
    """The public JSON shape of one change (README "JSON contracts"; the list and entity fields extend it).

    ``status`` is one of announced, published, in_effect, confirmed, contradicted,
    unattributed, withdrawn (reported before, no longer derived; kept with its log).
    ``list`` names the list changed; ``group`` is null outside Country Groups;
    Entity List rows add ``entity`` (its first name as printed) and ``detail``
    (a revision's fields before/after, a move's other destination, else null).
    """
    out = {k: row.get(k) for k in CHANGE_KEYS}
    out["list"] = out["list"] or "country_groups"
    if out["list"] == "entity_list":
        out["entity"] = row.get("entity")
        out["detail"] = row.get("detail")
    return out


def status_history(db: Database, change_id: int) -> list[dict[str, Any]]:
    return db.execute_returning_dicts(
        "SELECT status, at, run_id, note FROM change_status_log WHERE change_id = ? ORDER BY id",
        [change_id])


def groups_as_of(db: Database, country: str, as_of: date | str) -> list[str]:
    """Column codes the country held on ``as_of`` (intervals are [from, to))."""
    rows = db.execute(
        "SELECT DISTINCT group_code FROM memberships WHERE list = 'country_groups' AND withdrawn = 0"
        " AND lower(country) = lower(?) AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?) ORDER BY group_code",
        [country, _d(as_of), _d(as_of)]).fetchall()
    return [r[0] for r in rows]


def memberships_as_of(db: Database, as_of: date | str) -> dict[str, set[str]]:
    """country -> set of Country Group codes on ``as_of``: the matrix at a date."""
    out: dict[str, set[str]] = {}
    for country, grp in db.execute(
            "SELECT country, group_code FROM memberships WHERE list = 'country_groups' AND withdrawn = 0"
            " AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)",
            [_d(as_of), _d(as_of)]).fetchall():
        out.setdefault(country, set()).add(grp)
    return out


def membership_intervals(db: Database, country: str | None = None) -> list[dict[str, Any]]:
    """Country-group intervals: country, group, valid_from, valid_to, opened_by, closed_by ('fr:…'/'ecfr:…')."""
    keys = ("country", "group", "valid_from", "valid_to", "opened_by", "closed_by")
    return [{k: r[k] for k in keys} for r in list_memberships(db, country, "country_groups")]


def list_memberships(db: Database, country: str | None = None, list_kind: Any = None) -> list[dict[str, Any]]:
    """Membership intervals of one list (None: every list), by list, country, group or entity, then start.

    ``opened_by``/``closed_by`` are SourceRef texts ('fr:DOC', 'ecfr:DATE'); ``opened_by_list``/
    ``closed_by_list`` the list of the eCFR version when one is the source; ``detail`` (the Entity
    List) the entry's fields.
    """
    where, args = ["m.withdrawn = 0"], []
    if country:
        where.append("lower(m.country) = lower(?)")
        args.append(country)
    if list_kind is not None:
        where.append("m.list = ?")
        args.append(_list_value(list_kind))
    rows = db.execute_returning_dicts(
        f"SELECT m.list, m.country, m.group_code AS \"group\", m.entity, m.entity_key, m.detail,"
        f" m.valid_from, m.valid_to, {_ref('m', 'opened')} AS opened_by, {_ref('m', 'closed')} AS closed_by,"
        f" ov.kind AS opened_by_list, cv.kind AS closed_by_list"
        f" FROM memberships m{_REF_JOINS.format(t='m')} WHERE {' AND '.join(where)}"
        f" ORDER BY {_LIST_ORDER.format(col='m.list')}, m.country, m.group_code, m.entity_key, m.valid_from", args)
    for r in rows:
        r["detail"] = json.loads(r["detail"]) if r["detail"] else None
    return rows


def list_entries_as_of(db: Database, list_kind: Any, as_of: date | str, country: str | None = None
                       ) -> list[dict[str, Any]]:
    """The entries of one list in force on ``as_of`` (of one country or destination when given)."""
    day = _d(as_of)
    return [iv for iv in list_memberships(db, country, list_kind)
            if iv["valid_from"] <= day and (iv["valid_to"] is None or iv["valid_to"] > day)]


def list_history_start(db: Database, list_kind: Any) -> str | None:
    """The first day a list's stored history speaks for: its oldest parsed eCFR version, else its
    oldest membership; None when nothing of the list is stored (it is not tracked)."""
    first = first_version_date(db, _list_value(list_kind))
    if first is None:
        row = db.execute("SELECT MIN(valid_from) FROM memberships WHERE list = ? AND withdrawn = 0",
                         [_list_value(list_kind)]).fetchone()
        first = row[0] if row else None
    return first


def standing(intervals: Iterable[dict[str, Any]], day: str, identity: tuple[str, ...]) -> dict[tuple[Any, ...], dict[str, Any]]:
    """identity values -> what is in force on ``day``: ``{"since", "by", "row"}``, from ``list_memberships`` rows.

    A revision (an Entity List entry whose fields changed) closes an interval and opens the next on
    the same day under the same identity, so ``since`` is the start of that unbroken chain, and
    ``by`` -- the SourceRef text that last changed the entry -- is the opener of the interval in force.
    """
    chains: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for iv in intervals:
        chains.setdefault(tuple(iv[k] for k in identity), []).append(iv)
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for key, ivs in chains.items():
        ivs.sort(key=lambda iv: iv["valid_from"])
        for i, iv in enumerate(ivs):
            if iv["valid_from"] <= day and (iv["valid_to"] is None or iv["valid_to"] > day):
                j = i
                while j > 0 and ivs[j - 1]["valid_to"] == ivs[j]["valid_from"]:
                    j -= 1
                out[key] = {"since": ivs[j]["valid_from"], "by": iv["opened_by"], "row": iv}
    return out


def last_ended(intervals: Iterable[dict[str, Any]], day: str, key: str) -> dict[Any, dict[str, Any]]:
    """value of ``key`` -> the latest interval that ended on or before ``day`` (what took it away)."""
    out: dict[Any, dict[str, Any]] = {}
    for iv in intervals:
        if iv["valid_to"] is not None and iv["valid_to"] <= day:
            prev = out.get(iv[key])
            if prev is None or prev["valid_to"] < iv["valid_to"]:
                out[iv[key]] = iv
    return out


def entity_keys_matching(db: Database, typed: str) -> set[str]:
    """The Entity List entity keys a typed name stands for: case, punctuation and legal forms folded
    (``parsers.model.name_key``), matched as whole words of the entity's first name or of any of its
    a.k.a. names ("huawei" finds "Huawei Technologies Co., Ltd."; "HUAWEI TECHNOLOGIES COMPANY LIMITED" too)."""
    want = name_key(typed)
    if not want:
        return set()

    def hit(key: str | None) -> bool:
        return bool(key) and f" {want} " in f" {key} "

    found: set[str] = set()
    for entity_key, entity, detail in db.execute(
            "SELECT entity_key, entity, detail FROM memberships WHERE list = 'entity_list' AND entity_key IS NOT NULL"
            " UNION SELECT entity_key, entity, NULL FROM changes WHERE list = 'entity_list' AND entity_key IS NOT NULL"):
        if entity_key in found:
            continue
        names = [entity or ""]
        if detail:
            try:
                names.extend(a for a in json.loads(detail).get("aliases") or () if isinstance(a, str))
            except (ValueError, AttributeError):
                pass
        if hit(entity_key.split(" #", 1)[0]) or any(hit(name_key(n)) for n in names):
            found.add(entity_key)
    return found


def entity_names(db: Database) -> list[str]:
    """Every Entity List entity's first name on record (memberships or changes), sorted: what a
    mistyped ``--entity`` is offered instead."""
    return sorted({r[0] for r in db.execute(
        "SELECT entity FROM memberships WHERE list = 'entity_list' AND entity IS NOT NULL AND entity != ''"
        " UNION SELECT entity FROM changes WHERE list = 'entity_list' AND entity IS NOT NULL AND entity != ''")},
        key=str.casefold)


def known_countries(db: Database) -> list[str]:
    """Every country any list's memberships or changes name (Entity List: its destinations)."""
    return [r[0] for r in db.execute(
        "SELECT DISTINCT country FROM memberships WHERE withdrawn = 0 UNION SELECT DISTINCT country FROM changes"
        " ORDER BY 1")]


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
    where, args = "WHERE d.withdrawn = 0", []
    if kinds is not None:
        ks = [k.value for k in kinds]
        where, args = f"{where} AND d.kind IN ({','.join('?' * len(ks))})", ks
    return db.execute_returning_dicts(
        f"SELECT d.id, d.country, d.side, d.kind, d.moved_first, d.opened_on, d.closed_on,"
        f" {_ref('d', 'opened')} AS opened_by, {_ref('d', 'closed')} AS closed_by"
        f" FROM divergences d{_REF_JOINS.format(t='d')} {where} ORDER BY d.opened_on, d.country, d.side", args)


def divergence_json(row: dict[str, Any]) -> dict[str, Any]:
    """The public JSON shape of one divergence (``frtrack divergences --json``, README "JSON contracts")."""
    return {"country": row["country"], "side": row["side"], "kind": row["kind"], "since": row["opened_on"],
            "until": row["closed_on"], "opened_by": row["opened_by"], "closed_by": row["closed_by"]}


_SIDE_TEXT = {"ear_only": "in D:5 but not in 126.1", "itar_only": "in 126.1 but not in D:5"}
_MOVER = {"itar": "State moved first", "ear": "BIS moved first"}


def _ref_text(ref: str | None, kind: str = "") -> str:
    """'fr:2026-02262' -> 'FR Doc. 2026-02262'; 'ecfr:2025-11-07' -> '126.1 version of 2025-11-07'."""
    if not ref:
        return "no source recorded"
    what, _, value = ref.partition(":")
    if what == "fr":
        return f"FR Doc. {value}"
    return f"{kind or 'eCFR'} version of {value}"


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
        r["html_url"] = None if is_sample_title(r["title"]) else r["html_url"] or FR_DOC_URL.format(r["document_number"])
    return rows


def review_items(db: Database) -> list[dict[str, Any]]:
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
        "SELECT l.id AS log_id, l.status AS logged, l.at, l.note, c.change_key AS key, c.list, c.country,"
        " c.group_code AS \"group\", c.entity, c.action,"
        " c.effective_date, c.status, c.fr_document, c.ecfr_version"
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
    day: str | None = db.execute("SELECT MIN(valid_from) FROM memberships WHERE list = 'country_groups'"
                                 " AND withdrawn = 0").fetchone()[0]
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
