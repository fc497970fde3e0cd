"""Two real ``frtrack run`` processes at once: exactly one runs, the other exits 75 at once."""
from __future__ import annotations

import re
import signal

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


def test_two_runs_at_once_one_runs_the_other_exits_75(tmp_path, api_world):
    world = populated_world(api_world)
    # The winner's first document download is held, so it keeps the lock until we say so.
    gate = gate_path(world, doc_xml_path(*DOCS[0]), "/documents/full_text/xml/*")
    cfg = write_config(tmp_path, world.server.url)
    db = tmp_path / "f.db"
    args = ["--config", str(cfg), "--db", str(db), "run"]
    a, b = frtrack(args, tmp_path), frtrack(args, tmp_path)
    try:
        # The loser must finish while the winner is still held at the gate: it did not wait for the lock.
        loser = wait_for(lambda: next((p for p in (a, b) if p.poll() is not None), None), "one run to exit")
        winner = b if loser is a else a
        assert winner.poll() is None
        assert gate.arrived.is_set() or gate.arrived.wait(WAIT)
        out, err = loser.communicate()
        assert loser.returncode == 75, f"{out}\n{err}"
        assert re.fullmatch(rf"frtrack: error: another frtrack run \(pid {winner.pid}, since \S+\) holds "
                            rf"{re.escape(str(db))}\.lock\n", err), err
        assert out == ""
    finally:
        gate.release()
    rc, out, err = finish(winner)
    assert rc == 0, f"{out}\n{err}"
    # exactly one run happened, by the winner, and its work is stored once
    assert read_db(db, "SELECT id, status, pid FROM runs") == [(1, "ok", winner.pid)]
    assert read_db(db, "SELECT COUNT(*), COUNT(DISTINCT document_number) FROM fr_documents") == [(3, 3)]


def test_cron_run_while_the_daemon_is_fetching_exits_75(tmp_path, api_world):
    world = populated_world(api_world)
    gate = gate_path(world, doc_xml_path(*DOCS[0]), "/documents/full_text/xml/*")
    cfg = write_config(tmp_path, world.server.url, fetch="interval:1")
    db = tmp_path / "f.db"
    daemon = frtrack(["-v", "--config", str(cfg), "--db", str(db), "schedule"], tmp_path)
    try:
        assert gate.arrived.wait(WAIT), "the daemon's fetch never started"
        rc, out, err = finish(frtrack(["--config", str(cfg), "--db", str(db), "run"], tmp_path))
        assert rc == 75 and f"another frtrack run (pid {daemon.pid}, since " in err, err
        gate.release()
        wait_for(lambda: read_db(db, "SELECT 1 FROM runs WHERE id = 1 AND status = 'ok'"), "the daemon's run", daemon)
        daemon.send_signal(signal.SIGTERM)
        rc, out, err = finish(daemon)
        assert rc == 0, err
    finally:
        gate.release()
        if daemon.poll() is None:
            daemon.kill()
            daemon.communicate()
    assert read_db(db, "SELECT COUNT(*) FROM runs WHERE trigger = 'cli'") == [(0,)]
