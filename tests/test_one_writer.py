"""One writer: every INSERT/UPDATE/DELETE of the store lives in ``store/``, behind named functions.

Scanned with ``ast`` over every module under ``pipeline/``: string literals
(f-strings and implicitly joined strings included; docstrings, which are prose,
excluded) must hold no write SQL, and no module may write through sqlite-utils'
table API (``db["t"].insert(...)``) or run ``executemany``/``executescript``.
A fetcher, the demo loader or a command that needs a new write adds a function
to ``store/`` and calls it.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

EXCLUDED: set[str] = set()

WRITE_SQL = re.compile(r"\b(INSERT\s+(OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE\s+(OR\s+\w+\s+)?[\w\"{}]+\s+SET"
                       r"|DELETE\s+FROM|UPSERT)\b", re.IGNORECASE)
TABLE_WRITES = {"insert", "insert_all", "upsert", "upsert_all", "update", "delete", "delete_where", "lookup"}
RAW_WRITES = {"executemany", "executescript"}
READS = {"execute", "execute_returning_dicts", "query", "rows_where"}


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string nodes that are docstrings (module, class, function): prose, not SQL."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                    and isinstance(first.value.value, str):
                out.add(id(first.value))
    return out


def _text(node: ast.AST) -> str | None:
    """The text of a string literal; an f-string with ``{}`` for each hole."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left), _text(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def _is_table(node: ast.AST) -> bool:
    """``db["t"]`` or ``db.table("t")``: a sqlite-utils Table."""
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, (ast.Constant, ast.JoinedStr, ast.Name))
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "table"


def writes_in(source: str, name: str = "<test>") -> list[tuple[int, str]]:
    """(line, what) for every write outside the store found in ``source``."""
    tree = ast.parse(source, name)
    docs = _docstrings(tree)
    found: list[tuple[int, str]] = []
    inner: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.JoinedStr, ast.BinOp)):
            inner.update(id(c) for c in ast.walk(node) if c is not node)
    for node in ast.walk(tree):
        if id(node) in docs or id(node) in inner:
            continue
        text = _text(node)
        if text is not None and (m := WRITE_SQL.search(text)):
            found.append((node.lineno, f"SQL {m.group(0)!r}: {text[:70]!r}"))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in RAW_WRITES:
                found.append((node.lineno, f".{node.func.attr}(...)"))
            elif node.func.attr in TABLE_WRITES and _is_table(node.func.value):
                found.append((node.lineno, f"table API .{node.func.attr}(...)"))
    return sorted(found)


@pytest.mark.parametrize("snippet", [
    'db.execute("INSERT INTO runs (status) VALUES (?)", ["ok"])',
    'db.execute("insert or ignore into blobs (sha256) values (?)", [s])',
    'db.execute("UPDATE runs SET status = ? WHERE id = ?", [s, i])',
    'db.execute(f"UPDATE {table} SET parse_status = ?", [s])',
    'db.execute("DELETE FROM memberships")',
    'db.execute("REPLACE INTO watermarks VALUES (?, ?)", [k, v])',
    'db.execute("SELECT 1;" + " DELETE FROM runs")',
    'db.execute("INSERT INTO polls (started_at)"\n           " VALUES (?)", [t])',
    'db["runs"].insert({"status": "ok"})',
    'db.table("alerts_sent").upsert(row, pk="event")',
    'db["polls"].update(1, {"status": "idle"})',
    'db.conn.executemany("INSERT INTO t VALUES (?)", rows)',
])
def test_the_scan_finds_writes(snippet):
    assert writes_in(snippet), snippet


@pytest.mark.parametrize("snippet", [
    'db.execute("SELECT value FROM watermarks WHERE source = ?", [k])',
    '"""Docstring: we UPDATE runs SET status when finished, and INSERT INTO the ledger."""',
    'files.update({p: t for p, t in pages.items()})',
    'text = "[INSERT DATE 30 DAYS AFTER DATE OF PUBLICATION IN THE FEDERAL REGISTER]"',
    'self.entries.insert(0, entry)',
])
def test_the_scan_leaves_reads_and_prose_alone(snippet):
    assert writes_in(snippet) == [], snippet


def sql_calls_in(source: str, name: str = "<test>") -> list[tuple[int, str]]:
    """(line, call) for every ``.execute(...)``-like call: SQL of any kind."""
    return sorted((node.lineno, f".{node.func.attr}(...)") for node in ast.walk(ast.parse(source, name))
                  if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in READS)


def test_no_write_outside_the_store():
    bad = []
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in EXCLUDED:
            continue
        bad += [f"{rel}:{line}: {what}" for line, what in writes_in(path.read_text(), rel)]
    assert not bad, "writes outside store/ (add a named function to store/ and call it):\n" + "\n".join(bad)


def test_reads_go_through_store_queries_too():
    """Renderers, commands and fetchers read through named functions as well (``store.queries`` and the
    writers' modules): the schema can change in ``store/`` alone."""
    bad = []
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in EXCLUDED:
            continue
        bad += [f"{rel}:{line}: {what}" for line, what in sql_calls_in(path.read_text(), rel)]
    assert not bad, "SQL outside store/:\n" + "\n".join(bad)
