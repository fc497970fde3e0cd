"""Real captured federalregister.gov responses (../shared/corpus/fr_api) re-served by the replay
server from a manifest written at test time: every document lands once, with its fields."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from urllib.parse import quote, urlencode

from pipeline.config import settings_from_dict
from pipeline.fetch import fetch_all
from pipeline.sources.federal_register import search_params
from store.blobs import get_blob

RULE_XML = '<?xml version="1.0"?><RULE><PREAMB><SUBJECT>stand-in</SUBJECT></PREAMB></RULE>'


def new_run(db) -> int:
    return db.execute("INSERT INTO runs (started_at, status, today) VALUES ('2020-08-12T11:00:00+00:00',"
                      " 'running', '2020-08-12')").lastrowid


def settings_for(server_url: str, *, agencies: list[str], types: list[str], title: int, parts: str,
                 since: str, per_page: int = 100):
    return settings_from_dict({
        "watch": {"agencies": agencies, "document_types": types, "cfr": [{"title": title, "parts": parts}],
                  "itar_agencies": [], "since": since, "public_inspection": False, "tracked": []},
        "sources": {"fr_api_base": f"{server_url}/api/v1", "api_rate": 1000.0, "download_rate": 1000.0,
                    "per_page": per_page, "max_retries": 1, "backoff_base": 0.01},
    }, environ={})


def write_search_manifest(directory: Path, results: list[dict], *, settings, gte: date, lte: date,
                          per_page: int, extra: dict | None = None) -> None:
    """Pages of ``per_page`` with next_page_url as the real API writes it (same query, page+1)."""
    params = search_params(settings, gte, lte)
    keys = sorted({k for k, _ in params})
    pages = [results[i:i + per_page] for i in range(0, len(results), per_page)] or [[]]
    entries = []
    (directory / "bodies").mkdir(parents=True, exist_ok=True)
    for n, chunk in enumerate(pages, start=1):
        body: dict = {"count": len(results), "total_pages": len(pages), **(extra or {})}
        if chunk:
            body["results"] = chunk
        if n < len(pages):
            query = urlencode(params + [("page", str(n + 1))], quote_via=quote)
            body["next_page_url"] = "{{base}}/api/v1/documents.json?" + query
        (directory / "bodies" / f"search-{n}.json").write_text(json.dumps(body))
        query = {k: "*" for k in keys}
        if n > 1:
            query["page"] = str(n)
        entries.append({"id": f"search-{n}", "path": "/api/v1/documents.json", "query": query,
                        "body_file": f"bodies/search-{n}.json"})
    entries.append({"id": "xml", "path": "/documents/full_text/xml/*", "body": RULE_XML,
                    "headers": {"Content-Type": "application/xml"}})
    (directory / "manifest.json").write_text(json.dumps({"entries": entries}, indent=1))


def test_962_result_search_in_pages_of_100_lands_every_document_once(corpus, tmp_path, make_replay, fresh_db):
    captured = json.loads((corpus / "fr_api" / "areed1192_documents_search.json").read_text())
    results = captured["results"]
    assert captured["count"] == len(results) == 962
    fresh_db.execute("PRAGMA synchronous=NORMAL")   # ~3,000 small commits; WAL's NORMAL keeps it quick
    server = make_replay(tmp_path)   # started first: the settings need its URL; entries are loaded below
    settings = settings_for(server.url, agencies=["executive-office-of-the-president"], types=["PRESDOCU"],
                            title=3, parts="1-999", since="2017-01-20")
    write_search_manifest(tmp_path, results, settings=settings, gte=date(2017, 1, 20), lte=date(2020, 8, 12),
                          per_page=100, extra={"description": captured["description"]})
    server.load_manifest(tmp_path / "manifest.json")

    (fr,) = fetch_all(settings, fresh_db, run_id=new_run(fresh_db), today=date(2020, 8, 12), sleep=lambda s: None)
    assert fr.ok and fr.error is None and fr.new_items == 962
    log = server.requests
    assert [r.entry for r in log if r.path == "/api/v1/documents.json"] == [f"search-{n}" for n in range(1, 11)]
    assert all(r.status == 200 for r in log)
    rows = fresh_db.execute_returning_dicts("SELECT * FROM fr_documents")
    assert sorted(r["document_number"] for r in rows) == sorted(d["document_number"] for d in results)
    assert all(r["xml_sha256"] and r["parse_status"] == "pending" for r in rows)
    assert sum(1 for r in log if r.path.startswith("/documents/full_text/xml/")) == 962

    want = next(d for d in results if d["document_number"] == "2020-17784")
    got = next(r for r in rows if r["document_number"] == "2020-17784")
    assert (got["citation"], got["publication_date"], got["title"], got["doc_type"]) == (
        want["citation"], want["publication_date"], want["title"], "Presidential Document")
    assert (got["html_url"], got["pdf_url"], got["full_text_xml_url"], got["raw_text_url"]) == (
        want["html_url"], want["pdf_url"], want["full_text_xml_url"], want["raw_text_url"])
    assert json.loads(got["agencies"]) == ["executive-office-of-the-president"]
    page_of = json.loads(get_blob(fresh_db, got["api_sha256"]))
    assert any(d["document_number"] == "2020-17784" for d in page_of["results"])

    # a rerun of the same window: nothing twice, nothing new
    server.reset_log()
    (again,) = fetch_all(settings, fresh_db, run_id=new_run(fresh_db), since=date(2017, 1, 20),
                         today=date(2020, 8, 12), sleep=lambda s: None)
    assert again.ok and again.new_items == 0
    assert fresh_db.execute("SELECT COUNT(*) FROM fr_documents").fetchone()[0] == 962
    assert not any(r.path.startswith("/documents/full_text/xml/") for r in server.requests)


def test_single_document_response_stores_every_field(corpus, tmp_path, make_replay, fresh_db):
    doc = json.loads((corpus / "fr_api" / "areed1192_document.json").read_text())
    server = make_replay(tmp_path)
    settings = settings_for(server.url, agencies=["federal-aviation-administration"], types=["RULE"],
                            title=14, parts="39", since="2020-08-01")
    write_search_manifest(tmp_path, [doc], settings=settings, gte=date(2020, 8, 1), lte=date(2020, 8, 12),
                          per_page=100)
    server.load_manifest(tmp_path / "manifest.json")
    (fr,) = fetch_all(settings, fresh_db, run_id=new_run(fresh_db), today=date(2020, 8, 12), sleep=lambda s: None)
    assert fr.ok and fr.new_items == 1
    row = fresh_db.execute_returning_dicts("SELECT * FROM fr_documents")[0]
    assert row["document_number"] == "2020-17469" and row["citation"] == "85 FR 48465"
    assert row["effective_on"] == "2020-08-26" and row["publication_date"] == "2020-08-11"
    assert json.loads(row["cfr_references"]) == [{"title": 14, "part": 39}]
    assert json.loads(row["rins"]) == ["2120-AA64"]
    assert json.loads(row["docket_ids"]) == doc["docket_ids"]
    assert json.loads(row["agencies"]) == ["federal-aviation-administration", "transportation-department"]
    assert (row["title"], row["abstract"], row["action"], row["dates"]) == (
        doc["title"], doc["abstract"], doc["action"], doc["dates"])
    assert row["correction_of"] is None
    assert get_blob(fresh_db, row["xml_sha256"]).startswith(b"<?xml")
    xml_req = [r for r in server.requests if r.path.startswith("/documents/")]
    assert [r.path for r in xml_req] == ["/documents/full_text/xml/2020/08/11/2020-17469.xml"]


def test_two_result_search_without_next_page_url(corpus, tmp_path, make_replay, fresh_db):
    captured = json.loads((corpus / "fr_api" / "areed1192_documents.json").read_text())
    assert set(captured) == {"count", "results"}
    server = make_replay(tmp_path)
    agencies = sorted({a["slug"] for d in captured["results"] for a in d["agencies"] if a.get("slug")})
    settings = settings_for(server.url, agencies=agencies, types=["RULE"], title=14, parts="1-200",
                            since="2020-08-01")
    write_search_manifest(tmp_path, captured["results"], settings=settings, gte=date(2020, 8, 1),
                          lte=date(2020, 8, 12), per_page=100)
    server.load_manifest(tmp_path / "manifest.json")
    (fr,) = fetch_all(settings, fresh_db, run_id=new_run(fresh_db), today=date(2020, 8, 12), sleep=lambda s: None)
    assert fr.ok and fr.new_items == 2
    assert {r[0] for r in fresh_db.execute("SELECT document_number FROM fr_documents")} == {
        d["document_number"] for d in captured["results"]}


def test_absent_results_key_means_nothing_matched(tmp_path, make_replay, fresh_db):
    server = make_replay(tmp_path)
    settings = settings_for(server.url, agencies=["industry-and-security-bureau"], types=["RULE"], title=15,
                            parts="730-774", since="2026-02-01")
    write_search_manifest(tmp_path, [], settings=settings, gte=date(2026, 2, 1), lte=date(2026, 2, 20),
                          per_page=100, extra={"description": "Documents matching your search"})
    server.load_manifest(tmp_path / "manifest.json")
    body = json.loads((tmp_path / "bodies" / "search-1.json").read_text())
    assert "results" not in body
    (fr,) = fetch_all(settings, fresh_db, run_id=new_run(fresh_db), today=date(2026, 2, 20), sleep=lambda s: None)
    assert fr.ok and fr.new_items == 0 and fr.requests == 1 and fr.watermark == "2026-02-20"
