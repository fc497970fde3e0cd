"""Every benchmark script imports, without running: a renamed module fails here, not at the next `make bench`."""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
MODULES = sorted(p for p in BENCHMARKS.glob("*.py") if p.name != "__init__.py")
SCRIPTS = [p for p in MODULES if p.name.startswith("bench_") or p.name == "run_all.py"]


def _has_main_guard(tree: ast.Module) -> bool:
    return any(isinstance(node, ast.If) and ast.unparse(node.test) in ("__name__ == '__main__'", "'__main__' == __name__")
               for node in tree.body)


def test_there_are_benchmarks():
    assert len(SCRIPTS) >= 7, [p.name for p in SCRIPTS]


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_script_runs_only_under_its_main_guard(path):
    """Importing a script must not start the benchmark (this test imports every one of them)."""
    assert _has_main_guard(ast.parse(path.read_text(encoding="utf-8"))), f"{path.name} has no __main__ guard"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_imports(path):
    module = importlib.import_module(f"benchmarks.{path.stem}")
    assert module.__file__ is not None and Path(module.__file__).resolve() == path


def test_run_all_runs_every_benchmark():
    from benchmarks.run_all import BENCHES

    assert sorted(BENCHES) == sorted(p.name for p in SCRIPTS if p.name.startswith("bench_"))
