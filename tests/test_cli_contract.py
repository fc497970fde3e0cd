"""The CLI contract: commands, options, exit codes and the JSON shapes scripts rely on.

Run through click's CliRunner against real SQLite files.
"""
from __future__ import annotations

import importlib
import json
import logging
import os
import re
import stat
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from parsers.errors import UsageError
from pipeline import cli as cli_module
from pipeline.cli import cli
from pipeline.config import EXAMPLE_CONFIG

REPO = Path(__file__).resolve().parents[1]

# Issue 2's command list, plus reparse (DESIGN.md: re-derive from stored raw bytes) and browse.
COMMANDS = ["init", "run", "status", "changes", "groups", "history", "parse", "digest", "site",
            "schedule", "demo", "replay", "reparse", "browse"]

# Issue 5's keys, then issue 15's "list" (Entity List rows add "entity" and "detail").
CHANGE_KEYS = ["country", "group", "action", "effective_date", "status", "fr_document", "citation",
               "publication_date", "ecfr_version", "list"]


def invoke(args: list[str], env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


@pytest.fixture
def extra_command():
    """Register a throw-away command on the real group for one test, then remove it."""
    added: list[str] = []

    def add(command: click.Command) -> None:
        cli.add_command(command)
        added.append(command.name)

    yield add
    for name in added:
        cli.commands.pop(name, None)


# --- commands and help ---------------------------------------------------------------------


def test_every_contract_command_exists():
    missing = [c for c in COMMANDS if c not in cli.commands]
    assert missing == []


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command):
    result = invoke([command, "--help"])
    assert result.exit_code == 0, result.output
    # An "Example:" heading followed by a command line that runs this command.
    assert re.search(rf"Examples?:\s*\n\s+frtrack\b[^\n]*\s{command}\b", result.output), result.output
    assert result.output.startswith("Usage: ")


def test_top_level_help_lists_every_command():
    result = invoke(["--help"])
    assert result.exit_code == 0
    assert "Example" in result.output
    for command in COMMANDS:
        assert re.search(rf"^\s+{command}\s", result.output, re.M), command


def test_global_options():
    options = {opt: p for p in cli.params for opt in p.opts}
    assert {"--config", "--db", "-v", "--verbose", "--quiet"} <= set(options)
    assert options["--config"].envvar == "FRTRACK_CONFIG"
    assert options["--db"].envvar == "FRTRACK_DB"
    assert options["--db"].default == "./frtrack.db"
    assert options["-v"].count


# --- errors ----------------------------------------------------------------------------


def test_internal_error_is_one_line_without_traceback(extra_command, tmp_path, monkeypatch):
    (tmp_path / "frtrack_broken_for_tests.py").write_text("import no_such_dependency_xyz\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))

    @click.command("broken-for-tests")
    def broken():
        importlib.import_module("frtrack_broken_for_tests")

    extra_command(broken)
    result = invoke(["broken-for-tests"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "internal error: ModuleNotFoundError" in result.stderr and "run with -v" in result.stderr
    assert "Traceback" not in result.output


def test_verbose_logs_the_traceback(extra_command, caplog):
    @click.command("fails-for-tests")
    def fails():
        raise UsageError("a deliberate usage error for tests")

    extra_command(fails)
    with caplog.at_level(logging.ERROR, logger="frtrack"):
        result = invoke(["-v", "fails-for-tests"])
    assert result.exit_code == 2
    assert any(r.exc_info and r.exc_info[0] is UsageError for r in caplog.records)


def test_config_error_exits_2_with_one_line_naming_the_key(extra_command, tmp_path):
    @click.command("settings-for-tests")
    @cli_module.pass_ctx
    def show(c):
        click.echo(c.settings.sources.timeout)

    extra_command(show)
    config = tmp_path / "bad.toml"
    config.write_text("[sources]\ntimeoutt = 3\n", encoding="utf-8")
    result = invoke(["--config", str(config), "settings-for-tests"])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"frtrack: error: {config}: sources.timeoutt: unknown key")
    assert "Traceback" not in result.output
    # FRTRACK_CONFIG is the same option.
    result = invoke(["settings-for-tests"], env={"FRTRACK_CONFIG": str(config)})
    assert result.exit_code == 2 and ": sources.timeoutt: " in result.stderr
    config.write_text("[sources]\ntimeout = 3\n", encoding="utf-8")
    result = invoke(["settings-for-tests"], env={"FRTRACK_CONFIG": str(config)})
    assert (result.exit_code, result.stdout) == (0, "3.0\n")


def test_missing_config_file_exits_2(extra_command, tmp_path):
    @click.command("settings-for-tests")
    @cli_module.pass_ctx
    def show(c):
        _ = c.settings

    extra_command(show)
    result = invoke(["--config", str(tmp_path / "absent.toml"), "settings-for-tests"])
    assert result.exit_code == 2
    assert "absent.toml" in result.stderr and "file not found" in result.stderr


# --- init -------------------------------------------------------------------------------------


def test_init_writes_config_and_db(tmp_path):
    result = invoke(["--db", "data.db", "init", "--path", "conf/frtrack.toml"])
    assert result.exit_code == 0, result.output
    config, db = tmp_path / "conf" / "frtrack.toml", tmp_path / "data.db"
    assert config.read_text(encoding="utf-8") == EXAMPLE_CONFIG
    assert stat.S_IMODE(os.stat(config).st_mode) == 0o600
    from store.db import open_db
    assert "changes" in open_db(db).table_names()
    assert "conf/frtrack.toml" in result.stdout and "data.db" in result.stdout


def test_init_defaults_and_refuses_to_overwrite(tmp_path):
    assert invoke(["init"]).exit_code == 0
    assert (tmp_path / "frtrack.toml").exists() and (tmp_path / "frtrack.db").exists()
    (tmp_path / "frtrack.toml").write_text("# edited\n", encoding="utf-8")
    result = invoke(["init"])
    assert result.exit_code == 2
    assert "already exists" in result.stderr and "--force" in result.stderr
    assert (tmp_path / "frtrack.toml").read_text(encoding="utf-8") == "# edited\n"
    assert invoke(["init", "--force"]).exit_code == 0
    assert (tmp_path / "frtrack.toml").read_text(encoding="utf-8") == EXAMPLE_CONFIG


def test_quiet_init_prints_nothing():
    result = invoke(["--quiet", "init"])
    assert (result.exit_code, result.stdout) == (0, "")


# --- read commands over the seeded database -------------------------------------------------


def test_groups_json(seeded_db_path):
    result = invoke(["--db", str(seeded_db_path), "groups", "Cambodia", "--as-of", "2023-06-01", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"country": "Cambodia", "as_of": "2023-06-01",
                                         "groups": ["B", "D:1", "D:3", "D:5"], "history_starts": "2021-01-04",
                                         "data_through": "2026-02-23", "notes": []}


def test_groups_resolves_spelling_and_text_output(seeded_db_path):
    result = invoke(["--db", str(seeded_db_path), "groups", "cambodia", "--as-of", "2026-02-20"])
    assert (result.exit_code, result.stdout) == (0, "Cambodia on 2026-02-20: B, D:1, D:3\n")
    result = invoke(["--db", str(seeded_db_path), "groups", "Cyprus", "--as-of", "2026-02-20"])
    assert result.stdout == "Cyprus on 2026-02-20: A:3, A:4, B\n"
    result = invoke(["--db", str(seeded_db_path), "groups", "Palau", "--as-of", "2026-02-20"])
    assert result.stdout == "Palau on 2026-02-20: no country group on record\n"   # a country, inside the history
    result = invoke(["--db", str(seeded_db_path), "groups", "Atlantis", "--as-of", "2026-03-01"])
    assert (result.exit_code, result.stdout) == (2, "")                           # no country: not "no group"
    assert result.stderr.startswith("frtrack: error: unknown country 'Atlantis'")


def test_groups_defaults_to_today_from_the_clock(seeded_db_path):
    result = invoke(["--db", str(seeded_db_path), "groups", "Cambodia", "--json"],
                    env={"FRTRACK_TODAY": "2023-06-01"})
    assert json.loads(result.stdout)["as_of"] == "2023-06-01"
    assert json.loads(result.stdout)["groups"] == ["B", "D:1", "D:3", "D:5"]


def test_frtrack_db_env_is_honoured(seeded_db_path):
    result = invoke(["groups", "Cambodia", "--as-of", "2023-06-01", "--json"],
                    env={"FRTRACK_DB": str(seeded_db_path)})
    assert json.loads(result.stdout)["groups"] == ["B", "D:1", "D:3", "D:5"]
    assert not Path("frtrack.db").exists()       # the default ./frtrack.db was not created


def test_default_db_is_in_the_working_directory(tmp_path, seeded_db_path):
    result = invoke(["groups", "Cambodia", "--as-of", "2023-06-01", "--json"])
    assert result.exit_code == 2 and "no database at ./frtrack.db" in result.stderr   # issue 13: never created
    assert not (tmp_path / "frtrack.db").exists()
    (tmp_path / "frtrack.db").write_bytes(seeded_db_path.read_bytes())
    assert json.loads(invoke(["groups", "Cambodia", "--as-of", "2023-06-01", "--json"]).stdout)["groups"] == [
        "B", "D:1", "D:3", "D:5"]


@pytest.mark.parametrize("bad", ["2023-13-01", "yesterday", "01/06/2023"])
def test_groups_bad_date_is_a_usage_error(seeded_db_path, bad):
    result = invoke(["--db", str(seeded_db_path), "groups", "Cambodia", "--as-of", bad])
    assert result.exit_code == 2
    assert "expected a date YYYY-MM-DD" in result.stderr and bad in result.stderr
    assert "Traceback" not in result.output


def test_changes_json_shape(seeded_db_path):
    result = invoke(["--db", str(seeded_db_path), "changes", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 9
    assert all(list(r) == CHANGE_KEYS for r in rows)
    assert rows[0] == {"country": "Cambodia", "group": "D:5", "action": "added", "effective_date": "2021-12-09",
                       "status": "confirmed", "fr_document": "2021-26633", "citation": "86 FR 70015",
                       "publication_date": "2021-12-09", "ecfr_version": "2021-12-09", "list": "country_groups"}
    dates = [r["effective_date"] for r in rows]
    assert dates == sorted(dates)


def test_changes_filters(seeded_db_path):
    def countries(*args):
        result = invoke(["--db", str(seeded_db_path), "changes", "--json", *args])
        assert result.exit_code == 0, result.output
        return [r["country"] for r in json.loads(result.stdout)]

    assert countries("--country", "CAMBODIA") == ["Cambodia", "Cambodia"]
    assert countries("--group", "d:5", "--since", "2024-01-01") == ["Nicaragua", "Cyprus", "Cambodia", "Laos"]
    assert countries("--since", "2026-02-04") == ["Venezuela", "Laos"]
    assert countries("--country", "Palau") == []
    assert invoke(["--db", str(seeded_db_path), "changes", "--country", "Atlantis"]).exit_code == 2
    assert invoke(["--db", str(seeded_db_path), "changes", "--since", "soon"]).exit_code == 2


def test_changes_text(seeded_db_path):
    result = invoke(["--db", str(seeded_db_path), "changes", "--country", "Cambodia"])
    assert result.stdout.splitlines() == [
        "2021-12-09  Cambodia: added to D:5  [confirmed]  FR Doc. 2021-26633 (86 FR 70015)",
        "2026-02-03  Cambodia: removed from D:5  [confirmed]  FR Doc. 2026-02262",
    ]


def test_history_json_oldest_first(seeded_db_path):
    result = invoke(["--db", str(seeded_db_path), "history", "cambodia", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["country"], r["action"], r["effective_date"], r["fr_document"]) for r in rows] == [
        ("Cambodia", "added", "2021-12-09", "2021-26633"),
        ("Cambodia", "removed", "2026-02-03", "2026-02262"),
    ]
    assert all(list(r) == CHANGE_KEYS for r in rows)


def test_history_of_a_country_without_changes_and_of_no_country(seeded_db_path):
    result = invoke(["--db", str(seeded_db_path), "history", "Palau"])
    assert (result.exit_code, result.stdout) == (0, "no changes on record for Palau\n")
    assert json.loads(invoke(["--db", str(seeded_db_path), "history", "Palau", "--json"]).stdout) == []
    result = invoke(["--db", str(seeded_db_path), "history", "Atlantis"])
    assert (result.exit_code, result.stdout) == (2, "")


def test_newer_db_is_refused_by_the_cli(seeded_db_path):
    from store.db import open_db
    db = open_db(seeded_db_path)
    db["_sqlite_migrations"].insert({"migration_set": "frtrack", "name": "m999_from_the_future",
                                     "applied_at": "2030-01-01"})
    db.close()
    result = invoke(["--db", str(seeded_db_path), "changes"])
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and "upgrade frtrack" in result.stderr


def test_db_that_is_not_sqlite_is_one_line(tmp_path):
    (tmp_path / "frtrack.toml").write_text(EXAMPLE_CONFIG, encoding="utf-8")
    result = invoke(["--db", "frtrack.toml", "changes"])
    assert result.exit_code == 1
    assert result.stderr == "frtrack: error: frtrack.toml: not an SQLite database (file is not a database)\n"


def test_digest_without_out_or_send_is_a_usage_error():
    result = invoke(["digest"])
    assert result.exit_code == 2 and "give --out FILE.eml or --send" in result.stderr


# --- README -----------------------------------------------------------------------------------


def test_readme_documents_every_command():
    readme = REPO / "README.md"
    text = readme.read_text(encoding="utf-8")
    undocumented = [name for name in sorted(cli.commands) if f"frtrack {name}" not in text]
    assert undocumented == []
    for option in ("--config", "--db", "FRTRACK_CONFIG", "FRTRACK_DB"):
        assert option in text, option


def test_readme_config_reference_names_every_key():
    """The README's config table is the one made from pipeline/config.py's schema (tests/test_config_schema.py)."""
    from pathlib import Path

    from pipeline.config import readme_table, schema_keys
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert readme_table() in readme
    assert [k.name for k in schema_keys() if f"| `{k.name}` |" not in readme] == []


def test_tests_cannot_reach_the_internet():
    """The conftest guard: a non-loopback connection fails at once (the fetchers only ever see 127.0.0.1)."""
    import socket

    import pytest
    with pytest.raises(OSError, match="only to servers on 127.0.0.1"):
        socket.create_connection(("93.184.216.34", 443), timeout=1)
