"""The shared HTTP layer against a real server: retries, Retry-After, timeouts, block pages,
truncation, size limits, conditional requests, rate limit, raw storage of every body."""
from __future__ import annotations

import json
from datetime import UTC

import pytest

from parsers.errors import BlockedError, FetchError, FetchTimeoutError, HTTPStatusError, TransportError, TruncatedBodyError
from pipeline.config import settings_from_dict
from pipeline.sources.http import Http, build_url, retry_after_seconds
from store.blobs import get_blob
from store.enums import Source

SRC = Source.FEDERAL_REGISTER


def make_http(db, **sources):
    cfg = {"api_rate": 1000.0, "download_rate": 1000.0, "max_retries": 2, "backoff_base": 0.5,
           "timeout": 5.0, **sources}
    sleeps: list[float] = []
    http = Http(settings_from_dict({"sources": cfg}, environ={}).sources, db, sleep=sleeps.append,
                jitter=lambda: 0.5)
    return http, sleeps


def responses(db):
    return db.execute("SELECT url, status, sha256 FROM responses ORDER BY id").fetchall()


def test_500_then_success_retries_with_exponential_backoff(replay_server, fresh_db):
    replay_server.add_entry("/j", json_body={"ok": True}, fault={"kind": "status", "status": 500, "times": 2})
    http, sleeps = make_http(fresh_db)
    resp = http.get_json(replay_server.url + "/j", source=SRC)
    assert resp.data == {"ok": True}
    assert http.requests == 3
    assert [s for r, s in http.slept if r == "backoff"] == [0.5, 1.0]    # base * 2**attempt * (0.5 + jitter)
    assert [status for _, status, _ in responses(fresh_db)] == [500, 500, 200]   # error bodies stored too


def test_429_retry_after_is_honoured_and_capped(replay_server, fresh_db):
    replay_server.add_entry("/r", json_body=[1], fault={"kind": "retry_after", "seconds": 7, "times": 1})
    replay_server.add_entry("/long", json_body=[2], fault={"kind": "retry_after", "seconds": 900, "times": 1})
    http, sleeps = make_http(fresh_db, max_retry_after=60.0)
    assert http.get_json(replay_server.url + "/r", source=SRC).data == [1]
    assert http.get_json(replay_server.url + "/long", source=SRC).data == [2]
    assert [s for r, s in http.slept if r == "retry_after"] == [7.0, 60.0]


def test_retries_exhausted_raise_status_error_naming_the_url(replay_server, fresh_db):
    replay_server.add_entry("/down", fault={"kind": "status", "status": 502})
    http, _ = make_http(fresh_db)
    with pytest.raises(HTTPStatusError) as err:
        http.get_json(replay_server.url + "/down", {"a": "b c"}, source=SRC)
    assert err.value.status == 502 and err.value.url == replay_server.url + "/down?a=b%20c"
    assert "HTTP 502" in str(err.value) and err.value.url in str(err.value)
    assert http.requests == 3


def test_400_is_not_retried_and_carries_the_api_errors(replay_server, fresh_db):
    replay_server.add_entry("/bad", status=400, json_body={"errors": {"per_page": "too big"}})
    http, _ = make_http(fresh_db)
    with pytest.raises(HTTPStatusError, match="per_page"):
        http.get_json(replay_server.url + "/bad", source=SRC)
    assert http.requests == 1


def test_timeout_then_success_and_timeout_exhausted(replay_server, fresh_db):
    replay_server.add_entry("/slow", json_body={"n": 1}, fault={"kind": "delay", "seconds": 0.6, "times": 1})
    replay_server.add_entry("/never", json_body={}, fault={"kind": "delay", "seconds": 0.6})
    http, _ = make_http(fresh_db, timeout=0.2, max_retries=1)
    assert http.get_json(replay_server.url + "/slow", source=SRC).data == {"n": 1}
    with pytest.raises(FetchTimeoutError, match=r"no answer from 127\.0\.0\.1:\d+ within 0.2s after 2 attempts"):
        http.get_json(replay_server.url + "/never", source=SRC)


def test_connection_reset_is_retried(replay_server, fresh_db):
    replay_server.add_entry("/c", json_body={"n": 2}, fault={"kind": "reset", "times": 1})
    http, _ = make_http(fresh_db)
    assert http.get_json(replay_server.url + "/c", source=SRC).data == {"n": 2}
    assert http.requests == 2


def test_connection_refused_is_a_transport_error(fresh_db):
    http, _ = make_http(fresh_db, max_retries=0)
    with pytest.raises(TransportError, match="connection refused by 127.0.0.1:9") as err:
        http.get_json("http://127.0.0.1:9/x", source=SRC)
    assert err.value.problem == "connection refused by 127.0.0.1:9"       # one attempt: no count
    assert err.value.url == "http://127.0.0.1:9/x"


def test_a_host_remembered_unreachable_is_not_blamed_on_the_next_source(fresh_db):
    """The second source made no attempt: its failure says whose attempts found the host down."""
    http, _ = make_http(fresh_db, max_retries=1, backoff_base=0.0)
    with pytest.raises(TransportError):
        http.get_json("http://127.0.0.1:9/x", source=Source.FEDERAL_REGISTER)
    before = http.requests
    with pytest.raises(TransportError) as err:
        http.get_json("http://127.0.0.1:9/y", source=Source.ECFR)
    assert http.requests == before                                       # no request made
    assert err.value.problem == ("not tried: 127.0.0.1:9 refused 2 attempts by federal_register "
                                 "earlier in this run")
    assert "after 2 attempts" not in err.value.problem


def test_truncated_body_is_detected_stored_and_retried(replay_server, fresh_db):
    body = {"results": list(range(300))}
    replay_server.add_entry("/t", json_body=body, fault={"kind": "truncate", "bytes": 50, "times": 1})
    replay_server.add_entry("/tt", json_body=body, fault={"kind": "truncate", "bytes": 50})
    http, _ = make_http(fresh_db)
    assert http.get_json(replay_server.url + "/t", source=SRC).data == body
    with pytest.raises(TruncatedBodyError, match="got 50 of"):
        http.get_json(replay_server.url + "/tt", source=SRC)
    first_status, first_sha = responses(fresh_db)[0][1:]
    assert first_status == 200 and len(get_blob(fresh_db, first_sha)) == 50   # the cut body is kept raw


def test_unparsable_json_of_full_length_is_truncated_body(replay_server, fresh_db):
    replay_server.add_entry("/half", body='{"count": 3, "results": [', content_type="application/json")
    http, _ = make_http(fresh_db, max_retries=0)
    with pytest.raises(TruncatedBodyError, match=r"JSON from 127\.0\.0\.1:\d+ does not parse"):
        http.get_json(replay_server.url + "/half", source=SRC)


def test_html_block_page_is_blocked_error_and_not_retried(replay_server, fresh_db):
    replay_server.add_entry("/api", json_body={}, fault={"kind": "block_page"})
    http, _ = make_http(fresh_db)
    with pytest.raises(BlockedError, match="HTML page instead of JSON"):
        http.get_json(replay_server.url + "/api", source=SRC)
    assert http.requests == 1
    (sha,) = fresh_db.execute("SELECT sha256 FROM responses").fetchone()
    assert b"Request Access" in get_blob(fresh_db, sha)


def test_block_page_on_xml_download(replay_server, fresh_db):
    replay_server.add_entry("/doc.xml", body="<RULE/>", fault={"kind": "block_page", "status": 403})
    http, _ = make_http(fresh_db)
    with pytest.raises(BlockedError, match="instead of XML"):
        http.get_xml(replay_server.url + "/doc.xml", source=SRC)


def test_body_over_max_download_size_is_refused(replay_server, fresh_db):
    replay_server.add_entry("/big.xml", body="<RULE>" + "x" * 5000 + "</RULE>")
    http, _ = make_http(fresh_db, max_download_bytes=1000)
    with pytest.raises(FetchError, match="exceeds max_download_bytes 1000"):
        http.get_xml(replay_server.url + "/big.xml", source=SRC)


def test_conditional_request_returns_stored_body_on_304(replay_server, fresh_db):
    replay_server.add_entry("/titles.json", json_body={"titles": [1]}, headers={"ETag": '"v1"'})
    http, _ = make_http(fresh_db)
    first = http.get_json(replay_server.url + "/titles.json", source=Source.ECFR)
    # the validators live in their own table, not among the sources' watermarks
    assert fresh_db.execute("SELECT url, etag, last_modified, body_sha256 FROM http_validators").fetchall() == [
        (replay_server.url + "/titles.json", '"v1"', None, first.sha256)]
    assert fresh_db.execute("SELECT COUNT(*) FROM watermarks").fetchone()[0] == 0
    second = http.get_json(replay_server.url + "/titles.json", source=Source.ECFR)
    assert not first.not_modified and second.not_modified
    assert second.data == {"titles": [1]} and second.sha256 == first.sha256
    assert replay_server.requests[1].headers.get("If-None-Match") == '"v1"'
    assert [s for _, s, _ in responses(fresh_db)] == [200, 304]


def test_user_agent_and_accept_are_sent(replay_server, fresh_db):
    replay_server.add_entry("/ua", json_body={})
    http, _ = make_http(fresh_db, user_agent="frtrack-test/1 (ops@example.invalid)")
    http.get_json(replay_server.url + "/ua", source=SRC)
    headers = replay_server.requests[0].headers
    assert headers["User-Agent"] == "frtrack-test/1 (ops@example.invalid)"
    assert headers["Accept"] == "application/json"


def test_rate_limit_spaces_requests_per_host_and_kind(replay_server, fresh_db):
    replay_server.add_entry("/a", json_body={})
    replay_server.add_entry("/x.xml", body="<RULE/>")
    clock = [100.0]
    http = Http(settings_from_dict({"sources": {"api_rate": 5.0, "download_rate": 1.0}}, environ={}).sources,
                fresh_db, sleep=lambda s: clock.__setitem__(0, clock[0] + s), monotonic=lambda: clock[0])
    for _ in range(3):
        http.get_json(replay_server.url + "/a", source=SRC)
    http.get_xml(replay_server.url + "/x.xml", source=SRC)      # other kind: its own budget, no wait
    http.get_xml(replay_server.url + "/x.xml", source=SRC)
    waits = [round(s, 3) for r, s in http.slept if r == "rate_limit"]
    assert waits == [0.2, 0.2, 1.0]


def test_every_response_is_recorded_with_headers_before_parsing(replay_server, fresh_db):
    replay_server.add_entry("/bad.json", body="not json", content_type="application/json",
                            headers={"X-Trace": "t1"})
    http, _ = make_http(fresh_db, max_retries=0)
    http.run_id = None
    with pytest.raises(TruncatedBodyError):
        http.get_json(replay_server.url + "/bad.json", source=SRC)
    url, status, headers, sha = fresh_db.execute("SELECT url, status, headers, sha256 FROM responses").fetchone()
    assert url.endswith("/bad.json") and status == 200 and json.loads(headers)["X-Trace"] == "t1"
    assert get_blob(fresh_db, sha) == b"not json"


def test_helpers():
    assert build_url("http://h/p", [("fields[]", "a"), ("fields[]", "b"), ("appendix", "Supplement No. 1")]) \
        == "http://h/p?fields%5B%5D=a&fields%5B%5D=b&appendix=Supplement%20No.%201"
    assert retry_after_seconds("12") == 12.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("garbage") is None


def test_retry_after_as_http_date():
    from datetime import datetime
    now = datetime(2026, 2, 20, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("Fri, 20 Feb 2026 12:00:30 GMT", now=now) == 30.0
    assert retry_after_seconds("Fri, 20 Feb 2026 11:00:00 GMT", now=now) == 0.0
