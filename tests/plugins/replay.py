"""The replay server as pytest fixtures, and ``ApiWorld``: the APIs' documented behaviour in code.

``replay_server`` is an empty started server per test; ``make_replay(dir)``
starts one over a manifest directory. ``api_world`` puts handlers on a
server that behave as DESIGN.md describes the real APIs: the FR search
filters, pages with ``next_page_url``, omits ``results`` when nothing
matched, caps ``count`` at 10,000 and serves page 1 again past it; the eCFR
answers 404 for a date after ``up_to_date_as_of``. Tests then add faults in
front with ``world.fault(...)``.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from pipeline.config import Settings, settings_from_dict
from pipeline.demo.replay import ReplayServer

FR = "/api/v1"
ECFR = "/api/versioner/v1"
TYPE_NAMES = {"RULE": "Rule", "PRORULE": "Proposed Rule", "NOTICE": "Notice", "PRESDOCU": "Presidential Document"}
FR_CAP = 10_000


def rule_xml(number: str) -> bytes:
    """A minimal single-document FR XML (root RULE), enough to be stored and recognised."""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<RULE><PREAMB><AGENCY TYPE="S">DEPARTMENT OF COMMERCE'
            f'</AGENCY><SUBJECT>Test rule {number}</SUBJECT></PREAMB><FRDOC>[FR Doc. {number} Filed 1-1-26; '
            f'8:45 am]</FRDOC></RULE>\n').encode()


def ecfr_xml(title: int, day: str, what: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<DIV1 N="{title}" TYPE="TITLE"><DIV9 N="{what}" '
            f'TYPE="APPENDIX"><HEAD>{what}</HEAD><P>Version of {day}</P></DIV9></DIV1>\n').encode()


def fr_doc(number: str, published: str, *, agency: str = "industry-and-security-bureau", title: int = 15,
           part: int = 740, doc_type: str = "Rule", correction_of: str | None = None,
           xml: bool = True, **extra: Any) -> dict[str, Any]:
    """A document as the FR API returns it (the fields frtrack asks for)."""
    y, m, d = published.split("-")
    doc = {
        "document_number": number, "citation": f"91 FR {sum(map(ord, number)) * 7}", "type": doc_type,
        "title": f"Rule {number}", "abstract": f"Abstract of {number}.", "action": "Final rule.",
        "dates": f"Effective {published}.", "publication_date": published, "effective_on": published,
        "agencies": [{"raw_name": agency.upper(), "name": agency, "id": 1, "slug": agency}],
        "cfr_references": [{"title": title, "part": part, "chapter": None, "citation_url": None}],
        "regulation_id_numbers": ["0694-AK41"], "docket_ids": [f"Docket No. {number}"],
        "html_url": f"https://www.federalregister.gov/documents/{y}/{m}/{d}/{number}/rule",
        "pdf_url": f"https://www.govinfo.gov/content/pkg/FR-{published}/pdf/{number}.pdf",
        "full_text_xml_url": (f"https://www.federalregister.gov/documents/full_text/xml/{y}/{m}/{d}/{number}.xml"
                              if xml else None),
        "raw_text_url": f"https://www.federalregister.gov/documents/full_text/text/{y}/{m}/{d}/{number}.txt",
        "correction_of": correction_of, "corrections": [], "significant": False, "page_length": 3,
        "start_page": 1000,
    }
    doc.update(extra)
    return doc


class ApiWorld:
    """FR, public inspection, eCFR and govinfo, as handlers on one replay server."""

    def __init__(self, server: ReplayServer):
        self.server = server
        self.fr_docs: list[dict[str, Any]] = []
        self.pi_docs: list[dict[str, Any]] = []
        self.titles: dict[int, dict[str, Any]] = {
            15: {"number": 15, "name": "Commerce and Foreign Trade", "latest_amended_on": "2026-02-04",
                 "latest_issue_date": "2026-02-04", "up_to_date_as_of": "2026-02-20", "reserved": False},
            22: {"number": 22, "name": "Foreign Relations", "latest_amended_on": "2025-11-07",
                 "latest_issue_date": "2025-11-07", "up_to_date_as_of": "2026-02-20", "reserved": False},
        }
        self.versions: dict[int, list[dict[str, Any]]] = {15: [], 22: []}
        self.repeat_full_window: tuple[str, str] | None = None   # (gte, lte) whose page 2+ repeats page 1
        self._handlers: dict[str, Callable[..., tuple[int, dict[str, str], bytes]]] = {
            f"{FR}/documents.json": self._search,
            f"{FR}/public-inspection-documents/current.json": self._pi,
            "/documents/full_text/xml/*": self._doc_xml,
            f"{ECFR}/titles.json": self._titles,
            f"{ECFR}/versions/*": self._versions,
            f"{ECFR}/full/*": self._full,
            "/bulkdata/FR/*": self._govinfo,
        }
        for path, handler in self._handlers.items():
            server.add_entry(path, handler=handler, id=f"world:{path}")

    # --- test helpers ----------------------------------------------------------
    def settings(self, watch: dict[str, Any] | None = None, **sources: Any) -> Settings:
        raw_sources = {"fr_api_base": f"{self.server.url}{FR}", "ecfr_api_base": f"{self.server.url}{ECFR}",
                       "govinfo_base": self.server.url, "api_rate": 1000.0, "download_rate": 1000.0,
                       "max_retries": 2, "backoff_base": 0.01, "timeout": 5.0}
        raw_sources.update(sources)
        return settings_from_dict({"sources": raw_sources, "watch": {"since": "2021-01-01", **(watch or {})}},
                                  environ={})

    def fault(self, path: str, fault: dict[str, Any], *, query: dict[str, Any] | None = None) -> str:
        """Put a fault in front of the working handler of ``path`` (a key of the world's handlers)."""
        return self.server.add_entry(path, query=query, fault=fault, handler=self._handlers[path],
                                     first=True, id=f"fault:{fault['kind']}:{path}")

    def add_version(self, title: int, day: str, *, part: str, identifier: str, name: str,
                    type_: str = "appendix", removed: bool = False) -> None:
        self.versions[title].append({"date": day, "amendment_date": day, "issue_date": day,
                                     "identifier": identifier, "name": name, "part": part,
                                     "substantive": True, "removed": removed, "subpart": None,
                                     "title": str(title), "type": type_})

    def hits(self, path_prefix: str) -> list[Any]:
        return [r for r in self.server.requests if r.path.startswith(path_prefix)]

    # --- handlers ----------------------------------------------------------------
    @staticmethod
    def _json(data: Any, status: int = 200) -> tuple[int, dict[str, str], bytes]:
        return status, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(data).encode()

    def _search(self, method: str, path: str, q: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        one = {k: v[0] for k, v in q.items()}
        per_page = int(one.get("per_page", "20"))
        page = int(one.get("page", "1"))
        if per_page > 1000:
            return self._json({"errors": {"per_page": "must be at most 1000"}}, 400)
        docs = list(self.fr_docs)
        if "conditions[agencies][]" in q:
            wanted = set(q["conditions[agencies][]"])
            docs = [d for d in docs if wanted & {a["slug"] for a in d["agencies"]}]
        if "conditions[type][]" in q:
            types = {TYPE_NAMES.get(t, t) for t in q["conditions[type][]"]}
            docs = [d for d in docs if d["type"] in types]
        if "conditions[cfr][title]" in q:
            title = int(one["conditions[cfr][title]"])
            lo, _, hi = one.get("conditions[cfr][part]", "0-99999").partition("-")
            docs = [d for d in docs if any(r["title"] == title and int(lo) <= int(r["part"]) <= int(hi or lo)
                                           for r in d["cfr_references"])]
        gte = one.get("conditions[publication_date][gte]", "0000")
        lte = one.get("conditions[publication_date][lte]", "9999")
        docs = [d for d in docs if gte <= d["publication_date"] <= lte]
        docs.sort(key=lambda d: (d["publication_date"], d["document_number"]),
                  reverse=one.get("order") == "newest")
        fields = q.get("fields[]")
        if fields:
            docs = [{k: d.get(k) for k in fields} for d in docs]
        reachable = min(len(docs), FR_CAP)
        total_pages = math.ceil(reachable / per_page) if reachable else 0
        served = page
        if page * per_page > FR_CAP or (self.repeat_full_window == (gte, lte) and page > 1):
            served = 1    # what the real API does past the cap: page 1 again, silently
        chunk = docs[(served - 1) * per_page: served * per_page]
        body: dict[str, Any] = {"count": reachable, "description": "Documents matching your search",
                                "total_pages": total_pages}
        if chunk:
            body["results"] = chunk
        more = page < total_pages or (self.repeat_full_window == (gte, lte) and page < 3)
        if more:
            items = [(k, v) for k, vs in q.items() if k != "page" for v in vs] + [("page", str(page + 1))]
            body["next_page_url"] = f"{self.server.url}{path}?{urlencode(items, quote_via=quote)}"
        return self._json(body)

    def _pi(self, method: str, path: str, q: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        return self._json({"count": len(self.pi_docs), "results": list(self.pi_docs)})

    def _doc_xml(self, method: str, path: str, q: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        number = Path(path).stem
        if not any(d["document_number"] == number for d in self.fr_docs):
            return 404, {"Content-Type": "text/plain"}, b"not found"
        return 200, {"Content-Type": "application/xml"}, rule_xml(number)

    def _titles(self, method: str, path: str, q: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        return self._json({"titles": [self.titles[k] for k in sorted(self.titles)],
                           "meta": {"date": "2026-02-20", "import_in_progress": False}})

    def _versions(self, method: str, path: str, q: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        title = int(path.rsplit("title-", 1)[1].split(".")[0])
        items = [v for v in self.versions.get(title, []) if v["part"] == q.get("part", [v["part"]])[0]]
        if "section" in q:
            items = [v for v in items if v["identifier"] == q["section"][0]]
        return self._json({"content_versions": items, "meta": {"title": str(title),
                                                                "result_count": len(items)}})

    def _full(self, method: str, path: str, q: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        # /api/versioner/v1/full/2026-02-05/title-15.xml
        day, rest = path.split("/full/", 1)[1].split("/", 1)
        title = int(rest.removeprefix("title-").removesuffix(".xml"))
        if day > self.titles[title]["up_to_date_as_of"]:
            return self._json({"error": f"date {day} is after title {title}'s up_to_date_as_of"}, 404)
        what = (q.get("appendix") or q.get("section") or q.get("part") or ["?"])[0]
        return 200, {"Content-Type": "application/xml"}, ecfr_xml(title, day, what)

    def _govinfo(self, method: str, path: str, q: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        day = Path(path).stem.removeprefix("FR-")
        if date.fromisoformat(day).weekday() >= 5:
            return 404, {"Content-Type": "text/plain"}, b"no issue"
        return 200, {"Content-Type": "application/xml"}, (f"<FEDREG><DATE>{day}</DATE></FEDREG>").encode()


@pytest.fixture
def replay_server(tmp_path) -> Iterator[ReplayServer]:
    """An empty, started server; tests add entries with ``add_entry``."""
    directory = tmp_path / "replay"
    directory.mkdir(exist_ok=True)
    with ReplayServer(directory) as server:
        yield server


@pytest.fixture
def make_replay() -> Iterator[Callable[[str | Path], ReplayServer]]:
    """Factory: ``make_replay(directory)`` starts a server over a manifest directory."""
    started: list[ReplayServer] = []

    def make(directory: str | Path) -> ReplayServer:
        server = ReplayServer(directory).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def api_world(replay_server) -> ApiWorld:
    """The APIs as DESIGN.md describes them, empty; tests fill in documents and versions."""
    return ApiWorld(replay_server)
