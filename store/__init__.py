"""The SQLite store: every write to the database goes through a named function here.

``pipeline/`` holds no write SQL (``tests/test_one_writer.py``; the engine's
derived tables are the one exception still being moved here).

    db.py          opening (WAL, foreign keys, read-only door), the clock timestamps come from
    migrations.py  the schema, one versioned migration at a time
    blobs.py       raw bodies by sha256, and each HTTP response's metadata
    documents.py   FR documents, public-inspection filings, eCFR versions as the sources state them
    runs.py        the run log: runs, each source's fetch, the desk polls
    watermarks.py  where each source got to, and the HTTP validator cache
    ledgers.py     who was sent which alert and which digest
    queries.py     what the CLI, the alerts, the digest and the site read
    enums.py       the bookkeeping enums (run, fetch, poll, alert states)
"""
