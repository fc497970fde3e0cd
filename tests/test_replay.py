"""The replay server over a real socket: matching, 404 + log, every fault kind, stages, the CLI."""
from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest
import requests

from pipeline.demo.replay import ReplayServer


def test_query_matches_order_insensitively_with_repeated_keys(replay_server):
    replay_server.add_entry("/api/v1/documents.json", json_body={"ok": 1},
                            query={"conditions[agencies][]": ["a", "b"], "page": "2"})
    url = replay_server.url + "/api/v1/documents.json"
    hit = requests.get(url + "?page=2&conditions%5Bagencies%5D%5B%5D=b&conditions%5Bagencies%5D%5B%5D=a", timeout=5)
    assert hit.status_code == 200 and hit.json() == {"ok": 1}
    # one value missing, or an extra key: no match
    assert requests.get(url + "?page=2&conditions%5Bagencies%5D%5B%5D=a", timeout=5).status_code == 404
    assert requests.get(url, params=[("page", "2"), ("conditions[agencies][]", "a"),
                                     ("conditions[agencies][]", "b"), ("x", "1")], timeout=5).status_code == 404


def test_star_matches_any_value_and_missing_query_matches_anything(replay_server):
    replay_server.add_entry("/a", query={"fields[]": "*", "page": "1"}, body="star")
    replay_server.add_entry("/b", body="any")
    assert requests.get(replay_server.url + "/a?fields[]=x&fields[]=y&page=1", timeout=5).text == "star"
    assert requests.get(replay_server.url + "/a?page=1", timeout=5).status_code == 404   # key must be present
    assert requests.get(replay_server.url + "/b?whatever=1&z=2", timeout=5).text == "any"


def test_unmatched_request_gets_404_json_and_is_logged(replay_server):
    replay_server.add_entry("/known", body="yes", id="known")
    r = requests.get(replay_server.url + "/unknown?q=1", timeout=5)
    assert r.status_code == 404
    assert r.json()["path"] == "/unknown" and r.json()["query"] == {"q": ["1"]}
    requests.get(replay_server.url + "/known", timeout=5)
    log = replay_server.requests
    assert [(x.path, x.status, x.entry) for x in log] == [("/unknown", 404, None), ("/known", 200, "known")]
    assert log[0].query == {"q": ["1"]}
    replay_server.reset_log()
    assert replay_server.requests == []


def test_manifest_directory_with_body_files_and_base_placeholder(tmp_path, make_replay):
    d = tmp_path / "rec"
    (d / "bodies").mkdir(parents=True)
    (d / "bodies" / "p1.json").write_text(json.dumps({"next_page_url": "{{base}}/p?page=2"}))
    (d / "manifest.json").write_text(json.dumps({"entries": [
        {"id": "p1", "path": "/p", "query": {"page": "1"}, "body_file": "bodies/p1.json"},
        {"path": "/x.xml", "body": "<RULE/>"},
    ]}))
    server = make_replay(d)
    r = requests.get(server.url + "/p?page=1", timeout=5)
    assert r.headers["Content-Type"] == "application/json"
    assert r.json()["next_page_url"] == f"{server.url}/p?page=2"
    assert requests.get(server.url + "/x.xml", timeout=5).text == "<RULE/>"


def test_fault_times_then_normal(replay_server):
    replay_server.add_entry("/s", body="fine", fault={"kind": "status", "status": 503, "times": 2})
    statuses = [requests.get(replay_server.url + "/s", timeout=5).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]


def test_fault_retry_after(replay_server):
    replay_server.add_entry("/r", body="fine", fault={"kind": "retry_after", "seconds": 7, "times": 1})
    first = requests.get(replay_server.url + "/r", timeout=5)
    assert first.status_code == 429 and first.headers["Retry-After"] == "7"
    assert requests.get(replay_server.url + "/r", timeout=5).text == "fine"


def test_fault_block_page(replay_server):
    replay_server.add_entry("/b", json_body={"count": 0}, fault={"kind": "block_page"})
    r = requests.get(replay_server.url + "/b", timeout=5)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert "Request Access" in r.text


def test_fault_truncate_announces_full_length(replay_server):
    replay_server.add_entry("/t", json_body={"results": list(range(500))}, fault={"kind": "truncate", "bytes": 40})
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        _ = requests.get(replay_server.url + "/t", timeout=5).content
    assert replay_server.requests[-1].entry is not None


def test_fault_delay_drives_a_client_timeout(replay_server):
    replay_server.add_entry("/d", body="late", fault={"kind": "delay", "seconds": 1.0, "times": 1})
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(replay_server.url + "/d", timeout=(2, 0.2))
    assert requests.get(replay_server.url + "/d", timeout=5).text == "late"


def test_fault_reset(replay_server):
    replay_server.add_entry("/c", body="x", fault={"kind": "reset", "times": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(replay_server.url + "/c", timeout=5)
    assert requests.get(replay_server.url + "/c", timeout=5).text == "x"
    assert replay_server.requests[0].status is None


def test_unknown_fault_kind_is_refused(replay_server):
    with pytest.raises(ValueError, match="unknown fault kind 'explode'"):
        replay_server.add_entry("/x", fault={"kind": "explode"})


def test_stages_switch_in_process_and_over_http(replay_server):
    replay_server.add_entry("/t", body="today", stage=0)
    replay_server.add_entry("/t", body="tomorrow", stage=[1, 2])
    assert requests.get(replay_server.url + "/t", timeout=5).text == "today"
    replay_server.set_stage(1)
    assert requests.get(replay_server.url + "/t", timeout=5).text == "tomorrow"
    r = requests.post(replay_server.url + "/__replay/stage?n=3", timeout=5)
    assert r.json() == {"stage": 3}
    assert requests.get(replay_server.url + "/t", timeout=5).status_code == 404
    assert [x.path for x in replay_server.requests] == ["/t", "/t", "/t"]   # control calls are not logged


def test_etag_answers_304_to_if_none_match(replay_server):
    replay_server.add_entry("/e", body="v1", headers={"ETag": '"abc"'})
    assert requests.get(replay_server.url + "/e", timeout=5).text == "v1"
    r = requests.get(replay_server.url + "/e", headers={"If-None-Match": '"abc"'}, timeout=5)
    assert r.status_code == 304 and r.content == b""


def test_handler_builds_responses_in_code(replay_server):
    replay_server.add_entry("/h*", handler=lambda m, p, q: (201, {"X-Path": p}, json.dumps(q).encode()))
    r = requests.get(replay_server.url + "/hello?a=1", timeout=5)
    assert r.status_code == 201 and r.headers["X-Path"] == "/hello" and r.json() == {"a": ["1"]}


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "kill"])
def test_cli_replay_serves_and_stops_cleanly(tmp_path, sig):
    d = tmp_path / "rec"
    d.mkdir()
    (d / "manifest.json").write_text(json.dumps({"entries": [{"path": "/ping", "body": "pong"}]}))
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "replay", str(d), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert "replaying 1 recorded responses" in line, line + proc.stderr.read()
        url = line.rsplit(" at ", 1)[1].strip()
        assert requests.get(url + "/ping", timeout=5).text == "pong"
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stopping; served 1 request\n" in out
    assert "Traceback" not in err


def test_context_manager_frees_the_port(tmp_path):
    with ReplayServer(tmp_path) as server:
        url = server.url
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url + "/x", timeout=2)
