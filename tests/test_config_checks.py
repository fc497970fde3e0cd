"""Issue 13: one config checker, run at load by every command, naming the key in a natural sentence.

Each case was accepted (or crashed with an internal error) before; each is now a
ConfigError whose one line reads ``FILE: KEY: what is wrong``.
"""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from parsers.errors import ConfigError
from pipeline.cli import cli
from pipeline.config import Recipient, load_settings


def _load_error(tmp_path, text: str | bytes) -> ConfigError:
    path = tmp_path / "frtrack.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(path, environ={})
    assert "\n" not in str(err.value)
    assert str(err.value).startswith(f"{path}: ")
    assert "config key" not in str(err.value) and "(file)" not in str(err.value)
    return err.value


@pytest.mark.parametrize("text, key, problem", [
    ('[schedule]\nfetch = "every day"\n', "schedule.fetch", "'every day' is not a crontab line"),
    ('[schedule]\ndigest = "mondays"\n', "schedule.digest", "'mondays' is not a crontab line"),
    ('[schedule]\nfetch = "off"\ntimezone = "Mars/Olympus"\n', "schedule.timezone",
     "unknown time zone 'Mars/Olympus'"),
    ('[watch]\ncfr = [{ title = 15, parts = "774-730" }]\n', "watch.cfr[0].parts", "ascending range"),
    ('[watch]\nitar_cfr = [{ title = 22, parts = "0" }]\n', "watch.itar_cfr[0].parts", "ascending range"),
    ('[watch]\ndocument_types = ["RULES"]\n', "watch.document_types[0]", "unknown document type 'RULES'"),
    ('[sources]\nfr_api_base = "ftp://x"\n', "sources.fr_api_base", "expected an http:// or https:// URL"),
    ('[sources]\necfr_api_base = "www.ecfr.gov/api"\n', "sources.ecfr_api_base", "http:// or https://"),
    ('[digest]\nwindow_days = 0\n', "digest.window_days", "must be more than zero, got 0"),
    ('[sources]\ntimeout = -1\n', "sources.timeout", "must be more than zero, got -1"),
    ('[sources]\nconnect_timeout = 0\n', "sources.connect_timeout", "must be more than zero"),
    ('[sources]\nmax_retries = -2\n', "sources.max_retries", "must be zero or more, got -2"),
    ('[sources]\nper_page = 5000\n', "sources.per_page", "at most 1000"),
    ('[smtp]\ntimeout = -5\n', "smtp.timeout", "must be more than zero"),
    ('[smtp]\nport = 70000\n', "smtp.port", "expected a port 1-65535"),
    ('[smtp]\nsender = "frtrack at example.com"\n', "smtp.sender", "not an email address"),
    ('[[recipients]]\nemail = "analyst@@example.com"\n', "recipients[0].email", "not an email address"),
    ('[[recipients]]\nemail = "a@b.c"\n[[recipients]]\nemail = "Analyst <x@y.z>"\n', "recipients[1].email",
     "not an email address"),
    ('[[recipients]]\nemail = "a@b.c"\ngroups = ["Z:9"]\n', "recipients[0].groups",
     "unknown country group 'Z:9' (valid: A:1, A:2, A:3, A:4, A:5, A:6, B, D:1, D:2, D:3, D:4, D:5, E:1, E:2)"),
    ('[[recipients]]\nemail = "a@b.c"\ncfr_parts = ["part 740"]\n', "recipients[0].cfr_parts[0]",
     "expected a part number"),
])
def test_values_the_types_cannot_check(tmp_path, text, key, problem):
    err = _load_error(tmp_path, text)
    assert err.key == key
    assert f": {key}: " in str(err)
    assert problem in str(err)


def test_env_override_is_checked_and_named(tmp_path):
    path = tmp_path / "frtrack.toml"
    path.write_text("", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(path, environ={"FRTRACK_FR_API_BASE": "localhost:8765/api/v1"})
    assert "sources.fr_api_base (from $FRTRACK_FR_API_BASE)" in str(err.value)


def test_file_level_errors_read_naturally(tmp_path):
    err = _load_error(tmp_path, "[digest]\nsite_url = \"caf\xe9\"\n".encode("latin-1"))
    assert err.key is None
    assert "not UTF-8 text (byte 0xe9 at offset" in str(err) and "save the config as UTF-8" in str(err)
    with pytest.raises(ConfigError) as missing:
        load_settings(tmp_path / "absent.toml", environ={})
    assert str(missing.value) == f"{tmp_path / 'absent.toml'}: config file not found"


def test_watchlist_groups_are_normalized(tmp_path):
    path = tmp_path / "frtrack.toml"
    path.write_text('[[recipients]]\nemail = "a@b.c"\ngroups = ["d5", "D: 1", "b", "E:2"]\n', encoding="utf-8")
    assert load_settings(path, environ={}).recipients == (
        Recipient(email="a@b.c", groups=("D:5", "D:1", "B", "E:2")),)


def test_watchlist_countries_resolve_to_the_ear_name(tmp_path):
    path = tmp_path / "frtrack.toml"
    path.write_text('[[recipients]]\nemail = "a@b.c"\ncountries = ["Myanmar", "cambodia"]\n', encoding="utf-8")
    assert load_settings(path, environ={}).recipients[0].countries == ("Burma", "Cambodia")


def test_watchlist_unknown_country_is_refused_at_load_naming_the_key(tmp_path):
    err = _load_error(tmp_path, '[[recipients]]\nemail = "a@b.c"\ncountries = ["Cambodia", "Atlantis"]\n')
    assert err.key == "recipients[0].countries"
    assert "unknown country 'Atlantis'" in str(err)


@pytest.mark.parametrize("command", [
    ["changes"], ["groups", "Cambodia"], ["history", "Cambodia"], ["status"], ["site", "--out", "out"],
    ["digest", "--out", "d.eml"], ["run"], ["reparse"], ["init", "--path", "new.toml"], ["schedule"],
])
def test_every_command_checks_the_config_it_is_given(tmp_path, seeded_db_path, command):
    bad = tmp_path / "bad.toml"
    bad.write_text('[schedule]\nfetch = "every day"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", str(seeded_db_path), "--config", str(bad), *command])
    assert result.exit_code == 2, result.output
    assert result.stderr == (f"frtrack: error: {bad}: schedule.fetch: 'every day' is not a crontab line "
                             "('min hour day month weekday'), 'interval:SECONDS' or 'off': "
                             "Wrong number of fields; got 2, expected 5\n")
    assert not (tmp_path / "out").exists() and not (tmp_path / "d.eml").exists()
    assert not (tmp_path / "new.toml").exists()


@pytest.mark.parametrize("command", [["changes"], ["groups", "Cambodia"], ["status"], ["history", "Cambodia"]])
def test_a_named_config_that_does_not_exist_is_an_error(tmp_path, seeded_db_path, command):
    result = CliRunner().invoke(cli, ["--db", str(seeded_db_path), "--config", "/nonexistent.toml", *command])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "frtrack: error: /nonexistent.toml: config file not found\n"
