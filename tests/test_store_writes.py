"""The store's writers on a real SQLite file: what each one writes, and what it must leave alone.

These are the only functions that fill the raw and bookkeeping tables (the
fetchers, the poll, the demo loader and the tests all call them), so their
rerun rules are tested here once: what an API rerun overwrites, what a
govinfo issue never overwrites, what a ledger keeps across attempts.
"""
from __future__ import annotations

import json

import pytest

from store.blobs import put_blob
from store.db import open_db
from store.documents import (
    CfrReference,
    EcfrVersionRow,
    FilingRow,
    FrDocumentRow,
    add_document,
    add_ecfr_version,
    document_exists,
    documents_missing_xml,
    ecfr_version_dates,
    filing_has_text,
    first_seen_count,
    link_corrections,
    mark_filing_published,
    mark_stored_filings_published,
    set_document_xml,
    set_filing_text,
    set_filing_withdrawn,
    unpublished_filings,
    upsert_api_document,
    upsert_filing,
)
from store.enums import AlertChannel, AlertState, DigestStatus, PollStatus, RunStatus, Source
from store.ledgers import AlertRow, alert_rows, digest_row, record_alert, record_digest
from store.runs import (
    PollResult,
    fail_runs,
    finish_poll,
    finish_run,
    interrupt_runs,
    link_poll_run,
    record_source_fetch,
    running_runs,
    start_poll,
    start_run,
)
from store.watermarks import (
    HttpValidator,
    get_http_validator,
    get_json_watermark,
    get_watermark,
    put_http_validator,
    set_watermarks,
)

DOC = FrDocumentRow(
    document_number="2026-02262", doc_type="Rule", title="Revisions to Country Group D:5", action="Final rule.",
    publication_date="2026-02-05", effective_on="2026-02-05", citation="91 FR 5100",
    agencies=("industry-and-security-bureau",), cfr_references=(CfrReference(15, 740),), rins=("0694-AK41",),
    docket_ids=(), html_url="https://www.federalregister.gov/d/2026-02262",
    full_text_xml_url="https://www.federalregister.gov/documents/full_text/xml/2026/02/05/2026-02262.xml")


class Clock:
    def __init__(self, value: str = "2026-02-05T12:00:00+00:00"):
        self.value = value

    def __call__(self) -> str:
        return self.value


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def db(tmp_path, clock):
    handle = open_db(tmp_path / "w.db", clock=clock)
    yield handle
    handle.close()


def _run(db) -> int:
    return start_run(db, today="2026-02-05", trigger="cli", pid=42)


def _doc(db, number="2026-02262"):
    return db.execute_returning_dicts("SELECT * FROM fr_documents WHERE document_number = ?", [number])[0]


def test_an_api_document_is_stored_as_the_fetcher_always_stored_it(db):
    run = _run(db)
    page = put_blob(db, b'{"results": []}')
    assert upsert_api_document(db, DOC, api_sha256=page, run_id=run) is True
    row = _doc(db)
    # the JSON columns exactly as before the writers moved into the store
    assert (row["agencies"], row["cfr_references"], row["rins"], row["docket_ids"]) == (
        '["industry-and-security-bureau"]', '[{"title": 15, "part": 740}]', '["0694-AK41"]', "[]")
    assert (row["parse_status"], row["source"], row["first_seen_run"], row["api_sha256"]) == (
        "pending", "federal_register", run, page)
    assert (row["xml_sha256"], row["effective_date"], row["abstract"]) == (None, None, None)
    assert row["updated_at"] == "2026-02-05T12:00:00+00:00"
    assert documents_missing_xml(db, Source.FEDERAL_REGISTER) == [("2026-02262", DOC.full_text_xml_url)]


def test_an_api_rerun_overwrites_what_the_api_states_and_keeps_the_parse(db, clock):
    run = _run(db)
    upsert_api_document(db, DOC, api_sha256=None, run_id=run)
    xml = put_blob(db, b"<RULE/>")
    set_document_xml(db, DOC.document_number, xml)
    db.execute("UPDATE fr_documents SET parse_status = 'ok', effective_date = '2026-02-09'")   # what a parse wrote
    clock.value = "2026-02-06T12:00:00+00:00"
    later = _run(db)
    renamed = FrDocumentRow(**{**DOC.__dict__, "title": "Corrected title", "agencies": ("state-department",)})
    assert upsert_api_document(db, renamed, api_sha256=None, run_id=later) is False
    row = _doc(db)
    assert (row["title"], row["agencies"]) == ("Corrected title", '["state-department"]')
    assert (row["xml_sha256"], row["parse_status"], row["effective_date"], row["first_seen_run"]) == (
        xml, "ok", "2026-02-09", run)
    assert row["updated_at"] == "2026-02-06T12:00:00+00:00"
    assert documents_missing_xml(db, Source.FEDERAL_REGISTER) == []


def test_the_same_xml_again_is_no_change_and_a_new_body_is_parsed_again(db, clock):
    upsert_api_document(db, DOC, api_sha256=None, run_id=None)
    xml = put_blob(db, b"<RULE/>")
    set_document_xml(db, DOC.document_number, xml)
    db.execute("UPDATE fr_documents SET parse_status = 'ok'")
    clock.value = "2026-02-07T00:00:00+00:00"
    set_document_xml(db, DOC.document_number, xml)
    assert (_doc(db)["parse_status"], _doc(db)["updated_at"]) == ("ok", "2026-02-05T12:00:00+00:00")
    changed = put_blob(db, b"<RULE>corrected</RULE>")
    set_document_xml(db, DOC.document_number, changed)
    assert (_doc(db)["xml_sha256"], _doc(db)["parse_status"]) == (changed, "pending")


def test_a_govinfo_document_never_overwrites_one_the_api_stored(db):
    upsert_api_document(db, DOC, api_sha256=None, run_id=None)
    issue = put_blob(db, b"<FEDREG/>")
    other = FrDocumentRow(document_number=DOC.document_number, title="from the issue", effective_date="2026-02-05")
    assert add_document(db, other, xml_sha256=issue, source=Source.GOVINFO, run_id=None) is False
    assert (_doc(db)["title"], _doc(db)["source"], _doc(db)["xml_sha256"]) == (DOC.title, "federal_register", None)
    new = FrDocumentRow(document_number="2026-03000", doc_type="Rule", title="A rule", rins=("0694-AK99",),
                        publication_date="2026-02-06", effective_date="2026-03-06",
                        html_url="https://www.federalregister.gov/d/2026-03000")
    assert add_document(db, new, xml_sha256=issue, source=Source.GOVINFO, run_id=None) is True
    row = _doc(db, "2026-03000")
    assert (row["source"], row["xml_sha256"], row["effective_date"], row["rins"], row["agencies"]) == (
        "govinfo", issue, "2026-03-06", '["0694-AK99"]', None)


def test_a_correction_link_already_known_is_kept(db):
    upsert_api_document(db, DOC, api_sha256=None, run_id=None)
    link_corrections(db, "C1-2026-02262", ["2026-02262", "2099-00000"])    # the second is not stored: nothing
    link_corrections(db, "C2-2026-02262", ["2026-02262"])
    assert _doc(db)["correction_of"] == "C1-2026-02262"
    assert document_exists(db, "2026-02262") and not document_exists(db, "2099-00000")


def test_a_filing_is_published_once_its_document_is_stored_and_stays_so(db):
    filing = FilingRow(document_number="2026-02262", title="Revisions", doc_type="Rule",
                       agencies=("industry-and-security-bureau",), filed_at="2026-02-04T08:45:00-05:00",
                       publication_date="2026-02-05")
    assert upsert_filing(db, filing, api_sha256=None, run_id=None) is True

    def row():
        return db.execute_returning_dicts("SELECT * FROM public_inspection")[0]
    assert (row()["published"], row()["agencies"]) == (0, '["industry-and-security-bureau"]')
    assert [f.document_number for f in unpublished_filings(db)] == ["2026-02262"]
    upsert_api_document(db, DOC, api_sha256=None, run_id=None)
    mark_filing_published(db, "2026-02262")
    assert row()["published"] == 1 and unpublished_filings(db) == []
    other = FilingRow(document_number="2026-03000", publication_date="2026-02-06")
    upsert_filing(db, other, api_sha256=None, run_id=None)
    add_document(db, FrDocumentRow(document_number="2026-03000"), xml_sha256=put_blob(db, b"<FEDREG/>"),
                 source=Source.GOVINFO, run_id=None)
    mark_stored_filings_published(db)                   # however the document came: a govinfo issue here
    assert unpublished_filings(db) == []
    db.execute("DELETE FROM public_inspection WHERE document_number = '2026-03000'")
    db.execute("DELETE FROM fr_documents")            # even if the document were gone, published stays
    assert upsert_filing(db, filing, api_sha256=None, run_id=None) is False
    assert row()["published"] == 1


def test_a_filing_withdrawn_and_relisted_and_its_text(db):
    upsert_filing(db, FilingRow(document_number="2026-09999", publication_date="2026-02-05"), api_sha256=None,
                  run_id=None)
    set_filing_withdrawn(db, "2026-09999", "2026-02-04T17:00:00+00:00")
    assert [(f.document_number, f.withdrawn_at) for f in unpublished_filings(db)] == [
        ("2026-09999", "2026-02-04T17:00:00+00:00")]
    set_filing_withdrawn(db, "2026-09999", None)
    assert unpublished_filings(db)[0].withdrawn_at is None
    assert not filing_has_text(db, "2026-09999")
    text = put_blob(db, b"DEPARTMENT OF COMMERCE ...")
    set_filing_text(db, "2026-09999", url="https://www.federalregister.gov/x.txt", text_sha256=text)
    assert filing_has_text(db, "2026-09999")


def test_an_ecfr_version_is_added_once(db):
    run = _run(db)
    unit = "15 CFR Supplement No. 1 to Part 740"
    first, second = put_blob(db, b"<DIV9>1</DIV9>"), put_blob(db, b"<DIV9>2</DIV9>")
    version = EcfrVersionRow(unit=unit, kind="country_groups", date="2026-02-05", amendment_date="2026-02-05",
                             identifier="Supplement No. 1 to Part 740", substantive=True)
    add_ecfr_version(db, version, xml_sha256=first, run_id=run)
    add_ecfr_version(db, version, xml_sha256=second, run_id=run)      # same (unit, date): left as it is
    assert db.execute("SELECT date, xml_sha256, substantive, parse_status, first_seen_run FROM ecfr_versions"
                      ).fetchall() == [("2026-02-05", first, 1, "pending", run)]
    assert ecfr_version_dates(db, unit) == {"2026-02-05"} and ecfr_version_dates(db, "22 CFR 126.1") == set()
    assert first_seen_count(db, Source.ECFR, run) == 1
    assert first_seen_count(db, Source.FEDERAL_REGISTER, run) == 0
    assert first_seen_count(db, Source.GOVINFO, run) == 0


def test_runs_start_finish_and_the_interrupted_note_is_added_to_an_error(db, clock):
    a, b, c = _run(db), _run(db), start_run(db, today="2026-02-05", trigger="schedule", pid=7)
    row = db.execute_returning_dicts("SELECT * FROM runs WHERE id = ?", [a])[0]
    assert (row["status"], row["trigger"], row["today"], row["pid"], row["started_at"]) == (
        "running", "cli", "2026-02-05", 42, "2026-02-05T12:00:00+00:00")
    finish_run(db, a, RunStatus.OK, None)
    assert running_runs(db) == [b, c] and running_runs(db, pid=7) == [c]
    db.execute("UPDATE runs SET error = 'ecfr failed' WHERE id = ?", [b])
    clock.value = "2026-02-05T13:00:00+00:00"
    interrupt_runs(db, [a, b], "interrupted: killed")                 # a finished: left alone
    fail_runs(db, [c], "scheduled fetch raised RuntimeError: bug")
    assert db.execute("SELECT id, status, error, finished_at FROM runs ORDER BY id").fetchall() == [
        (a, "ok", None, "2026-02-05T12:00:00+00:00"),
        (b, "interrupted", "ecfr failed; interrupted: killed", "2026-02-05T13:00:00+00:00"),
        (c, "failed", "scheduled fetch raised RuntimeError: bug", "2026-02-05T13:00:00+00:00")]


def test_a_source_fetch_and_a_poll(db):
    run = _run(db)
    record_source_fetch(db, run_id=run, source=Source.ECFR, ok=False, started_at="2026-02-05T11:59:00+00:00",
                        requests=3, new_items=1, error="HTTP 503 from 127.0.0.1:8")
    assert db.execute("SELECT run_id, source, status, started_at, finished_at, requests, new_items, error"
                      " FROM source_fetches").fetchall() == [
        (run, "ecfr", "failed", "2026-02-05T11:59:00+00:00", "2026-02-05T12:00:00+00:00", 3, 1,
         "HTTP 503 from 127.0.0.1:8")]
    poll = start_poll(db, "2026-02-05T13:50:00+00:00")
    link_poll_run(db, poll, run)
    finish_poll(db, poll, PollResult(finished_at="2026-02-05T13:50:02+00:00", status=PollStatus.CHANGED,
                                     requests=2, new_documents=1, withdrawn=0, alerts_sent=3, alerts_failed=1,
                                     note="the desk changed", error=None))
    assert db.execute_returning_dicts("SELECT * FROM polls") == [
        {"id": poll, "started_at": "2026-02-05T13:50:00+00:00", "finished_at": "2026-02-05T13:50:02+00:00",
         "status": "changed", "requests": 2, "run_id": run, "new_documents": 1, "withdrawn": 0, "alerts_sent": 3,
         "alerts_failed": 1, "note": "the desk changed", "error": None}]


def test_watermarks_and_validators_live_apart(db, clock):
    run = _run(db)
    set_watermarks(db, {"federal_register:bis": "2026-02-05", "ecfr:x": json.dumps({"version": "2026-02-05"})}, run)
    clock.value = "2026-02-06T12:00:00+00:00"
    set_watermarks(db, {"federal_register:bis": "2026-02-06"}, None)
    assert db.execute("SELECT source, value, run_id, updated_at FROM watermarks ORDER BY source").fetchall() == [
        ("ecfr:x", '{"version": "2026-02-05"}', run, "2026-02-05T12:00:00+00:00"),
        ("federal_register:bis", "2026-02-06", None, "2026-02-06T12:00:00+00:00")]
    assert get_watermark(db, "federal_register:bis") == "2026-02-06" and get_watermark(db, "nope") is None
    assert get_json_watermark(db, "ecfr:x") == {"version": "2026-02-05"}
    assert get_json_watermark(db, "federal_register:bis") is None      # not a JSON object
    body = put_blob(db, b'{"titles": []}')
    url = "http://127.0.0.1:8/api/versioner/v1/titles.json"
    put_http_validator(db, HttpValidator(url, '"v1"', None, body), run)
    put_http_validator(db, HttpValidator(url, None, "Fri, 06 Feb 2026 08:00:00 GMT", body), None)
    assert get_http_validator(db, url) == HttpValidator(url, None, "Fri, 06 Feb 2026 08:00:00 GMT", body)
    assert get_http_validator(db, url + "?x=1") is None
    assert db.execute("SELECT COUNT(*) FROM watermarks").fetchone()[0] == 2


def test_the_alert_ledger_keeps_the_first_attempt(db, clock):
    def row(state, attempts, at, error=None, sent=None):
        return AlertRow(recipient="a@example.com", channel=AlertChannel.WEBHOOK, event="change:k:announced",
                        change_key="k", status="announced", state=state, attempts=attempts, subject="Filed",
                        last_error=error, first_attempt_at=at, sent_at=sent)
    record_alert(db, row(AlertState.FAILED, 1, "2026-02-05T13:50:00+00:00", "HTTP 500"))
    record_alert(db, row(AlertState.SENT, 2, "2026-02-05T14:00:00+00:00", "HTTP 500", "2026-02-05T14:00:00+00:00"))
    assert alert_rows(db) == [
        {"recipient": "a@example.com", "channel": "webhook", "event": "change:k:announced", "change_key": "k",
         "status": "announced", "state": "sent", "attempts": 2, "subject": "Filed", "last_error": "HTTP 500",
         "first_attempt_at": "2026-02-05T13:50:00+00:00", "sent_at": "2026-02-05T14:00:00+00:00"}]


def test_the_digest_ledger_counts_attempts_and_keeps_the_last_error(db):
    record_digest(db, "a@example.com", "2026-01-29", "2026-02-05", DigestStatus.FAILED, error="550 no such user",
                  message_id=None, subject="frtrack digest")
    record_digest(db, "a@example.com", "2026-01-29", "2026-02-05", DigestStatus.SENT, error=None,
                  message_id="<1@x>", subject="frtrack digest")
    assert digest_row(db, "a@example.com", "2026-01-29", "2026-02-05") == {
        "recipient": "a@example.com", "window_start": "2026-01-29", "window_end": "2026-02-05", "status": "sent",
        "attempts": 2, "last_error": "550 no such user", "message_id": "<1@x>", "subject": "frtrack digest",
        "sent_at": "2026-02-05T12:00:00+00:00"}
    assert digest_row(db, "b@example.com", "2026-01-29", "2026-02-05") is None
