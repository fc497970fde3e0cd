"""Versioned schema migrations (sqlite-utils ``Migrations``).

Append new migrations at the end; never edit one that has shipped. The number
of migrations is the schema version: a database that has applied migrations
this code does not know was written by a newer frtrack and is refused.
"""
from __future__ import annotations

import json

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

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
