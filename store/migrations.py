"""Versioned schema migrations (sqlite-utils ``Migrations``).

Append new migrations at the end; never edit one that has shipped. The number
of migrations is the schema version: a database that has applied migrations
this code does not know was written by a newer frtrack and is refused.
"""
from __future__ import annotations

import json

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from parsers.errors import StoreError

migrations = Migrations("frtrack")


@migrations()
def m001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,          -- UTC ISO timestamp
            finished_at TEXT,
            status TEXT NOT NULL,              -- RunStatus: running|ok|failed|interrupted
            trigger TEXT NOT NULL DEFAULT 'cli',
            today TEXT NOT NULL,               -- the date the run believed it was
            pid INTEGER,
            error TEXT
        );
        CREATE TABLE source_fetches (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            source TEXT NOT NULL,              -- Source: federal_register|public_inspection|ecfr|govinfo
            status TEXT NOT NULL,              -- FetchStatus: ok|failed
            started_at TEXT NOT NULL,
            finished_at TEXT,
            requests INTEGER NOT NULL DEFAULT 0,
            new_items INTEGER NOT NULL DEFAULT 0,
            error TEXT
        );
        CREATE TABLE watermarks (
            source TEXT PRIMARY KEY,           -- e.g. 'federal_register:15', 'ecfr:15 CFR Supplement No. 1 to Part 740'
            value TEXT NOT NULL,
            run_id INTEGER REFERENCES runs(id),
            updated_at TEXT NOT NULL
        );
        CREATE TABLE blobs (
            sha256 TEXT PRIMARY KEY,           -- of the uncompressed bytes
            size INTEGER NOT NULL,
            compression TEXT NOT NULL,         -- 'zlib' | 'none'
            content BLOB NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE responses (
            id INTEGER PRIMARY KEY,
            run_id INTEGER REFERENCES runs(id),
            source TEXT NOT NULL,
            method TEXT NOT NULL DEFAULT 'GET',
            url TEXT NOT NULL,
            status INTEGER NOT NULL,
            headers TEXT NOT NULL,             -- JSON object
            sha256 TEXT REFERENCES blobs(sha256),
            fetched_at TEXT NOT NULL
        );
        CREATE INDEX responses_url ON responses(url);
        CREATE TABLE fr_documents (
            document_number TEXT PRIMARY KEY,
            doc_type TEXT,                     -- API type: Rule, Proposed Rule, Notice, Correction
            title TEXT,
            abstract TEXT,
            action TEXT,
            dates TEXT,
            publication_date TEXT,
            effective_on TEXT,                 -- as the API states it
            effective_date TEXT,               -- as we parsed it from the XML (wins when present)
            citation TEXT,
            agencies TEXT,                     -- JSON list of slugs
            cfr_references TEXT,               -- JSON list of {title, part}
            rins TEXT,                         -- JSON list
            docket_ids TEXT,                   -- JSON list
            html_url TEXT, pdf_url TEXT, full_text_xml_url TEXT, raw_text_url TEXT,
            correction_of TEXT,                -- document number this corrects
            api_sha256 TEXT REFERENCES blobs(sha256),
            xml_sha256 TEXT REFERENCES blobs(sha256),
            parse_status TEXT NOT NULL DEFAULT 'pending',   -- ParseStatus: pending|ok|failed
            parse_error TEXT,
            source TEXT NOT NULL DEFAULT 'federal_register',
            first_seen_run INTEGER REFERENCES runs(id),
            updated_at TEXT
        );
        CREATE TABLE public_inspection (
            document_number TEXT PRIMARY KEY,
            raw_text_url TEXT,
            text_sha256 TEXT REFERENCES blobs(sha256),   -- the raw text, read for announced changes
            title TEXT,
            doc_type TEXT,
            agencies TEXT,
            filed_at TEXT,
            publication_date TEXT,             -- scheduled
            pdf_url TEXT,
            api_sha256 TEXT REFERENCES blobs(sha256),
            published INTEGER NOT NULL DEFAULT 0,  -- 1 once the FR document is stored
            first_seen_run INTEGER REFERENCES runs(id)
        );
        CREATE TABLE ecfr_versions (
            id INTEGER PRIMARY KEY,
            unit TEXT NOT NULL,                -- Tracked.key, e.g. '15 CFR Supplement No. 1 to Part 740'
            kind TEXT NOT NULL,                -- country_groups | itar_126_1
            date TEXT NOT NULL,                -- version date (content as of)
            amendment_date TEXT,
            issue_date TEXT,
            identifier TEXT,
            name TEXT,
            substantive INTEGER,
            xml_sha256 TEXT REFERENCES blobs(sha256),
            parse_status TEXT NOT NULL DEFAULT 'pending',
            parse_error TEXT,
            first_seen_run INTEGER REFERENCES runs(id),
            UNIQUE(unit, date)
        );
        CREATE TABLE memberships (
            id INTEGER PRIMARY KEY,
            country TEXT NOT NULL,
            grp TEXT NOT NULL,                 -- column code: 'D:5', 'B'
            valid_from TEXT NOT NULL,
            valid_to TEXT,                     -- exclusive; NULL while it holds
            opened_by TEXT NOT NULL,           -- 'fr:2021-26633' | 'ecfr:2021-12-09'
            closed_by TEXT
        );
        CREATE INDEX memberships_country ON memberships(country, valid_from);
        CREATE TABLE changes (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,          -- identity across runs: country|grp|action|fr:DOC or ecfr:DATE
            country TEXT NOT NULL,
            grp TEXT NOT NULL,
            action TEXT NOT NULL,              -- ChangeAction: added|removed
            effective_date TEXT,
            status TEXT NOT NULL,              -- ChangeStatus
            fr_document TEXT REFERENCES fr_documents(document_number),
            ecfr_version TEXT,                 -- date of the eCFR version that showed it
            corrected_by TEXT,                 -- correcting document numbers, JSON list
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE change_status_log (
            id INTEGER PRIMARY KEY,
            change_id INTEGER NOT NULL REFERENCES changes(id),
            status TEXT NOT NULL,
            at TEXT NOT NULL,
            run_id INTEGER REFERENCES runs(id),
            note TEXT
        );
        CREATE TABLE divergences (
            id INTEGER PRIMARY KEY,
            country TEXT NOT NULL,
            side TEXT NOT NULL,                -- 'itar_only' (in 126.1, not D:5) | 'ear_only'
            moved_first TEXT NOT NULL,         -- 'itar' | 'ear'
            opened_on TEXT NOT NULL,
            closed_on TEXT,
            opened_by TEXT,
            closed_by TEXT
        );
        CREATE TABLE review_items (
            id INTEGER PRIMARY KEY,
            document_number TEXT NOT NULL,
            instruction_index INTEGER,
            text TEXT NOT NULL,
            reason TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE(document_number, instruction_index, text)
        );
        CREATE TABLE group_columns (
            code TEXT PRIMARY KEY,             -- 'D:5'
            name TEXT NOT NULL,                -- latest printed name
            tbl TEXT NOT NULL,                 -- 'Country Group D'
            as_of TEXT                         -- eCFR version date the name was read from
        );
        CREATE TABLE table_events (            -- observed non-membership changes
            id INTEGER PRIMARY KEY,
            unit TEXT NOT NULL,
            ecfr_version TEXT NOT NULL,        -- date of the version that shows it
            kind TEXT NOT NULL,                -- TableEventKind: column_renamed|footnote_changed|note_changed
            subject TEXT NOT NULL,             -- column code, country or note marker
            before TEXT,
            after TEXT,
            UNIQUE(unit, ecfr_version, kind, subject)
        );
        CREATE TABLE digests_sent (
            recipient TEXT NOT NULL,
            window_start TEXT NOT NULL,
            window_end TEXT NOT NULL,
            status TEXT NOT NULL,              -- DigestStatus: sent|failed
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            message_id TEXT,
            subject TEXT,
            sent_at TEXT,
            PRIMARY KEY (recipient, window_start, window_end)
        );
        """
    )


@migrations()
def m002_divergence_kinds_and_suspect_versions(db: Database) -> None:
    """Divergence kinds (standing/open/closed/pending), eCFR versions held as suspect, review subjects."""
    db.executescript(
        """
        ALTER TABLE divergences ADD COLUMN kind TEXT NOT NULL DEFAULT 'open';  -- DivergenceKind
        UPDATE divergences SET kind = 'closed' WHERE closed_on IS NOT NULL;
        ALTER TABLE ecfr_versions ADD COLUMN suspect TEXT;   -- why the version is held for review; NULL = trusted
        ALTER TABLE review_items ADD COLUMN subject TEXT NOT NULL DEFAULT 'fr_document';  -- ReviewSubject
        """
    )


@migrations()
def m003_alerts_and_polls(db: Database) -> None:
    """Instant alerts: public-inspection withdrawals, the poll log and the per-recipient alert ledger."""
    db.executescript(
        """
        -- withdrawn_at: the date it left the desk unpublished; NULL = listed or published
        ALTER TABLE public_inspection ADD COLUMN withdrawn_at TEXT;
        CREATE TABLE polls (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,          -- UTC ISO timestamp
            finished_at TEXT,
            status TEXT NOT NULL,              -- PollStatus: running|idle|changed|failed|skipped
            requests INTEGER NOT NULL DEFAULT 0,
            run_id INTEGER REFERENCES runs(id),   -- the run row a changed poll derived under
            new_documents INTEGER NOT NULL DEFAULT 0,
            withdrawn INTEGER NOT NULL DEFAULT 0,
            alerts_sent INTEGER NOT NULL DEFAULT 0,
            alerts_failed INTEGER NOT NULL DEFAULT 0,
            note TEXT,                         -- why idle ('304 Not Modified', 'same filing stamps', ...) or skipped
            error TEXT
        );
        CREATE TABLE alerts_sent (
            recipient TEXT NOT NULL,           -- the recipient's email (its identity in the config)
            channel TEXT NOT NULL,             -- AlertChannel: email|webhook
            event TEXT NOT NULL,               -- 'change:<change key>:<status>' | 'review:<sha1 of document|index|text>'
            change_key TEXT,                   -- changes.key, for retractions and 'first alert' checks
            status TEXT NOT NULL,              -- ChangeStatus value or 'review'
            state TEXT NOT NULL,               -- AlertState: sent|failed|superseded|abandoned
            attempts INTEGER NOT NULL DEFAULT 0,
            subject TEXT,
            last_error TEXT,
            first_attempt_at TEXT NOT NULL,
            sent_at TEXT,
            PRIMARY KEY (recipient, channel, event)
        );
        CREATE INDEX alerts_sent_change ON alerts_sent(recipient, change_key);
        """
    )


@migrations()
def m004_http_validators(db: Database) -> None:
    """The HTTP validator cache gets its own table; it lived in watermarks as ``etag:<url>`` rows.

    Each moved row keeps its run and time. A row whose JSON does not parse or
    whose body is not stored is dropped: it is a cache, and the next request
    for that URL is simply unconditional once.
    """
    db.executescript(
        """
        CREATE TABLE http_validators (          -- the ETag / Last-Modified of each URL's last 200
            url TEXT PRIMARY KEY,                -- the full URL, query included
            etag TEXT,                           -- sent back as If-None-Match
            last_modified TEXT,                  -- sent back as If-Modified-Since
            body_sha256 TEXT NOT NULL REFERENCES blobs(sha256),   -- the body a 304 stands for
            run_id INTEGER REFERENCES runs(id),
            updated_at TEXT NOT NULL
        );
        """
    )
    prefix = "etag:"
    old = db.execute("SELECT source, value, run_id, updated_at FROM watermarks WHERE substr(source, 1, ?) = ?",
                     [len(prefix), prefix]).fetchall()
    for source, value, run_id, updated_at in old:
        try:
            cached = json.loads(value)
        except ValueError:
            continue
        if not isinstance(cached, dict) or not isinstance(cached.get("sha256"), str) or not db.execute(
                "SELECT 1 FROM blobs WHERE sha256 = ?", [cached["sha256"]]).fetchone():
            continue
        db.execute("INSERT INTO http_validators (url, etag, last_modified, body_sha256, run_id, updated_at)"
                   " VALUES (?,?,?,?,?,?)",
                   [source[len(prefix):], cached.get("etag"), cached.get("last_modified"), cached["sha256"],
                    run_id, updated_at])
    db.execute("DELETE FROM watermarks WHERE substr(source, 1, ?) = ?", [len(prefix), prefix])


# The m005 tables, as created (also the target of its copies). Kept here, not
# shared with later code: a migration describes one schema step for good.
_M005_TABLES = {
    "changes": """
        CREATE TABLE changes (                 -- one row per change ever derived; never deleted (withdrawn is a status)
            id INTEGER PRIMARY KEY,
            change_key TEXT NOT NULL UNIQUE,   -- identity across runs: 'Cambodia|D:5|removed|fr:2026-02262'
            list TEXT NOT NULL DEFAULT 'country_groups',   -- ListKind: the tracked list it changes
            country TEXT NOT NULL,             -- canonical display name (the Entity List: the destination)
            group_code TEXT,                   -- 'D:5', 'B'; NULL for a list without groups
            entity TEXT,                       -- the Entity List: the entity's first name as printed
            entity_key TEXT,                   -- the Entity List: its normalized match key
            action TEXT NOT NULL,              -- ChangeAction: added|removed|revised
            detail TEXT,                       -- JSON: revised fields before/after, a move's other destination
            effective_date TEXT,
            status TEXT NOT NULL,              -- ChangeStatus
            fr_document TEXT REFERENCES fr_documents(document_number),
            ecfr_version_id INTEGER REFERENCES ecfr_versions(id),   -- the version that showed it
            ecfr_version TEXT,                 -- that version's date
            corrected_by TEXT,                 -- correcting document numbers, JSON list
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
    "change_status_log": """
        CREATE TABLE change_status_log (
            id INTEGER PRIMARY KEY,
            change_id INTEGER NOT NULL REFERENCES changes(id),
            status TEXT NOT NULL,
            at TEXT NOT NULL,
            run_id INTEGER REFERENCES runs(id),
            note TEXT
        )""",
    "memberships": """
        CREATE TABLE memberships (             -- every list's entries over time; identity: memberships_identity
            id INTEGER PRIMARY KEY,
            list TEXT NOT NULL DEFAULT 'country_groups',   -- ListKind
            country TEXT NOT NULL,
            group_code TEXT,                   -- column code: 'D:5', 'B'; NULL for a list without groups
            entity TEXT,                       -- the Entity List: first name as printed
            entity_key TEXT,                   -- the Entity List: normalized match key
            detail TEXT,                       -- JSON of the entry's fields (the Entity List)
            valid_from TEXT NOT NULL,
            valid_to TEXT,                     -- exclusive; NULL while it holds
            opened_by_document TEXT REFERENCES fr_documents(document_number),   -- the FR rule that opened it, or
            opened_by_version INTEGER REFERENCES ecfr_versions(id),             -- the eCFR version that showed it
            closed_by_document TEXT REFERENCES fr_documents(document_number),
            closed_by_version INTEGER REFERENCES ecfr_versions(id),
            withdrawn INTEGER NOT NULL DEFAULT 0   -- 1: derived once, no longer (kept, not deleted)
        )""",
    "divergences": """
        CREATE TABLE divergences (             -- D:5 / 126.1 disagreements; identity (country, side, opened_on)
            id INTEGER PRIMARY KEY,
            country TEXT NOT NULL,
            side TEXT NOT NULL,                -- 'itar_only' (in 126.1, not D:5) | 'ear_only'
            kind TEXT NOT NULL DEFAULT 'open', -- DivergenceKind
            moved_first TEXT NOT NULL,         -- 'itar' | 'ear' | 'unknown'
            opened_on TEXT NOT NULL,
            closed_on TEXT,
            opened_by_document TEXT REFERENCES fr_documents(document_number),
            opened_by_version INTEGER REFERENCES ecfr_versions(id),   -- of 126.1 or of the supplement
            closed_by_document TEXT REFERENCES fr_documents(document_number),
            closed_by_version INTEGER REFERENCES ecfr_versions(id),
            withdrawn INTEGER NOT NULL DEFAULT 0
        )""",
}

_M005_INDEXES = (
    "CREATE INDEX memberships_country ON memberships(country, valid_from)",
    "CREATE UNIQUE INDEX memberships_identity ON memberships(list, country, coalesce(group_code, ''),"
    " coalesce(entity_key, ''), valid_from)",
    "CREATE UNIQUE INDEX divergences_identity ON divergences(country, side, opened_on)",
    "CREATE INDEX change_status_log_change ON change_status_log(change_id, id)",
)

# An m004 reference 'fr:DOC' / 'ecfr:DATE' as the m005 pair (document, version id).
_DOC = "(SELECT document_number FROM fr_documents WHERE substr({col}, 1, 3) = 'fr:'" \
       " AND document_number = substr({col}, 4))"
_VERSION = "(SELECT id FROM ecfr_versions WHERE substr({col}, 1, 5) = 'ecfr:' AND kind = {kind}" \
           " AND date = substr({col}, 6) ORDER BY id LIMIT 1)"


def _doc(col: str) -> str:
    return _DOC.format(col=col)


def _version(col: str, kind: str) -> str:
    return _VERSION.format(col=col, kind=kind)


_M005_COPIES = {
    "changes": """
        INSERT INTO changes (id, change_key, list, country, group_code, action, effective_date, status, fr_document,
                             ecfr_version_id, ecfr_version, corrected_by, created_at, updated_at)
        SELECT id, key, 'country_groups', country, grp, action, effective_date, status, fr_document,
               (SELECT id FROM ecfr_versions WHERE kind = 'country_groups' AND date = o.ecfr_version
                ORDER BY id LIMIT 1),
               ecfr_version, corrected_by, created_at, updated_at
        FROM _m004_changes o ORDER BY id""",
    "change_status_log": """
        INSERT INTO change_status_log (id, change_id, status, at, run_id, note)
        SELECT id, change_id, status, at, run_id, note FROM _m004_change_status_log ORDER BY id""",
    "memberships": f"""
        INSERT INTO memberships (id, list, country, group_code, valid_from, valid_to, opened_by_document,
                                 opened_by_version, closed_by_document, closed_by_version)
        SELECT id, 'country_groups', country, grp, valid_from, valid_to,
               {_doc('o.opened_by')}, {_version('o.opened_by', "'country_groups'")},
               {_doc('o.closed_by')}, {_version('o.closed_by', "'country_groups'")}
        FROM _m004_memberships o ORDER BY id""",
    # Which list's version an 'ecfr:' divergence reference names: the opener is a 126.1 version when
    # State moved first (or, standing, for a country only 126.1 lists), else the supplement's; a closer
    # is the supplement's when one is stored that day, else 126.1's. Both give the same date (what the
    # readers print); the next derivation writes the exact version either way.
    "divergences": f"""
        INSERT INTO divergences (id, country, side, kind, moved_first, opened_on, closed_on, opened_by_document,
                                 opened_by_version, closed_by_document, closed_by_version)
        SELECT id, country, side, kind, moved_first, opened_on, closed_on,
               {_doc('o.opened_by')},
               {_version('o.opened_by', "CASE WHEN o.moved_first = 'itar' OR (o.moved_first = 'unknown' AND"
                                        " o.side = 'itar_only') THEN 'itar_126_1' ELSE 'country_groups' END")},
               {_doc('o.closed_by')},
               coalesce({_version('o.closed_by', "'country_groups'")}, {_version('o.closed_by', "'itar_126_1'")})
        FROM _m004_divergences o ORDER BY id""",
}

_M005_VIEWS = (
    """
    CREATE VIEW change_detail AS           -- one row per change: what, where, its document and version, readable
    SELECT c.id, c.list, c.country, c.group_code, gc.name AS group_name, c.entity, c.action, c.status,
           c.effective_date, c.fr_document, d.title AS document_title, d.citation, d.publication_date,
           CASE WHEN d.title LIKE 'SAMPLE%' THEN NULL   -- a sample document has no federalregister.gov page
                ELSE coalesce(d.html_url, 'https://www.federalregister.gov/d/' || c.fr_document) END AS html_url,
           coalesce(v.date, c.ecfr_version) AS ecfr_version,
           (SELECT l.at FROM change_status_log l WHERE l.change_id = c.id ORDER BY l.id DESC LIMIT 1)
               AS last_logged_at,
           c.detail, c.corrected_by, c.change_key
    FROM changes c
    LEFT JOIN fr_documents d ON d.document_number = c.fr_document
    LEFT JOIN ecfr_versions v ON v.id = c.ecfr_version_id
    LEFT JOIN group_columns gc ON gc.code = c.group_code AND gc.withdrawn = 0
    """,
    """
    CREATE VIEW membership_history AS      -- every derived membership with what opened and closed it, readable
    SELECT m.id, m.list, m.country, m.group_code, gc.name AS group_name, m.entity, m.valid_from, m.valid_to,
           CASE WHEN m.opened_by_document IS NOT NULL THEN 'FR Doc. ' || m.opened_by_document
                WHEN ov.id IS NOT NULL THEN 'eCFR version ' || ov.date END AS opened_by,
           m.opened_by_document, od.citation AS opened_by_citation, od.title AS opened_by_title,
           ov.date AS opened_by_version_date,
           CASE WHEN m.closed_by_document IS NOT NULL THEN 'FR Doc. ' || m.closed_by_document
                WHEN cv.id IS NOT NULL THEN 'eCFR version ' || cv.date END AS closed_by,
           m.closed_by_document, cd.citation AS closed_by_citation, cd.title AS closed_by_title,
           cv.date AS closed_by_version_date,
           m.detail
    FROM memberships m
    LEFT JOIN group_columns gc ON gc.code = m.group_code AND gc.withdrawn = 0
    LEFT JOIN fr_documents od ON od.document_number = m.opened_by_document
    LEFT JOIN ecfr_versions ov ON ov.id = m.opened_by_version
    LEFT JOIN fr_documents cd ON cd.document_number = m.closed_by_document
    LEFT JOIN ecfr_versions cv ON cv.id = m.closed_by_version
    WHERE m.withdrawn = 0
    ORDER BY m.list, m.country, m.group_code, m.entity_key, m.valid_from
    """,
    # "Today" is the day of the latest run (frtrack's clock, which derived the rows), else the system's.
    """
    CREATE VIEW current_memberships AS     -- what each list holds on the day of the latest run
    SELECT h.id, h.list, h.country, h.group_code, h.group_name, h.entity, h.valid_from, h.valid_to,
           h.opened_by, h.opened_by_document, h.opened_by_citation, h.opened_by_version_date, h.detail,
           t.day AS as_of
    FROM membership_history h,
         (SELECT coalesce((SELECT today FROM runs ORDER BY id DESC LIMIT 1), date('now')) AS day) t
    WHERE h.valid_from <= t.day AND (h.valid_to IS NULL OR h.valid_to > t.day)
    """,
)


@migrations()
def m005_browsable(db: Database) -> None:
    """A schema to browse (``datasette frtrack.db``): foreign keys instead of 'fr:'/'ecfr:' text,
    readable names, a withdrawn state instead of deletions, stable ids, and three views.

    ``changes.key``/``grp`` become ``change_key``/``group_code`` and gain the
    list, entity and detail columns and the version's id; memberships and
    divergences reference their opening and closing document or version by
    foreign key and are withdrawn, never deleted; review items get
    ``withdrawn_at``, table events and columns a ``withdrawn`` flag;
    ``group_columns.tbl`` is ``table_name``. Every id and the status log are
    kept. Tables are rebuilt by rename, create, copy, drop; ``change_status_log``
    is rebuilt with ``changes`` so its foreign key follows the new table (SQLite
    rewrites references on rename while foreign keys are on, and they are on in
    this transaction). Statements run one by one: ``executescript`` would
    commit the transaction the migration runs in.
    """
    rebuilt = ("changes", "change_status_log", "memberships", "divergences")
    for table in rebuilt:
        db.execute(f"ALTER TABLE {table} RENAME TO _m004_{table}")
    for table in rebuilt:
        db.execute(_M005_TABLES[table])
        db.execute(_M005_COPIES[table])
    for table in reversed(rebuilt):   # the log (a child) before changes
        db.execute(f"DROP TABLE _m004_{table}")
    for statement in (*_M005_INDEXES,
                      "ALTER TABLE review_items ADD COLUMN withdrawn_at TEXT",   # NULL while derived
                      "ALTER TABLE group_columns RENAME COLUMN tbl TO table_name",
                      "ALTER TABLE group_columns ADD COLUMN withdrawn INTEGER NOT NULL DEFAULT 0",
                      "ALTER TABLE table_events ADD COLUMN withdrawn INTEGER NOT NULL DEFAULT 0",
                      *_M005_VIEWS):
        db.execute(statement)
    problems = db.execute("PRAGMA foreign_key_check").fetchall()
    if problems:   # the copies only write references that resolve; this is the guard that they do
        raise StoreError(f"migration m005_browsable: foreign key check failed: {problems[:5]}")
