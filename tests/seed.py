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
    ("2021-26633", "Rule", "Revision of Controls for Cambodia Under the Export Administration Regulations", "2021-12-09", "2021-12-09",
     "86 FR 70015", ["industry-and-security-bureau"], None),
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
CG_UNIT = "15 CFR Supplement No. 1 to Part 740"


def _version_id(db: Database, kind: str, day: str) -> int | None:
    row = db.execute("SELECT id FROM ecfr_versions WHERE kind = ? AND date = ? ORDER BY id LIMIT 1",
                     [kind, day]).fetchone()
    return row[0] if row else None


def _ref(db: Database, ref: str | None, kind: str) -> tuple[str | None, int | None]:
    """'fr:DOC' / 'ecfr:DATE' as the (document, version id) pair the store keeps."""
    if not ref:
        return None, None
    what, _, value = ref.partition(":")
    return (value, None) if what == "fr" else (None, _version_id(db, kind, value))


def insert_change(db: Database, country: str, group: str | None, action: str, effective: str | None, status: str,
                  doc: str | None = None, version: str | None = None, *, list_kind: str = "country_groups",
                  entity: str | None = None, entity_key: str | None = None, detail: dict | None = None,
                  key: str | None = None, created: str = NOW, updated: str | None = None,
                  change_id: int | None = None, log: bool = True) -> int:
    """One ``changes`` row (and its status-log entry) as the engine stores it; returns its id."""
    what = group if list_kind == "country_groups" else list_kind + (f"|{entity_key}" if entity_key else "")
    key = key or f"{country}|{what}|{action}|" + (f"fr:{doc}" if doc else f"ecfr:{version}")
    cur = db.execute(
        "INSERT INTO changes (id, change_key, list, country, group_code, entity, entity_key, action, detail,"
        " effective_date, status, fr_document, ecfr_version_id, ecfr_version, created_at, updated_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [change_id, key, list_kind, country, group, entity, entity_key, action,
         json.dumps(detail) if detail else None, effective, status, doc,
         _version_id(db, list_kind, version) if version else None, version, created, updated or created])
    cid = cur.lastrowid
    if log:
        db.execute("INSERT INTO change_status_log (change_id, status, at) VALUES (?,?,?)", [cid, status, updated or created])
    return cid


def insert_membership(db: Database, country: str, group: str | None, valid_from: str, valid_to: str | None,
                      opened_by: str | None, closed_by: str | None = None, *, list_kind: str = "country_groups",
                      entity: str | None = None, entity_key: str | None = None, detail: dict | None = None) -> None:
    """One ``memberships`` row; opened_by/closed_by as 'fr:DOC' or 'ecfr:DATE' (a version of ``list_kind``)."""
    od, ov = _ref(db, opened_by, list_kind)
    cd, cv = _ref(db, closed_by, list_kind)
    db.execute("INSERT INTO memberships (list, country, group_code, entity, entity_key, detail, valid_from, valid_to,"
               " opened_by_document, opened_by_version, closed_by_document, closed_by_version)"
               " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
               [list_kind, country, group, entity, entity_key, json.dumps(detail) if detail else None,
                valid_from, valid_to, od, ov, cd, cv])


def insert_divergence(db: Database, country: str, side: str, kind: str, moved_first: str, opened_on: str,
                      closed_on: str | None, opened_by: str | None, closed_by: str | None) -> None:
    od, ov = _ref(db, opened_by, "itar_126_1" if moved_first == "itar" else "country_groups")
    cd, cv = _ref(db, closed_by, "country_groups")
    db.execute("INSERT INTO divergences (country, side, kind, moved_first, opened_on, closed_on, opened_by_document,"
               " opened_by_version, closed_by_document, closed_by_version) VALUES (?,?,?,?,?,?,?,?,?,?)",
               [country, side, kind, moved_first, opened_on, closed_on, od, ov, cd, cv])


def insert_document(db: Database, num: str, title: str, pub: str, eff: str, citation: str | None = None,
                    agencies: tuple[str, ...] = ("industry-and-security-bureau",), part: int = 740,
                    correction_of: str | None = None, typ: str = "Rule") -> None:
    db.execute(
        "INSERT INTO fr_documents (document_number, doc_type, title, action, publication_date,"
        " effective_on, effective_date, citation, agencies, cfr_references, html_url,"
        " full_text_xml_url, correction_of, parse_status, updated_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [num, typ, title, "Final rule.", pub, eff, eff, citation, json.dumps(list(agencies)),
         json.dumps([{"title": 15, "part": part}]), f"https://www.federalregister.gov/d/{num}",
         f"https://www.federalregister.gov/documents/full_text/xml/{num}.xml", correction_of, "ok", NOW])


def seed_cambodia_story(db: Database) -> None:
    """Write the fixed dataset; safe on a freshly migrated database only."""
    with db.atomic():
        for code, (name, tbl) in COLUMNS.items():
            db.execute("INSERT INTO group_columns (code, name, table_name, as_of) VALUES (?,?,?,?)",
                       [code, name, tbl, "2026-02-05"])
        for num, typ, title, pub, eff, cit, agencies, corr in DOCS:
            insert_document(db, num, title, pub, eff, cit, tuple(agencies), correction_of=corr, typ=typ)
        db.execute("INSERT INTO public_inspection (document_number, title, doc_type, agencies, filed_at,"
                   " publication_date, published) VALUES (?,?,?,?,?,?,?)",
                   ["2099-90103", "SAMPLE: Addition of Entities and Revision of Country Group D:5 for Haiti", "Rule",
                    json.dumps(["industry-and-security-bureau"]), "2026-02-23T08:45:00", "2026-02-25", 0])
        for date in ("2021-01-04", "2021-12-09", "2024-03-28", "2026-02-05", "2026-02-11"):
            db.execute("INSERT INTO ecfr_versions (unit, kind, date, amendment_date, parse_status) VALUES (?,?,?,?,?)",
                       [CG_UNIT, "country_groups", date, date, "ok"])
        db.execute("INSERT INTO ecfr_versions (unit, kind, date, amendment_date, parse_status) VALUES (?,?,?,?,?)",
                   ["22 CFR 126.1", "itar_126_1", "2026-02-18", "2026-02-18", "ok"])
        for i, (country, grp, action, eff, status, doc, ver) in enumerate(CHANGES, 1):
            insert_change(db, country, grp, action, eff, status, doc, ver, change_id=i)
        insert_change(db, "Haiti", "D:5", "added", "2026-03-02", "announced", key="Haiti|D:5|added|pi:2099-90103",
                      log=False)
        for country, grp, vf, vt, ob, cb in MEMBERSHIPS:
            insert_membership(db, country, grp, vf, vt, ob, cb)
        insert_divergence(db, "Cambodia", "ear_only", "closed", "itar", "2025-11-07", "2026-02-03", "fr:2025-19822",
                          "fr:2026-02262")
        insert_divergence(db, "Haiti", "itar_only", "open", "itar", "2026-02-18", None, "ecfr:2026-02-18", None)
        db.execute("INSERT INTO runs (id, started_at, finished_at, status, trigger, today) VALUES (1,?,?,?,?,?)",
                   ["2026-02-24T11:00:00+00:00", "2026-02-24T11:01:00+00:00", "ok", "cli", "2026-02-24"])
        for src, st, err in (("federal_register", "ok", None), ("public_inspection", "ok", None),
                             ("ecfr", "failed", "HTTP 503: title 15 is processing")):
            db.execute("INSERT INTO source_fetches (run_id, source, status, started_at, finished_at, requests,"
                       " new_items, error) VALUES (1,?,?,?,?,?,?,?)",
                       [src, st, "2026-02-24T11:00:00+00:00", "2026-02-24T11:01:00+00:00", 3, 1, err])


# --- the other lists (issue 15): § 744.21, § 744.22 and the Entity List ----------------------------
# Real: 2021-26633 put Cambodia in § 744.21. Invented, and looking it: every Entity List entry (names
# no real entity bears), the SAMPLE document 2099-90104 that changes them, the § 744.22 membership dates.
LIST_UNITS = {"744.21": "15 CFR 744.21", "744.22": "15 CFR 744.22",
              "entity_list": "15 CFR Supplement No. 4 to Part 744"}
SAMPLE_EL_DOC = ("2099-90104", "SAMPLE: Additions to, Revision of and Removal from the Entity List", "2026-02-17",
                 "2026-02-17")


def entity_detail(name: str, address: str, citations: tuple[str, ...] = ("99 FR 00001, 1/4/21",),
                  aliases: tuple[str, ...] = ()) -> dict:
    return {"name": name, "aliases": list(aliases), "address": address,
            "license_requirement": "For all items subject to the EAR.", "review_policy": "Presumption of denial.",
            "citations": list(citations)}


def seed_lists(db: Database) -> None:
    """The Cambodia story's § 744.21 / § 744.22 and Entity List facts, on top of ``seed_cambodia_story``."""
    with db.atomic():
        num, title, pub, eff = SAMPLE_EL_DOC
        insert_document(db, num, title, pub, eff, part=744)
        for kind, unit in LIST_UNITS.items():
            for day in ("2021-01-04", "2021-12-09") if kind == "744.21" else ("2021-01-04",):
                db.execute("INSERT INTO ecfr_versions (unit, kind, date, amendment_date, parse_status)"
                           " VALUES (?,?,?,?,?)", [unit, kind, day, day, "ok"])
        for country in ("China", "Russia", "Venezuela"):
            insert_membership(db, country, None, "2021-01-04", None, "ecfr:2021-01-04", list_kind="744.21")
        insert_membership(db, "Cambodia", None, "2021-12-09", None, "fr:2021-26633", list_kind="744.21")
        insert_change(db, "Cambodia", None, "added", "2021-12-09", "confirmed", "2021-26633", "2021-12-09",
                      list_kind="744.21")
        for country in ("Cambodia", "China", "Russia"):
            insert_membership(db, country, None, "2021-01-04", None, "ecfr:2021-01-04", list_kind="744.22")
        old = entity_detail("Example Precision Optics Co., Ltd.", "No. 1 Sample Road, Exampletown.")
        new = entity_detail("Example Precision Optics Co., Ltd.", "No. 2 Sample Road, Exampletown.",
                            ("99 FR 00001, 1/4/21", "99 FR 90104, 2/17/26"))
        khmer = entity_detail("Sample Khmer Trading Co., Ltd.", "Street 000, Sample Quarter, Phnom Penh.",
                              ("99 FR 90104, 2/17/26",), aliases=("SKT Sample",))
        avionics = entity_detail("Fictional Avionics LLC", "1 Imaginary Prospekt, Sampleburg.")
        insert_membership(db, "China", None, "2021-01-04", "2026-02-17", "ecfr:2021-01-04", "fr:2099-90104",
                          list_kind="entity_list", entity="Example Precision Optics Co., Ltd.",
                          entity_key="example precision optics co ltd", detail=old)
        insert_membership(db, "China", None, "2026-02-17", None, "fr:2099-90104",
                          list_kind="entity_list", entity="Example Precision Optics Co., Ltd.",
                          entity_key="example precision optics co ltd", detail=new)
        insert_membership(db, "Cambodia", None, "2026-02-17", None, "fr:2099-90104",
                          list_kind="entity_list", entity="Sample Khmer Trading Co., Ltd.",
                          entity_key="sample khmer trading co ltd", detail=khmer)
        insert_membership(db, "Russia", None, "2021-01-04", "2026-02-17", "ecfr:2021-01-04", "fr:2099-90104",
                          list_kind="entity_list", entity="Fictional Avionics LLC", entity_key="fictional avionics llc",
                          detail=avionics)
        insert_change(db, "Cambodia", None, "added", "2026-02-17", "published", "2099-90104", list_kind="entity_list",
                      entity="Sample Khmer Trading Co., Ltd.", entity_key="sample khmer trading co ltd")
        insert_change(db, "China", None, "revised", "2026-02-17", "published", "2099-90104", list_kind="entity_list",
                      entity="Example Precision Optics Co., Ltd.", entity_key="example precision optics co ltd",
                      detail={"fields": {"address": {"before": old["address"], "after": new["address"]},
                                         "citations": {"before": old["citations"], "after": new["citations"]}}})
        insert_change(db, "Russia", None, "removed", "2026-02-17", "published", "2099-90104", list_kind="entity_list",
                      entity="Fictional Avionics LLC", entity_key="fictional avionics llc")
