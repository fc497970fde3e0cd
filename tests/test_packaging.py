"""A NON-editable ``pip install .`` works: the console script, ``init`` and templates from the wheel.

An editable install hides packaging mistakes (a package or data file left out
of pyproject still imports from the working tree), so this test builds and
installs a copy of the repo into a fresh venv, offline, and runs it from a
folder that is not the repo.

The venv borrows the running environment's third-party packages through a
``.pth`` path line (not ``--system-site-packages``: under ``make test`` the
running environment is ``.venv``, not the system). Path lines in a ``.pth``
do not run the host's own ``.pth`` hooks, so the host's editable frtrack
cannot leak in; the test checks that every module comes from the venv.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from pipeline.config import EXAMPLE_CONFIG

REPO = Path(__file__).resolve().parents[1]

# Not needed to build the wheel; skipping them keeps the copy small and clean.
IGNORE = shutil.ignore_patterns(".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__",
                                ".pytest_cache", ".hypothesis", "demo-out", "*.db", "*.db-wal", "*.db-shm",
                                "tests", "benchmarks")
# Renders every template with no data, from whatever loader ``env`` has; shared by the
# snippet run in the venv and by the test itself (over the source copy) so both agree.
RENDER = r"""
import jinja2

def make_env(loader=None):
    try:
        from pipeline.publish.render import environment
        env = environment()
    except ImportError:
        env = jinja2.Environment(loader=jinja2.PackageLoader("templates", "."))
    if loader is not None:
        env.loader = loader
    env.undefined = jinja2.ChainableUndefined     # no data: missing values render empty
    return env

def render_all(env):
    out = {}
    for name in sorted(env.list_templates(filter_func=lambda n: n.endswith((".txt", ".html", ".xml")))):
        template = env.get_template(name)        # compiles: syntax and filter names are checked
        try:
            out[name] = {"ok": True, "text": template.render()}
        except Exception as exc:                 # a template that needs real data to render
            out[name] = {"ok": False, "error": type(exc).__name__}
    return out
"""

SNIPPET = RENDER + r"""
import importlib.metadata, importlib.resources, json, sys
import parsers, pipeline, pipeline.cli, store, templates

def files(package):
    root = importlib.resources.files(package)
    out, todo = [], [(root, "")]
    while todo:
        node, prefix = todo.pop()
        for child in node.iterdir():
            name = prefix + child.name
            if child.is_dir():
                if child.name != "__pycache__":
                    todo.append((child, name + "/"))
            elif not child.name.endswith((".py", ".pyc")):
                out.append(name)
    return sorted(out)

dist = importlib.metadata.distribution("frtrack")
print(json.dumps({
    "modules": {m.__name__: m.__file__ for m in (parsers, pipeline, pipeline.cli, store, templates)},
    "template_files": files("templates"),
    "demo_files": files("pipeline.demo.data"),
    "rendered": render_all(make_env()),
    "dist_files": [str(dist.locate_file(f)) for f in (dist.files or []) if f.name == "METADATA"],
    "direct_url": json.loads(dist.read_text("direct_url.json") or "{}"),
    "prefix": sys.prefix,
}))
"""


def _data_files(folder: Path) -> list[str]:
    """What the wheel must carry: every non-Python file under a package folder."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts)


def _run(args: list, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A copy of the repo, pip-installed (not editable) into a fresh venv, offline."""
    root = tmp_path_factory.mktemp("packaging")
    src = root / "src"
    shutil.copytree(REPO, src, ignore=IGNORE)
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV") and not k.startswith("FRTRACK_")}
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONNOUSERSITE="1")
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     root, env).stdout.strip())
    host = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site / "_frtrack_test_host.pth").write_text("".join(f"{p}\n" for p in host), encoding="utf-8")

    result = _run([python, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index", src],
                  root, env)
    if result.returncode != 0:
        hint = ""
        if "bdist_wheel" in result.stdout + result.stderr:
            hint = ("\nThe offline build needs setuptools' bdist_wheel: install the 'wheel' package "
                    "(or setuptools>=70.1) in the environment that runs the tests.")
        pytest.fail(f"pip install . failed (exit {result.returncode}):\n{result.stdout[-3000:]}\n"
                    f"{result.stderr[-3000:]}{hint}")
    work = root / "work"
    work.mkdir()
    return {"src": src, "venv": venv, "python": python, "site": site, "env": env, "work": work}


def test_installed_console_script_help(installed):
    result = _run([installed["venv"] / "bin" / "frtrack", "--help"], installed["work"], installed["env"])
    assert result.returncode == 0, result.stderr
    assert "Usage: frtrack" in result.stdout
    for command in ("init", "run", "status", "changes", "groups", "history", "parse", "digest", "site",
                    "schedule", "demo", "replay"):
        assert f"  {command} " in result.stdout, command
    version = _run([installed["venv"] / "bin" / "frtrack", "--version"], installed["work"], installed["env"])
    assert version.stdout.strip() == "frtrack, version 0.1.0"


def test_installed_init(installed):
    work = installed["work"]
    result = _run([installed["venv"] / "bin" / "frtrack", "--db", "x.db", "init", "--path", "x.toml"],
                  work, installed["env"])
    assert result.returncode == 0, result.stderr
    assert (work / "x.toml").read_text(encoding="utf-8") == EXAMPLE_CONFIG
    assert (work / "x.db").stat().st_size > 0


def test_installed_package_carries_its_modules_and_data(installed):
    result = _run([installed["python"], "-c", SNIPPET], installed["work"], installed["env"])
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    site = installed["site"].resolve()
    # Everything imports from the venv, not from the repo or the host's editable install.
    for name, path in report["modules"].items():
        assert Path(path).resolve().is_relative_to(site), f"{name} imported from {path}"
    assert report["direct_url"].get("dir_info", {}).get("editable") is not True
    assert all(Path(p).resolve().is_relative_to(site) for p in report["dist_files"])
    assert Path(report["prefix"]).resolve() == installed["venv"].resolve()
    # Every data file of templates/ and the bundled demo sample is in the wheel.
    src = installed["src"]
    assert report["template_files"] == _data_files(src / "templates")
    assert report["demo_files"] == _data_files(src / "pipeline" / "demo" / "data")


def test_installed_templates_render(installed):
    result = _run([installed["python"], "-c", SNIPPET], installed["work"], installed["env"])
    assert result.returncode == 0, result.stderr
    rendered = json.loads(result.stdout)["rendered"]
    templates_dir = installed["src"] / "templates"
    expected = sorted(n for n in _data_files(templates_dir) if n.endswith((".txt", ".html", ".xml")))
    assert expected, "no template file in templates/"
    assert sorted(rendered) == expected
    # The installed package renders exactly what the source templates render.
    namespace: dict = {}
    exec(RENDER, namespace)
    import jinja2
    from_source = namespace["render_all"](namespace["make_env"](jinja2.FileSystemLoader(templates_dir)))
    assert rendered == from_source
    ok = [name for name, r in rendered.items() if r["ok"] and r["text"].strip()]
    assert ok, f"no template rendered from the installed package: {rendered}"
