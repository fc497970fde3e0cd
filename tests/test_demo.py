"""Issue 9: the offline demo end to end, as a user runs it (a subprocess, like `make demo`)."""
from __future__ import annotations

import email
import email.policy
import os
import subprocess
import sys
from pathlib import Path


def _children_of(pid: int) -> list[str]:
    out = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                stat = (proc / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(proc.name)
    return out


def test_demo_runs_offline_and_leaves_nothing_running(tmp_path):
    out = tmp_path / "demo"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRTRACK_")}
    # any attempt to reach the internet through a proxy fails loudly
    env.update(HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9", NO_PROXY="127.0.0.1,localhost")
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "demo", "--out", str(out)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = proc.stdout
    assert "17 runs over the bundled 2021-2026 sample (all ok)" in text
    assert "Cambodia: removed from D:5, effective 2026-02-03, FR Doc. 2026-02262 [confirmed]\n" in text
    assert ("Cambodia: in D:5 but not in 126.1; State changed 126.1 first; from 2025-11-07 to 2026-02-03"
            in text)
    assert "Venezuela: added to D:2, effective 2023-03-30, FR Doc. 2099-90001 [contradicted] (SAMPLE)" in text
    assert "Sample events (not real; marked SAMPLE):" in text
    digest = out / "digest.eml"
    index = out / "site" / "index.html"
    assert f"digest:   {digest}" in text and f"site:     {index}" in text
    msg = email.message_from_bytes(digest.read_bytes(), policy=email.policy.default)
    assert msg.get_content_type() == "multipart/alternative"
    assert index.is_file() and "Cambodia" in index.read_text(encoding="utf-8")
    assert _children_of(os.getpid()) == []   # nothing left running


def test_demo_rerun_into_same_folder_starts_fresh(tmp_path):
    from pipeline.demo.run import run_demo
    first = run_demo(tmp_path / "d")
    second = run_demo(tmp_path / "d")
    assert first.ok and second.ok
    assert first.changes == second.changes and len(second.changes) == 10
    assert second.divergences == first.divergences
