"""Crash safety: SIGKILL a real ``frtrack run`` mid-way, rerun, and find the store whole.

Also holds the helpers the other process-level tests share (test_lock_processes,
test_scheduler_daemon): a config pointing at the replay server, a gate that
holds one response until the test opens it (so "mid-way" is a fact, not a
sleep), and a read-only look at the database while a process writes it.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
WAIT = 60          # ceiling for waiting on a process or an event, never an assertion about speed
TODAY = "2026-02-24"
DOCS = (("2026-00101", "2026-01-05"), ("2026-00202", "2026-01-12"), ("2026-00303", "2026-01-20"))



def write_config(tmp_path: Path, base_url: str, *, fetch: str = "0 6 * * mon-fri", digest: str = "off") -> Path:
    """A TOML config whose APIs are the replay server; patient timeouts (gates hold responses)."""
    cfg = tmp_path / "frtrack.toml"
    cfg.write_text(
        "[watch]\nsince = \"2021-01-01\"\n"
        f"[sources]\nfr_api_base = \"{base_url}/api/v1\"\necfr_api_base = \"{base_url}/api/versioner/v1\"\n"
        f"govinfo_base = \"{base_url}\"\napi_rate = 1000.0\ndownload_rate = 1000.0\nmax_retries = 0\n"
        "backoff_base = 0.01\ntimeout = 120.0\n"
        f"[schedule]\ntimezone = \"UTC\"\nfetch = \"{fetch}\"\ndigest = \"{digest}\"\nmisfire_grace_seconds = 30\n")
    return cfg


def frtrack(args: list[str], tmp_path: Path, **kw: Any) -> subprocess.Popen:
    """Start the real CLI as its own process (what cron and systemd run)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRTRACK_")}
    env.update(PYTHONPATH=str(REPO), FRTRACK_TODAY=TODAY)
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    return subprocess.Popen([sys.executable, "-m", "pipeline.cli", *args], cwd=tmp_path, env=env, text=True, **kw)


class Gate:
    """Holds the responses it wraps until ``release()``; ``arrived`` says a request is waiting."""

    def __init__(self) -> None:
        self.arrived = threading.Event()
        self._open = threading.Event()

    def wrap(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        def held(method: str, path: str, query: dict[str, list[str]]) -> Any:
            self.arrived.set()
            self._open.wait(WAIT * 2)
            return handler(method, path, query)
        return held

    def release(self) -> None:
        self._open.set()


def gate_path(world: Any, path: str, handler_key: str) -> Gate:
    """Put a gate in front of one exact ``path``, answered afterwards by the world's ``handler_key`` handler."""
    gate = Gate()
    world.server.add_entry(path, handler=gate.wrap(world._handlers[handler_key]), first=True, id=f"gate:{path}")
    return gate


def populated_world(api_world: Any) -> Any:
    from tests.plugins.replay import fr_doc
    api_world.fr_docs.extend(fr_doc(number, day) for number, day in DOCS)
    return api_world


def doc_xml_path(number: str, day: str) -> str:
    y, m, d = day.split("-")
    return f"/documents/full_text/xml/{y}/{m}/{d}/{number}.xml"


def read_db(path: Path, sql: str, args: tuple = ()) -> list[tuple]:
    """Read without migrating or locking anything: the process under test owns the file."""
    if not path.exists():
        return []
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        return [tuple(r) for r in con.execute(sql, args)]
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return []
        raise
    finally:
        con.close()


def wait_for(condition: Callable[[], Any], what: str, proc: subprocess.Popen | None = None) -> Any:
    """Poll ``condition`` until truthy; fail (with the process's output) if it never is."""
    done = threading.Event()
    for _ in range(WAIT * 20):
        value = condition()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"process exited {proc.returncode} before {what}:\n{out}\n{err}")
        done.wait(0.05)
    pytest.fail(f"gave up waiting for {what}")


def finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=WAIT * 2)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return proc.returncode, out, err


# -- the crash test ----------------------------------------------------------------------------------

KILL_POINTS = {
    # where the run is when it dies: (path to hold, the world's handler for it)
    "before-any-document": ("/api/v1/documents.json", "/api/v1/documents.json"),
    "between-documents": (doc_xml_path(*DOCS[1]), "/documents/full_text/xml/*"),
    "during-ecfr": ("/api/versioner/v1/titles.json", "/api/versioner/v1/titles.json"),
}


@pytest.mark.parametrize("point", sorted(KILL_POINTS))
def test_sigkill_mid_run_then_rerun_completes_the_work_once(tmp_path, api_world, point):
    world = populated_world(api_world)
    path, handler = KILL_POINTS[point]
    gate = gate_path(world, path, handler)
    cfg = write_config(tmp_path, world.server.url)
    db = tmp_path / "f.db"

    victim = frtrack(["--config", str(cfg), "--db", str(db), "run"], tmp_path)
    try:
        assert gate.arrived.wait(WAIT), "the run never reached the held request"
        assert read_db(db, "SELECT id, status FROM runs") == [(1, "running")]
        stored_before_kill = read_db(db, "SELECT document_number FROM fr_documents WHERE xml_sha256 IS NOT NULL ORDER BY 1")
        os.kill(victim.pid, signal.SIGKILL)
        assert victim.wait(WAIT) == -signal.SIGKILL
    finally:
        gate.release()
        if victim.poll() is None:
            victim.kill()
        victim.communicate()

    if point == "between-documents":     # the kill really fell between two stored documents
        assert (DOCS[0][0],) in stored_before_kill and (DOCS[2][0],) not in stored_before_kill, stored_before_kill
    rerun = frtrack(["--config", str(cfg), "--db", str(db), "run"], tmp_path)
    rc, out, err = finish(rerun)
    assert rc == 0, f"{out}\n{err}"

    assert read_db(db, "PRAGMA integrity_check") == [("ok",)]
    assert read_db(db, "PRAGMA foreign_key_check") == []
    runs = read_db(db, "SELECT id, status, finished_at IS NOT NULL, COALESCE(error, '') LIKE 'interrupted:%', pid"
                       " FROM runs ORDER BY id")
    assert runs == [(1, "interrupted", 1, 1, victim.pid), (2, "ok", 1, 0, rerun.pid)]
    # every document is there exactly once, with its XML stored and parsed
    assert read_db(db, "SELECT document_number, xml_sha256 IS NOT NULL, parse_status FROM fr_documents"
                       " ORDER BY document_number") == [(n, 1, "ok") for n, _ in DOCS]
    assert read_db(db, "SELECT COUNT(*) FROM blobs b WHERE NOT EXISTS"
                       " (SELECT 1 FROM responses r WHERE r.sha256 = b.sha256)"
                       " AND NOT EXISTS (SELECT 1 FROM fr_documents d WHERE b.sha256 IN (d.xml_sha256, d.api_sha256))"
                       " AND NOT EXISTS (SELECT 1 FROM ecfr_versions v WHERE v.xml_sha256 = b.sha256)") == [(0,)]
    sources = read_db(db, "SELECT source, status FROM source_fetches WHERE run_id = 2 ORDER BY source")
    assert sources == [("ecfr", "ok"), ("federal_register", "ok"), ("public_inspection", "ok")]

    # and the store is settled: a third run finds nothing new and changes nothing
    before = read_db(db, "SELECT document_number, xml_sha256, parse_status FROM fr_documents ORDER BY 1")
    rc3, out3, err3 = finish(frtrack(["--config", str(cfg), "--db", str(db), "run"], tmp_path))
    assert rc3 == 0, f"{out3}\n{err3}"
    assert read_db(db, "SELECT document_number, xml_sha256, parse_status FROM fr_documents ORDER BY 1") == before
    assert read_db(db, "SELECT SUM(new_items) FROM source_fetches WHERE run_id = 3") == [(0,)]


def test_status_after_a_crash_says_interrupted_until_the_next_run(tmp_path, api_world):
    world = populated_world(api_world)
    gate = gate_path(world, doc_xml_path(*DOCS[0]), "/documents/full_text/xml/*")
    cfg = write_config(tmp_path, world.server.url)
    db = tmp_path / "f.db"
    victim = frtrack(["--config", str(cfg), "--db", str(db), "run"], tmp_path)
    try:
        assert gate.arrived.wait(WAIT)
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(WAIT)
    finally:
        gate.release()
        victim.communicate()
    # status does not take the lock and does not rewrite history: the run still reads 'running'
    rc, out, _ = finish(frtrack(["--db", str(db), "status", "--check"], tmp_path))
    assert rc == 3 and "no run has finished yet (run 1 started" in out
    assert finish(frtrack(["--config", str(cfg), "--db", str(db), "run"], tmp_path))[0] == 0
    rc, out, _ = finish(frtrack(["--db", str(db), "status", "--check"], tmp_path))
    assert rc == 0, out
    assert "last run: #2 ok" in out
