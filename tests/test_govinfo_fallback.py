"""Blocked by federalregister.gov: the govinfo daily issue still brings the Cambodia rule through.

The FR search answers with an HTML "Request Access" page; with
``govinfo_fallback`` on, the daily issue of 2026-02-04 (root FEDREG) is
fetched, split, and its BIS rule predicts the D:5 removal. The run still
fails (a source failed), but nothing is lost.
"""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from pipeline.demo import synth
from pipeline.demo.data.replay_dir import write_replay_dir
from pipeline.demo.data.timeline import build_timeline
from pipeline.demo.replay import ReplayServer
from pipeline.demo.run import demo_settings
from pipeline.run import run_once
from store import queries as q
from store.db import open_db


def test_govinfo_issue_feeds_the_engine_when_fr_blocks(tmp_path):
    stages = build_timeline()
    directory = write_replay_dir(stages, tmp_path / "replay")
    published = [s.today for s in stages].index(date(2026, 2, 4))
    rule = stages[published].documents[0].xml              # FR Doc. 2026-02262
    issue = synth.fr_issue_xml(91, 23, date(2026, 2, 4), [rule])
    (directory / "bodies" / "FR-2026-02-04.xml").write_bytes(issue)
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["entries"].insert(0, {"path": "/bulkdata/FR/2026/02/FR-2026-02-04.xml",
                                   "body_file": "bodies/FR-2026-02-04.xml"})
    manifest["entries"].append({"path": "/bulkdata/FR/*", "status": 404, "body": "no issue"})
    (directory / "manifest.json").write_text(json.dumps(manifest))
    db_path = tmp_path / "f.db"
    with ReplayServer(directory) as server:
        settings = demo_settings(server.url)
        for i in range(published):                          # up to the announcement, normally
            server.set_stage(i)
            assert run_once(settings, db_path, today=stages[i].today).ok
        server.set_stage(published)
        server.add_entry("/api/v1/documents.json", fault={"kind": "block_page"}, first=True)
        blocked = replace(settings, sources=replace(settings.sources, govinfo_fallback=True))
        report = run_once(blocked, db_path, today=stages[published].today)
    assert not report.ok and "BlockedError" in report.error
    db = open_db(db_path)
    row = db.execute("SELECT source, publication_date, effective_date, citation, parse_status FROM fr_documents"
                     " WHERE document_number = '2026-02262'").fetchone()
    assert row == ("govinfo", "2026-02-04", "2026-02-03", None, "ok")
    removal = [r for r in q.list_changes(db, country="Cambodia") if r["action"] == "removed"]
    assert [(r["group"], r["status"], r["fr_document"]) for r in removal] == [("D:5", "in_effect", "2026-02262")]
    db.close()
