"""``frtrack browse``: the database in datasette, whose views answer an analyst's questions without SQL.

datasette is optional (``pip install datasette``, or the ``browse`` extra):
it is run from PATH, else as a module of this Python when importable; without
it the command says how to install it (exit 2). The database is checked (and
its schema upgraded, as any read command does) before datasette opens it, so
a typo in ``--db`` is "no database at …" rather than datasette's empty page.
"""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys

from parsers.errors import UsageError
from store.db import open_readonly

NOT_INSTALLED = "datasette is not installed: pip install datasette"


def datasette_command() -> list[str] | None:
    """How to start datasette here: its executable on PATH, else ``python -m datasette``; None without it."""
    found = shutil.which("datasette")
    if found:
        return [found]
    if importlib.util.find_spec("datasette") is not None:
        return [sys.executable, "-m", "datasette"]
    return None


def browse(db_path: str, port: int | None = None) -> int:
    """Serve ``db_path`` with datasette until it stops; its exit code."""
    open_readonly(db_path).close()      # no database is the first thing to say, datasette or not
    command = datasette_command()
    if command is None:
        raise UsageError(NOT_INSTALLED)
    args = [*command, db_path] + (["--port", str(port)] if port is not None else [])
    return subprocess.run(args, check=False).returncode
