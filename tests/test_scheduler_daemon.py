"""``frtrack schedule`` as a real process: runs every few seconds, survives failures, stops on SIGTERM."""
from __future__ import annotations

import signal
import subprocess

import pytest

from tests.test_crash import (
    DOCS,
    WAIT,
    doc_xml_path,
    finish,
    frtrack,
    gate_path,
    populated_world,
    read_db,
    wait_for,
    write_config,
)

STOP_WITHIN = 5   # seconds: the requirement for a clean stop


def _stop(proc: subprocess.Popen) -> tuple[int, str, str]:
    """SIGTERM, then the process must be gone within STOP_WITHIN seconds."""
    proc.send_signal(signal.SIGTERM)
    try:
        out, err = proc.communicate(timeout=STOP_WITHIN)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"frtrack schedule did not exit within {STOP_WITHIN}s of SIGTERM:\n{err}")
    return proc.returncode, out, err


def _finished_runs(db):
    return read_db(db, "SELECT id, status, trigger FROM runs WHERE status != 'running' ORDER BY id")


def _two_scheduled_runs(tmp_path, url, db, what):
    """Start `frtrack schedule` firing every 2 s, wait for two finished runs, SIGTERM it."""
    cfg = write_config(tmp_path, url, fetch="interval:2")
    daemon = frtrack(["-v", "--config", str(cfg), "--db", str(db), "schedule"], tmp_path)
    try:
        runs = wait_for(lambda: len(_finished_runs(db)) >= 2 and _finished_runs(db), what, daemon)
        rc, _out, err = _stop(daemon)
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.communicate()
    return runs, rc, err


def test_daemon_runs_every_two_seconds_and_stops_cleanly(tmp_path, api_world):
    world = populated_world(api_world)
    db = tmp_path / "f.db"
    runs, rc, err = _two_scheduled_runs(tmp_path, world.server.url, db, "two scheduled runs")
    assert rc == 0, err
    assert runs[:2] == [(1, "ok", "schedule"), (2, "ok", "schedule")]
    assert err.count("scheduled fetch: finished ok: run ") >= 2
    assert "stopping (SIGTERM)" in err and "frtrack scheduler stopped" in err
    # nothing left half-done, and the work is stored once however many runs there were
    assert read_db(db, "SELECT COUNT(*) FROM runs WHERE status = 'running'") == [(0,)]
    assert read_db(db, "PRAGMA integrity_check") == [("ok",)]
    assert read_db(db, "SELECT COUNT(*), COUNT(DISTINCT document_number) FROM fr_documents") == [(3, 3)]
    assert read_db(db, "SELECT SUM(new_items) FROM source_fetches WHERE run_id = 2") == [(0,)]


def test_daemon_keeps_going_when_every_run_fails(tmp_path, replay_server):
    """An empty replay server answers 404 to everything: each run fails, the daemon does not."""
    db = tmp_path / "f.db"
    runs, rc, err = _two_scheduled_runs(tmp_path, replay_server.url, db, "two failed runs")
    assert rc == 0, err
    assert runs[:2] == [(1, "failed", "schedule"), (2, "failed", "schedule")]
    assert err.count("scheduled fetch: finished with failures: run ") >= 2
    errors = read_db(db, "SELECT error FROM runs WHERE id = 1")[0][0]
    assert errors == "sources failed: federal_register, public_inspection, ecfr"   # which; the details once, below
    details = [e for (e,) in read_db(db, "SELECT error FROM source_fetches WHERE run_id = 1")]
    host = replay_server.url.split("//")[1]
    assert details and all("404" in e and host in e for e in details), details
    assert f"FAILED: HTTP 404 from {host}" in err        # the daemon's log carries them


def test_sigterm_during_a_run_lets_it_finish_then_exits_0(tmp_path, api_world):
    world = populated_world(api_world)
    gate = gate_path(world, doc_xml_path(*DOCS[1]), "/documents/full_text/xml/*")
    cfg = write_config(tmp_path, world.server.url, fetch="interval:1")
    db = tmp_path / "f.db"
    log = tmp_path / "daemon.log"
    with open(log, "w") as log_fh:
        daemon = frtrack(["-v", "--config", str(cfg), "--db", str(db), "schedule"], tmp_path, stderr=log_fh)
    try:
        assert gate.arrived.wait(WAIT), "the scheduled run never started"
        daemon.send_signal(signal.SIGTERM)
        wait_for(lambda: "stopping (SIGTERM)" in log.read_text(), "the daemon to see the signal", daemon)
        # it is waiting for the run in progress (held at the gate) instead of dying under it
        assert daemon.poll() is None
        assert read_db(db, "SELECT id, status FROM runs") == [(1, "running")]
        gate.release()
        rc, _, _ = finish(daemon)
    finally:
        gate.release()
        if daemon.poll() is None:
            daemon.kill()
            daemon.communicate()
    err = log.read_text()
    assert rc == 0, err
    # the run in progress completed normally; no second run started after the signal
    assert read_db(db, "SELECT id, status FROM runs") == [(1, "ok")]
    assert read_db(db, "SELECT COUNT(*) FROM fr_documents WHERE xml_sha256 IS NOT NULL") == [(3,)]
