"""Write the bundled timeline as a replay directory (manifest.json + bodies/).

Stage *s* of the replay server is "the APIs as they answer on stage s's run
day": the FR search lists what was published by then, public inspection shows
that day's filings, and the eCFR lists the versions it has by then. Document
XML and eCFR full-text bodies stay available from the stage they appear on.
Bodies use ``{{base}}`` so links point back at whatever port the server got.
"""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.demo.data.timeline import BIS, Doc, PIDoc, Stage

LAST = 10_000   # "until the end of the timeline"
AGENCY_NAMES = {BIS: "Industry and Security Bureau", "state-department": "State Department"}
SUPPLEMENT = "Supplement No. 1 to Part 740"
ENTITY_LIST = "Supplement No. 4 to Part 744"
# The title-15 units the sample serves: (Stage field, part, the fetcher's full-XML query, versions entry).
TITLE_15_UNITS = (
    ("ecfr_supplement", "740", {"part": "740", "appendix": SUPPLEMENT}, (SUPPLEMENT, "Country Groups")),
    ("ecfr_744_21", "744", {"part": "744", "section": "744.21"},
     ("744.21", "Restrictions on certain 'military end use' or 'military end user'.")),
    ("ecfr_744_22", "744", {"part": "744", "section": "744.22"},
     ("744.22", "Restrictions on certain military-intelligence end uses or end users.")),
    ("ecfr_entity_list", "744", {"part": "744", "appendix": ENTITY_LIST}, (ENTITY_LIST, "Entity List")),
)


def _agency(slug: str) -> dict[str, Any]:
    return {"raw_name": AGENCY_NAMES.get(slug, slug).upper(), "name": AGENCY_NAMES.get(slug, slug),
            "id": 241 if slug == BIS else 476, "url": f"https://www.federalregister.gov/agencies/{slug}",
            "json_url": f"{{{{base}}}}/api/v1/agencies/{slug}", "parent_id": 54 if slug == BIS else None,
            "slug": slug}


def _slug(title: str) -> str:
    """federalregister.gov's URL slug: lower case words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def document_json(d: Doc) -> dict[str, Any]:
    """A search result as federalregister.gov API v1 returns it with our fields[] list."""
    y, m, day = d.publication_date.year, f"{d.publication_date.month:02d}", f"{d.publication_date.day:02d}"
    return {
        "abstract": d.abstract or None, "action": "Final rule.",
        "agencies": [_agency(d.agency)], "citation": d.citation,
        "cfr_references": [{"title": 15 if part >= 700 else 22, "part": part, "chapter": None, "citation_url": None}
                           for part in (d.cfr_part, *d.more_parts)],
        "correction_of": d.correction_of, "corrections": [],
        "dates": f"This rule is effective {d.effective_on:%B} {d.effective_on.day}, {d.effective_on.year}.",
        "docket_ids": [], "document_number": d.number, "effective_on": d.effective_on.isoformat(),
        "full_text_xml_url": f"{{{{base}}}}/documents/full_text/xml/{y}/{m}/{day}/{d.number}.xml",
        "html_url": f"https://www.federalregister.gov/documents/{y}/{m}/{day}/{d.number}/{_slug(d.title)}",
        "page_length": 3, "pdf_url": f"https://www.govinfo.gov/content/pkg/FR-{y}-{m}-{day}/pdf/{d.number}.pdf",
        "publication_date": d.publication_date.isoformat(),
        "raw_text_url": f"{{{{base}}}}/documents/full_text/text/{y}/{m}/{day}/{d.number}.txt",
        "regulation_id_numbers": [d.rin] if d.rin else [], "significant": False,
        "start_page": int(d.citation.split()[-1]) if d.citation else None, "title": d.title, "type": d.doc_type,
    }


def pi_json(p: PIDoc) -> dict[str, Any]:
    n = p.number.replace("-", "")
    return {
        "agencies": [_agency(p.agency)], "agency_names": [AGENCY_NAMES.get(p.agency, p.agency)],
        "docket_numbers": [], "document_number": p.number, "editorial_note": None, "filed_at": p.filed_at,
        "filing_type": "regular", "html_url": f"https://www.federalregister.gov/public-inspection/{p.number}",
        "num_pages": 4, "pdf_file_name": f"{p.number}_PI.pdf",
        "pdf_url": f"https://public-inspection.federalregister.gov/{p.number}.pdf",
        "publication_date": p.publication_date.isoformat(),
        "raw_text_url": f"{{{{base}}}}/public-inspection/raw_text/{n[:3]}/{n[3:6]}/{n[6:]}.txt",
        "title": p.title, "toc_doc": p.title, "toc_subject": None, "type": "Rule",
    }


def _version(day: date, unit_title: int, part: str, identifier: str, name: str) -> dict[str, Any]:
    d = day.isoformat()
    return {"date": d, "amendment_date": d, "issue_date": d, "identifier": identifier, "name": name,
            "part": part, "substantive": True, "removed": False, "subpart": None, "title": str(unit_title),
            "type": "appendix" if "Supplement" in identifier else "section"}


def write_replay_dir(stages: tuple[Stage, ...], out: Path) -> Path:
    """Write manifest.json and bodies for every stage; returns ``out``."""
    out = Path(out)
    bodies = out / "bodies"
    bodies.mkdir(parents=True, exist_ok=True)
    entries: list[dict[str, Any]] = []

    def body(name: str, data: bytes | str) -> str:
        path = bodies / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        return f"bodies/{name}"

    published: list[Doc] = []
    title_15: dict[str, list[dict[str, Any]]] = {field: [] for field, *_ in TITLE_15_UNITS}
    itar_versions: list[dict[str, Any]] = []
    for s, stage in enumerate(stages):
        for d in stage.documents:
            published.append(d)
            y, m, dd = d.publication_date.year, f"{d.publication_date.month:02d}", f"{d.publication_date.day:02d}"
            entries.append({"id": f"xml-{d.number}", "path": f"/documents/full_text/xml/{y}/{m}/{dd}/{d.number}.xml",
                            "body_file": body(f"{d.number}.xml", d.xml), "stage": [s, LAST]})
        for p in stage.public_inspection:
            n = p.number.replace("-", "")
            entries.append({"id": f"pi-text-{p.number}",
                            "path": f"/public-inspection/raw_text/{n[:3]}/{n[3:6]}/{n[6:]}.txt",
                            "body_file": body(f"pi-{p.number}.txt", p.text), "stage": [s, LAST]})
        for field, part, query, (identifier, name) in TITLE_15_UNITS:
            unit = query.get("section") or query["appendix"].split(" to ")[0].replace("Supplement No. ", "supp")
            for day, xml in getattr(stage, field):
                title_15[field].append(_version(day, 15, part, identifier, name))
                # one path per day for every title-15 unit: the query says which unit the XML is
                entries.append({"id": f"ecfr-{part}-{unit}-{day}", "path": f"/api/versioner/v1/full/{day}/title-15.xml",
                                "query": query, "body_file": body(f"title-15-{part}-{unit}-{day}.xml", xml),
                                "stage": [s, LAST]})
        for day, xml in stage.ecfr_itar:
            itar_versions.append(_version(day, 22, "126", "126.1",
                                          "Prohibited exports, imports, and sales to or from certain countries."))
            entries.append({"id": f"ecfr-126.1-{day}", "path": f"/api/versioner/v1/full/{day}/title-22.xml",
                            "body_file": body(f"title-22-126.1-{day}.xml", xml), "stage": [s, LAST]})

        results = [document_json(d) for d in sorted(published, key=lambda d: (d.publication_date, d.number))]
        search: dict[str, Any] = {"count": len(results), "description": "Documents matching the watch",
                                  "total_pages": 1}
        if results:   # the real API leaves "results" out when nothing matched
            search["results"] = results
        entries.append({"id": f"search-{s}", "path": "/api/v1/documents.json",
                        "body_file": body(f"search-{s}.json", json.dumps(search, indent=1)), "stage": [s, s]})
        pi = {"count": len(stage.public_inspection), "results": [pi_json(p) for p in stage.public_inspection]}
        entries.append({"id": f"pi-{s}", "path": "/api/v1/public-inspection-documents/current.json",
                        "body_file": body(f"pi-current-{s}.json", json.dumps(pi, indent=1)), "stage": [s, s]})
        asof = stage.today.isoformat()
        latest = {15: max((v["date"] for versions in title_15.values() for v in versions), default=asof),
                  22: max((v["date"] for v in itar_versions), default=asof)}
        titles = {"titles": [
            {"number": t, "name": name, "latest_amended_on": latest[t], "latest_issue_date": latest[t],
             "up_to_date_as_of": asof, "reserved": False}
            for t, name in ((15, "Commerce and Foreign Trade"), (22, "Foreign Relations"))],
            "meta": {"date": asof, "import_in_progress": False}}
        entries.append({"id": f"titles-{s}", "path": "/api/versioner/v1/titles.json",
                        "body_file": body(f"titles-{s}.json", json.dumps(titles, indent=1)), "stage": [s, s]})
        part_744 = [v for f in ("ecfr_744_21", "ecfr_744_22", "ecfr_entity_list") for v in title_15[f]]
        listings: tuple[tuple[int, str, dict[str, str] | None, list[dict[str, Any]]], ...] = (
            # (title, name, the fetcher's query or None for any, versions)
            (15, "740", {"part": "740"}, title_15["ecfr_supplement"]),
            (15, "744.21", {"part": "744", "section": "744.21"}, title_15["ecfr_744_21"]),
            (15, "744.22", {"part": "744", "section": "744.22"}, title_15["ecfr_744_22"]),
            (15, "744", {"part": "744"}, sorted(part_744, key=lambda v: (v["date"], v["identifier"]))),
            (22, "126", None, itar_versions))
        for t, name, asked, versions in listings:
            listing = {"content_versions": list(versions),
                       "meta": {"title": str(t), "result_count": len(versions), "issue_date": {"lte": asof}}}
            entry: dict[str, Any] = {
                "id": f"versions-{t}-{name}-{s}", "path": f"/api/versioner/v1/versions/title-{t}.json",
                "body_file": body(f"versions-{t}-{name}-{s}.json", json.dumps(listing, indent=1)), "stage": [s, s]}
            if asked is not None:
                entry["query"] = asked
            entries.append(entry)
    manifest = {"description": "frtrack bundled sample: real country-group and § 744.21 events 2021-2026 and marked"
                               " SAMPLE ones (pipeline/demo/data/timeline.py)",
                "stages": [{"stage": i, "today": st.today.isoformat(), "note": st.note} for i, st in enumerate(stages)],
                "entries": entries}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return out
