"""The APIs for the instant-alert timeline: ApiWorld plus a public-inspection desk with a clock.

``Desk`` serves ``current.json`` as federalregister-api-core renders it: the
issue of ONE publication date, ``regular_filings_updated_at`` /
``special_filings_updated_at`` stamps, ``Cache-Control: max-age=86400,
public`` and (Rails' Rack::ETag) a weak ETag honoured with 304 — or, to prove
the fallbacks, without the ETag and/or without the stamps. Tests move it
along the day: ``file(...)`` at 08:47, ``withdraw(...)``, ``next_issue(...)``.

The facts: FR Doc. 2026-02262 (BIS, Cambodia out of D:5, filed for publication
2026-02-04, effective 2026-02-03) is real; its citation is left out (the page
is unverified). FR Doc. 2099-90001 is invented (SAMPLE in its title), filed and
withdrawn on the same day.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pipeline.config import Settings, settings_from_dict
from pipeline.demo import synth
from pipeline.demo.data.timeline import D_CODES, _d, _row
from pipeline.demo.replay import ReplayServer
from tests.plugins.replay import FR, ApiWorld, fr_doc

BIS = "industry-and-security-bureau"
BASELINE = "2026-01-02"
CAMBODIA = "2026-02262"
SAMPLE = "2099-90001"
CAMBODIA_TEXT = ("SUMMARY: In this final rule, BIS removes Cambodia from Country Group D:5 (U.S. Arms Embargoed "
                 "Countries), conforming to the Department of State's removal of Cambodia from 22 CFR 126.1. "
                 "Cambodia remains in Country Group D:1. DATES: This rule is effective February 3, 2026.")
SAMPLE_TEXT = ("SUMMARY: In this SAMPLE rule (invented for the tests), BIS adds Nicaragua to Country Group E:1 "
               "(Terrorist Supporting Countries).")


def _raw_path(number: str) -> str:
    n = number.replace("-", "")
    return f"/public-inspection/raw_text/{n[:3]}/{n[3:6]}/{n[6:]}.txt"


def pi_entry(number: str, title: str, filed_at: str, publication_date: str, *, filing: str = "regular"
             ) -> dict[str, Any]:
    """A desk entry with the fields the real current.json carries (see ../shared/corpus/fr_api)."""
    return {"agencies": [{"raw_name": "INDUSTRY AND SECURITY BUREAU", "name": "Industry and Security Bureau",
                          "id": 241, "slug": BIS}],
            "agency_names": ["Industry and Security Bureau"], "docket_numbers": [], "document_number": number,
            "editorial_note": None, "filed_at": filed_at, "filing_type": filing,
            "html_url": f"https://www.federalregister.gov/public-inspection/{number}", "num_pages": 4,
            "pdf_file_name": f"{number}_PI.pdf",
            "pdf_url": f"https://public-inspection.federalregister.gov/{number}.pdf",
            "publication_date": publication_date,
            "raw_text_url": f"https://www.federalregister.gov{_raw_path(number)}",
            "title": title, "toc_doc": title, "toc_subject": None, "type": "Rule"}


def other_agency_entry(number: str, publication_date: str) -> dict[str, Any]:
    """Someone else's filing on the same desk (the desk lists every agency; we keep BIS and State only)."""
    doc = pi_entry(number, "SAMPLE notice of another agency", f"{publication_date}T08:45:00-05:00", publication_date)
    doc["agencies"] = [{"raw_name": "FISH AND WILDLIFE SERVICE", "name": "Fish and Wildlife Service", "id": 1,
                        "slug": "fish-and-wildlife-service"}]
    doc["raw_text_url"] = None
    return doc


@dataclass
class Desk:
    """The public-inspection desk on the replay server, moved along by the test."""

    server: ReplayServer
    etag: bool = True
    stamps: bool = True
    issue: str | None = None
    docs: list[dict[str, Any]] = field(default_factory=list)
    regular: str | None = None
    special: str | None = None

    def __post_init__(self) -> None:
        self.server.add_entry(f"{FR}/public-inspection-documents/current.json", handler=self._handle,
                              first=True, id="desk")

    def next_issue(self, issue: str, docs: list[dict[str, Any]], at: str) -> None:
        """8:45 a.m.: the next issue's regular filings go up; yesterday's issue leaves the desk."""
        self.issue, self.docs, self.regular, self.special = issue, list(docs), at, None

    def file(self, doc: dict[str, Any], at: str, *, special: bool = False) -> None:
        self.docs.append(doc)
        if special:
            self.special = at
        else:
            self.regular = at

    def withdraw(self, number: str, at: str) -> None:
        self.docs = [d for d in self.docs if d["document_number"] != number]
        self.special = at

    def body(self) -> dict[str, Any]:
        if self.issue is None:
            return {"count": 0, "results": []}
        data: dict[str, Any] = {"count": len(self.docs), "results": list(self.docs)}
        if self.stamps:
            data["special_filings_updated_at"] = self.special
            data["regular_filings_updated_at"] = self.regular
        return data

    def _handle(self, method: str, path: str, q: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        body = json.dumps(self.body()).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "max-age=86400, public"}
        if self.etag:
            headers["ETag"] = f'W/"{hashlib.md5(body).hexdigest()}"'
        return 200, headers, body


class AlertWorld:
    """ApiWorld with an eCFR baseline (Cambodia in D:1 and D:5), the desk, and the two filings."""

    def __init__(self, server: ReplayServer, *, etag: bool = True, stamps: bool = True):
        self.server = server
        self.api = ApiWorld(server)
        self.desk = Desk(server, etag=etag, stamps=stamps)
        table = _row(synth.default_country_groups(), "Country Group D", "Cambodia", _d(D1=True, D5=True))
        itar = sorted({c for c, g in table.memberships() if g == "D:5"} - {"Cambodia"})
        self.api.add_version(15, BASELINE, part="740", identifier="Supplement No. 1 to Part 740",
                             name="Supplement No. 1 to Part 740—Country Groups")
        self.api.add_version(22, BASELINE, part="126", identifier="126.1", type_="section",
                             name="Prohibited exports, imports, and sales to or from certain countries.")
        server.add_entry(f"/api/versioner/v1/full/{BASELINE}/title-15.xml", first=True, content_type="application/xml",
                         body=synth.ecfr_supplement_xml(table, date.fromisoformat(BASELINE)))
        server.add_entry(f"/api/versioner/v1/full/{BASELINE}/title-22.xml", first=True, content_type="application/xml",
                         body=synth.itar_126_1_xml(itar, date.fromisoformat(BASELINE)))
        server.add_entry(_raw_path(CAMBODIA), body=CAMBODIA_TEXT, content_type="text/plain; charset=utf-8")
        server.add_entry(_raw_path(SAMPLE), body=SAMPLE_TEXT, content_type="text/plain; charset=utf-8")

    def cambodia_filing(self, at: str = "2026-02-03T08:47:00.000-05:00") -> dict[str, Any]:
        return pi_entry(CAMBODIA, "Conforming Change to the Export Administration Regulations for Cambodia",
                        at, "2026-02-04")

    def sample_filing(self, at: str) -> dict[str, Any]:
        return pi_entry(SAMPLE, "SAMPLE (invented): Nicaragua and Country Group E:1", at, "2026-02-04",
                        filing="special")

    def publish_cambodia(self) -> None:
        """2026-02-04, about 6 a.m.: the FR API lists the rule and serves its XML."""
        xml = synth.fr_rule_xml(CAMBODIA, date(2026, 2, 4), "This rule is effective February 3, 2026.",
                                "0694-AK41", "Conforming Change to the Export Administration Regulations for Cambodia",
                                [("Supplement No. 1 to part 740 is amended by revising the entry for “Cambodia” in "
                                  "“Country Group D” to read as follows:", (D_CODES, [("Cambodia", _d(D1=True))]))])
        self.server.add_entry(f"/documents/full_text/xml/2026/02/04/{CAMBODIA}.xml", body=xml, first=True,
                              content_type="application/xml")
        doc = fr_doc(CAMBODIA, "2026-02-04", citation=None, effective_on="2026-02-03",
                     dates="This rule is effective February 3, 2026.", regulation_id_numbers=["0694-AK41"])
        doc["title"] = "Conforming Change to the Export Administration Regulations for Cambodia"
        self.api.fr_docs.append(doc)

    def settings(self, recipients: list[dict[str, Any]], smtp_port: int, **alerts: Any) -> Settings:
        url = self.server.url
        return settings_from_dict({
            "sources": {"fr_api_base": f"{url}/api/v1", "ecfr_api_base": f"{url}/api/versioner/v1",
                        "govinfo_base": url, "api_rate": 1000.0, "download_rate": 1000.0, "max_retries": 1,
                        "backoff_base": 0.01, "timeout": 5.0},
            "watch": {"since": "2026-01-01"},
            "smtp": {"host": "127.0.0.1", "port": smtp_port, "security": "plain", "sender": "frtrack@example.org"},
            "alerts": {"retry_backoff": 0.0, **alerts},
            "recipients": recipients}, environ={})

    def desk_requests(self) -> int:
        return len([r for r in self.server.requests if r.path.endswith("/public-inspection-documents/current.json")])
