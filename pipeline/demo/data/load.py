"""Store a timeline stage straight into the database, through the writers the fetchers use.

Used by the engine's tests to exercise derivation without HTTP; the end-to-end
tests and the demo go through the replay server and the real fetchers instead.
Each item takes the path its fetcher takes: an FR document is upserted as the
API states it and then given its XML, a filing is upserted and given its raw
text, an eCFR version is added with its XML.
"""
from __future__ import annotations

from sqlite_utils import Database

from pipeline.demo.data.timeline import Stage
from store.blobs import put_blob
from store.documents import (
    CfrReference,
    EcfrVersionRow,
    FilingRow,
    FrDocumentRow,
    add_ecfr_version,
    mark_filing_published,
    set_document_xml,
    set_filing_text,
    upsert_api_document,
    upsert_filing,
)

SUPPLEMENT_UNIT = "15 CFR Supplement No. 1 to Part 740"
ITAR_UNIT = "22 CFR 126.1"
# (the config's Tracked.key and kind, the Stage field holding its versions)
UNITS = ((SUPPLEMENT_UNIT, "country_groups", "ecfr_supplement"), (ITAR_UNIT, "itar_126_1", "ecfr_itar"),
         ("15 CFR 744.21", "744.21", "ecfr_744_21"), ("15 CFR 744.22", "744.22", "ecfr_744_22"),
         ("15 CFR Supplement No. 4 to Part 744", "entity_list", "ecfr_entity_list"))


def load_stage_direct(db: Database, stage: Stage, run_id: int | None = None) -> None:
    with db.atomic():
        for unit, kind, versions in ((u, k, getattr(stage, field)) for u, k, field in UNITS):
            for day, xml in versions:
                add_ecfr_version(db, EcfrVersionRow(unit=unit, kind=kind, date=day.isoformat(),
                                                    amendment_date=day.isoformat(), issue_date=day.isoformat()),
                                 xml_sha256=put_blob(db, xml), run_id=run_id)
        for d in stage.documents:
            upsert_api_document(db, FrDocumentRow(
                document_number=d.number, doc_type=d.doc_type, title=d.title, action="Final rule.",
                publication_date=d.publication_date.isoformat(), effective_on=d.effective_on.isoformat(),
                citation=d.citation, agencies=(d.agency,),
                cfr_references=tuple(CfrReference(15 if part >= 700 else 22, part)
                                     for part in (d.cfr_part, *d.more_parts)),
                rins=(d.rin,) if d.rin else (), html_url=f"https://www.federalregister.gov/d/{d.number}",
                full_text_xml_url=f"https://www.federalregister.gov/documents/full_text/xml/{d.number}.xml",
                correction_of=d.correction_of), api_sha256=None, run_id=run_id)
            set_document_xml(db, d.number, put_blob(db, d.xml))
            mark_filing_published(db, d.number)
        for p in stage.public_inspection:
            upsert_filing(db, FilingRow(document_number=p.number, title=p.title, doc_type="Rule",
                                        agencies=(p.agency,), filed_at=p.filed_at,
                                        publication_date=p.publication_date.isoformat()),
                          api_sha256=None, run_id=run_id)
            set_filing_text(db, p.number, url=None, text_sha256=put_blob(db, p.text.encode()))
