"""`frtrack run` against `frtrack replay DIR` from the command line, then `frtrack status`.

Everything runs as separate processes, as a user would type it: the replay
server serves the bundled timeline, `run` fetches through it, `status`
reports what came from which source and, once the server is gone, the failure.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import requests

from pipeline.demo.data.replay_dir import write_replay_dir
from pipeline.demo.data.timeline import build_timeline

CONFIG = """
[sources]
api_rate = 200.0
download_rate = 200.0
backoff_base = 0.01
max_retries = 1
timeout = 5.0
"""


def frtrack(*args, env):
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], env=env, capture_output=True,
                          text=True, timeout=120)


def test_run_against_replay_cli_then_status(tmp_path):
    stages = build_timeline()
    directory = write_replay_dir(stages, tmp_path / "replay")
    server = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "replay", str(directory), "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().rsplit(" at ", 1)[1].strip()
        assert requests.post(f"{url}/__replay/stage?n={len(stages) - 1}", timeout=5).ok
        (tmp_path / "c.toml").write_text(CONFIG)
        env = {k: v for k, v in os.environ.items() if not k.startswith("FRTRACK_")}
        env.update(FRTRACK_CONFIG=str(tmp_path / "c.toml"), FRTRACK_DB=str(tmp_path / "f.db"),
                   FRTRACK_FR_API_BASE=f"{url}/api/v1", FRTRACK_ECFR_API_BASE=f"{url}/api/versioner/v1",
                   FRTRACK_TODAY=stages[-1].today.isoformat())
        run = frtrack("run", env=env)
        assert run.returncode == 0, run.stdout + run.stderr
        assert "run 1: ok" in run.stdout
        for source in ("federal_register", "public_inspection", "ecfr"):
            assert f"  {source}: " in run.stdout

        status = json.loads(frtrack("status", "--json", env=env).stdout)
        assert status["last_run"]["status"] == "ok"
        assert {s["source"] for s in status["sources"] if s["last_success"]} == {
            "federal_register", "public_inspection", "ecfr"}
        # 11 FR documents; eCFR: 6 of Supplement No. 1, 5 of 126.1, 4 of § 744.21, 2 of the SAMPLE Entity List
        assert status["counts"]["documents"] == 11 and status["counts"]["ecfr_versions"] == 17

        changes = json.loads(frtrack("changes", "--country", "Cambodia", "--json", env=env).stdout)
        assert {"group": "D:5", "action": "removed", "status": "confirmed", "fr_document": "2026-02262"}.items() \
            <= [c for c in changes if c["action"] == "removed"][0].items()
    finally:
        server.terminate()
        server.communicate(timeout=10)

    # the "APIs" are gone: the run fails loudly, keeps what it had, and status says so
    failed = frtrack("run", env=env)
    assert failed.returncode == 1
    assert "FAILED" in failed.stdout and url.split("//")[1] in failed.stderr   # host:port, on stderr
    assert "http://" not in failed.stdout + failed.stderr                        # full URLs only with -v
    status = json.loads(frtrack("status", "--json", env=env).stdout)
    assert status["last_run"]["status"] == "failed" and not status["healthy"]
    assert all(s["last_failure"] and s["last_error"] for s in status["sources"])
    assert status["counts"]["documents"] == 11   # nothing stored was lost
    assert frtrack("status", "--check", env=env).returncode == 3
