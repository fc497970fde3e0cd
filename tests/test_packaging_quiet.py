"""Issue 13: a fresh install prints no setuptools warning (the first ``make demo`` printed ~170 lines).

Builds the metadata, the wheel and the editable wheel of a copy of the repo
with the setuptools backend itself, every warning shown (``-W always``), and
requires silence on stderr: no deprecated license table, no package "that
would be ignored", no editable-install notice.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.test_packaging import IGNORE, REPO

BUILD = """
import os
import setuptools.build_meta as backend
for d in ("meta", "wheel", "editable"):
    os.makedirs(d)
backend.prepare_metadata_for_build_wheel("meta")
backend.build_wheel("wheel")
backend.build_editable("editable")
"""


def test_backend_builds_without_a_warning(tmp_path):
    pytest.importorskip("setuptools", minversion="77")
    src = tmp_path / "src"
    shutil.copytree(REPO, src, ignore=IGNORE)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONWARNINGS",) and not k.startswith("FRTRACK_")}
    result = subprocess.run([sys.executable, "-W", "always", "-c", BUILD], cwd=src, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    noisy = [line for line in result.stderr.splitlines() if "Warning" in line or "!!" in line]
    assert noisy == [], result.stderr[-4000:]
    assert list((src / "wheel").glob("frtrack-*.whl")) and list((src / "editable").glob("frtrack-*.whl"))
