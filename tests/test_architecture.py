"""The layers of docs/architecture.md, checked from the source: no cycle, no upward import.

The import graph is built with `ast` from every module under parsers/, store/ and
pipeline/ (imports inside functions and under TYPE_CHECKING count too), so a
new module that reaches up a layer, or two modules that need each other, fail here.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("parsers", "store", "pipeline")

# Lowest first. A module may import its own layer and the ones below it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("domain", ("parsers.errors", "parsers.model", "parsers.lifecycle", "parsers.countries", "parsers.text")),
    ("parsers", ("parsers",)),
    ("store", ("store",)),
    ("runtime", ("pipeline.config", "pipeline.clock", "pipeline.business_days", "pipeline.triggers",
                 "pipeline.lock")),
    ("derivation", ("pipeline.derive", "pipeline.engine")),
    ("sources", ("pipeline.sources", "pipeline.fetch")),
    ("publish", ("pipeline.publish",)),
    ("app", ("pipeline",)),
    ("demo", ("pipeline.demo",)),
]
# Same-rank siblings that must not know each other.
SIBLINGS = {"sources": 5, "publish": 5}
# Pure derivation: no database, no network.
PURE = ("pipeline.derive",)
PURE_FORBIDDEN = ("store.db", "store.writes", "store.queries", "store.documents", "store.runs", "store.watermarks",
                  "store.ledgers", "store.blobs", "sqlite_utils", "sqlite3", "requests", "pipeline.engine")
# Only the CLI reaches into the demo room (for `frtrack demo` and `frtrack replay`).
DEMO_CALLERS = ("pipeline.cli",)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            out[module_name(path)] = path
    return out


def imports_of(path: Path, name: str, known: set[str]) -> list[tuple[str, int, bool, str]]:
    """(imported module, line, inside a function?, the line's text) for every project import."""
    tree = ast.parse(path.read_text(), str(path))
    lines = path.read_text().splitlines()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            targets: list[str] = []
            if isinstance(child, ast.Import):
                targets = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    up = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    base = ".".join(up + ([base] if base else []))
                # `from pkg import submodule` imports the submodule, not the package's own code
                subs = [f"{base}.{a.name}" for a in child.names if f"{base}.{a.name}" in known]
                targets = subs + ([base] if len(subs) < len(child.names) else [])
            for t in targets:
                if t.split(".")[0] in PACKAGES or t.split(".")[0] in ("sqlite_utils", "sqlite3", "requests"):
                    found.append((t, child.lineno, in_function, lines[child.lineno - 1]))
            visit(child, inner)

    visit(tree, False)
    return found


def resolve(target: str, known: set[str]) -> str | None:
    while target and target not in known:
        target = target.rpartition(".")[0]
    return target or None


def layer_of(module: str) -> tuple[int, str]:
    best = None
    for rank, (layer, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > best[2]:
                    best = (rank, layer, len(prefix))
    assert best is not None, f"{module} belongs to no layer: add it to LAYERS and docs/architecture.md"
    return best[0], best[1]


MODULES = source_modules()
KNOWN = set(MODULES)
GRAPH = {m: imports_of(p, m, KNOWN) for m, p in MODULES.items()}


def test_every_module_has_a_layer():
    for module in MODULES:
        layer_of(module)


def test_no_upward_import():
    bad = []
    for module, found in GRAPH.items():
        rank, layer = layer_of(module)
        for target, line, _, _ in found:
            dep = resolve(target, KNOWN)
            if dep is None or dep == module:
                continue
            dep_rank, dep_layer = layer_of(dep)
            sibling = layer in SIBLINGS and dep_layer in SIBLINGS and layer != dep_layer
            if dep_layer == "demo" and module in DEMO_CALLERS:
                continue   # the CLI's `demo` and `replay` commands
            if dep_rank > rank or sibling:
                bad.append(f"{MODULES[module].relative_to(ROOT)}:{line}: {layer} imports {dep} ({dep_layer})")
    assert not bad, "upward or sideways imports:\n" + "\n".join(bad)


def test_no_import_cycle():
    edges = {m: {d for t, *_ in found if (d := resolve(t, KNOWN)) and d != m} for m, found in GRAPH.items()}
    # a package's __init__ importing its own submodules is not a cycle of meaning
    for m in edges:
        edges[m] = {d for d in edges[m] if not (d.startswith(m + ".") and MODULES[m].name == "__init__.py")}
    cycles, state, stack = [], {}, []

    def walk(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for d in sorted(edges[m]):
            if state.get(d) == 1:
                cycles.append(" -> ".join(stack[stack.index(d):] + [d]))
            elif d not in state:
                walk(d)
        stack.pop()
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            walk(m)
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_derivation_is_pure():
    bad = [f"{MODULES[m].relative_to(ROOT)}:{line}: {t}"
           for m, found in GRAPH.items() if m.startswith(PURE)
           for t, line, _, _ in found if t.startswith(PURE_FORBIDDEN)]
    assert not bad, "the pure derivation touches I/O:\n" + "\n".join(bad)


def test_core_never_imports_the_demo_room():
    bad = [f"{MODULES[m].relative_to(ROOT)}:{line}: {t}"
           for m, found in GRAPH.items() if not m.startswith("pipeline.demo") and m not in DEMO_CALLERS
           for t, line, _, _ in found if t == "pipeline.demo" or t.startswith("pipeline.demo.")]
    assert not bad, "\n".join(bad)


def test_imports_inside_functions_say_why():
    """Deferred imports are for a fast `frtrack --help` (or the daemon's isolation); each says so."""
    bad = [f"{MODULES[m].relative_to(ROOT)}:{line}: {text.strip()}"
           for m, found in GRAPH.items() for t, line, inner, text in found
           if inner and "# lazy:" not in text]
    assert not bad, "imports inside functions without a '# lazy: reason' comment:\n" + "\n".join(bad)


@pytest.mark.parametrize("module", ["parsers.errors", "parsers.model", "parsers.lifecycle"])
def test_domain_modules_import_only_the_domain(module):
    rank, _ = layer_of(module)
    for target, line, _, _ in GRAPH[module]:
        dep = resolve(target, KNOWN)
        assert dep is None or layer_of(dep)[0] == rank, f"{module}:{line} imports {dep}"
