"""Store a timeline stage straight into the database, as the fetchers would.

Used by the engine's tests and the backfill benchmark to exercise derivation
without HTTP; the end-to-end tests and the demo go through the replay server
and the real fetchers instead.
"""
from __future__ import annotations

import json

from sqlite_utils import Database

from pipeline.demo.data.timeline import Stage
from store.blobs import put_blob
from store.db import utcnow

SUPPLEMENT_UNIT = "15 CFR Supplement No. 1 to Part 740"
ITAR_UNIT = "22 CFR 126.1"


def load_stage_direct(db: Database, stage: Stage, run_id: int | None = None) -> None:
    with db.atomic():
        for unit, kind, versions in ((SUPPLEMENT_UNIT, "country_groups", stage.ecfr_supplement),
                                     (ITAR_UNIT, "itar_126_1", stage.ecfr_itar)):
            for day, xml in versions:
                db.execute("INSERT OR IGNORE INTO ecfr_versions (unit, kind, date, amendment_date, issue_date,"
                           " xml_sha256, parse_status, first_seen_run) VALUES (?,?,?,?,?,?,?,?)",
                           [unit, kind, day.isoformat(), day.isoformat(), day.isoformat(), put_blob(db, xml),
                            "pending", run_id])
        for d in stage.documents:
            db.execute(
                "INSERT OR IGNORE INTO fr_documents (document_number, doc_type, title, action, publication_date,"
                " effective_on, citation, agencies, cfr_references, rins, html_url, full_text_xml_url,"
                " correction_of, xml_sha256, parse_status, first_seen_run, updated_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [d.number, d.doc_type, d.title, "Final rule.", d.publication_date.isoformat(),
                 d.effective_on.isoformat(), d.citation, json.dumps([d.agency]),
                 json.dumps([{"title": 15 if d.cfr_part == 740 else 22, "part": d.cfr_part}]),
                 json.dumps([d.rin] if d.rin else []), f"https://www.federalregister.gov/d/{d.number}",
                 f"https://www.federalregister.gov/documents/full_text/xml/{d.number}.xml", d.correction_of,
                 put_blob(db, d.xml), "pending", run_id, utcnow(db)])
        for p in stage.public_inspection:
            db.execute("INSERT OR IGNORE INTO public_inspection (document_number, title, doc_type, agencies, filed_at,"
                       " publication_date, text_sha256, first_seen_run) VALUES (?,?,?,?,?,?,?,?)",
                       [p.number, p.title, "Rule", json.dumps([p.agency]), p.filed_at,
                        p.publication_date.isoformat(), put_blob(db, p.text.encode()), run_id])
