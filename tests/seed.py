"""A small, fixed, hand-checked database state for renderer tests (digest, site).

It writes rows exactly as the history engine stores them, so the digest and
site can be tested without running the fetchers. The pipeline's own tests
build their state through real runs instead.

Real: the numbers and dates of FR Docs. 2021-26633 (86 FR 70015), 2025-19822 and
2026-02262 (no citation: not verified). Everything else is invented for the
renderers and looks it: documents numbered 2099-901xx titled "SAMPLE: ...", the
Belarus, Venezuela and Haiti events, the memberships' dates.
"""
from __future__ import annotations

import json

from sqlite_utils import Database

COLUMNS = {
    "A:1": ("Wassenaar Participating States", "Country Group A"),
    "A:2": ("Missile Technology Control Regime", "Country Group A"),
    "A:3": ("Australia Group", "Country Group A"),
    "A:4": ("Nuclear Suppliers Group", "Country Group A"),
    "A:5": ("", "Country Group A"),
    "A:6": ("", "Country Group A"),
    "B": ("Country Group B", "Country Group B"),
    "D:1": ("National Security", "Country Group D"),
    "D:2": ("Nuclear", "Country Group D"),
    "D:3": ("Chemical & Biological", "Country Group D"),
    "D:4": ("Missile Technology", "Country Group D"),
    "D:5": ("U.S. Arms Embargoed Countries", "Country Group D"),
    "E:1": ("Terrorist Supporting Countries", "Country Group E"),
    "E:2": ("Unilateral Embargo", "Country Group E"),
}

DOCS = [
    # number, type, title, pub, effective, citation, agencies, correction_of
    ("2021-26633", "Rule", "Revision of Controls for Cambodia Under the Export Administration Regulations", "2021-12-09",
     "2021-12-09", "86 FR 70015", ["industry-and-security-bureau"], None),
    ("2099-90101", "Rule", "SAMPLE: Updates to Country Group D:5 for Nicaragua and Cyprus", "2024-03-28",
     "2024-03-28", None, ["industry-and-security-bureau"], None),
    ("2025-19822", "Rule", "International Traffic in Arms Regulations: Changes to Section 126.1", "2025-11-07",
     "2025-11-07", None, ["state-department"], None),
    ("2026-02262", "Rule", "Conforming Change to the Export Administration Regulations for Cambodia",
     "2026-02-04", "2026-02-03", None, ["industry-and-security-bureau"], None),
    ("2099-90102", "Rule", "SAMPLE: Export Administration Regulations: Technical Corrections", "2026-02-20",
     "2026-02-20", None, ["industry-and-security-bureau"], None),
]

# country, group, action, effective, status, fr_document, ecfr_version
CHANGES = [
    ("Cambodia", "D:5", "added", "2021-12-09", "confirmed", "2021-26633", "2021-12-09"),
    ("Nicaragua", "D:5", "added", "2024-03-28", "confirmed", "2099-90101", "2024-03-28"),
    ("Cyprus", "D:5", "removed", "2024-03-28", "confirmed", "2099-90101", "2024-03-28"),
    ("Cambodia", "D:5", "removed", "2026-02-03", "confirmed", "2026-02262", "2026-02-05"),
    ("Belarus", "A:4", "removed", "2026-02-11", "unattributed", None, "2026-02-11"),
    ("Venezuela", "E:2", "added", "2026-02-20", "contradicted", "2099-90102", "2026-02-24"),
]

# country, group, from, to, opened_by, closed_by
MEMBERSHIPS = [
    ("Cambodia", "D:1", "2021-01-04", None, "ecfr:2021-01-04", None),
    ("Cambodia", "D:5", "2021-12-09", "2026-02-03", "fr:2021-26633", "fr:2026-02262"),
    ("China", "D:1", "2021-01-04", None, "ecfr:2021-01-04", None),
    ("China", "D:5", "2021-01-04", None, "ecfr:2021-01-04", None),
    ("Cyprus", "D:5", "2021-01-04", "2024-03-28", "ecfr:2021-01-04", "fr:2099-90101"),
    ("Cyprus", "A:1", "2021-01-04", None, "ecfr:2021-01-04", None),
    ("Nicaragua", "D:5", "2024-03-28", None, "fr:2099-90101", None),
    ("Belarus", "A:4", "2021-01-04", "2026-02-11", "ecfr:2021-01-04", "ecfr:2026-02-11"),
    ("Belarus", "D:1", "2021-01-04", None, "ecfr:2021-01-04", None),
    ("Canada", "B", "2021-01-04", None, "ecfr:2021-01-04", None),
]

NOW = "2026-02-24T12:00:00+00:00"


def seed_cambodia_story(db: Database) -> None:
    """Write the fixed dataset; safe on a freshly migrated database only."""
    with db.atomic():
        for code, (name, tbl) in COLUMNS.items():
            db.execute("INSERT INTO group_columns (code, name, tbl, as_of) VALUES (?,?,?,?)",
                       [code, name, tbl, "2026-02-05"])
        for num, typ, title, pub, eff, cit, agencies, corr in DOCS:
            db.execute(
                "INSERT INTO fr_documents (document_number, doc_type, title, action, publication_date,"
                " effective_on, effective_date, citation, agencies, cfr_references, html_url,"
                " full_text_xml_url, correction_of, parse_status, updated_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [num, typ, title, "Final rule.", pub, eff, eff, cit, json.dumps(agencies),
                 json.dumps([{"title": 15, "part": 740}]), f"https://www.federalregister.gov/d/{num}",
                 f"https://www.federalregister.gov/documents/full_text/xml/{num}.xml", corr, "ok", NOW])
        db.execute("INSERT INTO public_inspection (document_number, title, doc_type, agencies, filed_at,"
                   " publication_date, published) VALUES (?,?,?,?,?,?,?)",
                   ["2099-90103", "SAMPLE: Addition of Entities and Revision of Country Group D:5 for Haiti", "Rule",
                    json.dumps(["industry-and-security-bureau"]), "2026-02-23T08:45:00", "2026-02-25", 0])
        for i, (country, grp, action, eff, status, doc, ver) in enumerate(CHANGES, 1):
            key = f"{country}|{grp}|{action}|" + (f"fr:{doc}" if doc else f"ecfr:{ver}")
            db.execute("INSERT INTO changes (id, key, country, grp, action, effective_date, status, fr_document,"
                       " ecfr_version, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                       [i, key, country, grp, action, eff, status, doc, ver, NOW, NOW])
            db.execute("INSERT INTO change_status_log (change_id, status, at) VALUES (?,?,?)", [i, status, NOW])
        db.execute("INSERT INTO changes (key, country, grp, action, effective_date, status, fr_document, ecfr_version,"
                   " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                   ["Haiti|D:5|added|pi:2099-90103", "Haiti", "D:5", "added", "2026-03-02", "announced", None, None, NOW, NOW])
        for country, grp, vf, vt, ob, cb in MEMBERSHIPS:
            db.execute("INSERT INTO memberships (country, grp, valid_from, valid_to, opened_by, closed_by)"
                       " VALUES (?,?,?,?,?,?)", [country, grp, vf, vt, ob, cb])
        db.execute("INSERT INTO divergences (country, side, kind, moved_first, opened_on, closed_on, opened_by,"
                   " closed_by) VALUES (?,?,?,?,?,?,?,?)",
                   ["Cambodia", "ear_only", "closed", "itar", "2025-11-07", "2026-02-03", "fr:2025-19822",
                    "fr:2026-02262"])
        db.execute("INSERT INTO divergences (country, side, kind, moved_first, opened_on, closed_on, opened_by,"
                   " closed_by) VALUES (?,?,?,?,?,?,?,?)",
                   ["Haiti", "itar_only", "open", "itar", "2026-02-18", None, "ecfr:2026-02-18", None])
        for unit, date in (("15 CFR Supplement No. 1 to Part 740", "2021-01-04"),
                           ("15 CFR Supplement No. 1 to Part 740", "2021-12-09"),
                           ("15 CFR Supplement No. 1 to Part 740", "2024-03-28"),
                           ("15 CFR Supplement No. 1 to Part 740", "2026-02-05"),
                           ("15 CFR Supplement No. 1 to Part 740", "2026-02-11")):
            db.execute("INSERT INTO ecfr_versions (unit, kind, date, amendment_date, parse_status) VALUES (?,?,?,?,?)",
                       [unit, "country_groups", date, date, "ok"])
        db.execute("INSERT INTO runs (id, started_at, finished_at, status, trigger, today) VALUES (1,?,?,?,?,?)",
                   ["2026-02-24T11:00:00+00:00", "2026-02-24T11:01:00+00:00", "ok", "cli", "2026-02-24"])
        for src, st, err in (("federal_register", "ok", None), ("public_inspection", "ok", None),
                             ("ecfr", "failed", "HTTP 503: title 15 is processing")):
            db.execute("INSERT INTO source_fetches (run_id, source, status, started_at, finished_at, requests,"
                       " new_items, error) VALUES (1,?,?,?,?,?,?,?)",
                       [src, st, "2026-02-24T11:00:00+00:00", "2026-02-24T11:01:00+00:00", 3, 1, err])
