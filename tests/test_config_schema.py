"""The config schema is written once (the dataclasses of pipeline/config.py and their field metadata).

The loader's checks, the example file ``frtrack init`` writes and the README's
configuration table are all made from it; these tests fail when one of them
drifts from the dataclasses, or when a key is added without its help text.
"""
from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest

from parsers.errors import ConfigError
from pipeline import config
from pipeline.config import EXAMPLE_CONFIG, Settings, load_settings, settings_from_dict

README = Path(__file__).resolve().parents[1] / "README.md"


def _section_classes():
    return {f.name: f.type for f in dataclasses.fields(Settings) if f.name not in ("path", "recipients")}


def test_every_key_has_help_text():
    """A key added to a dataclass without saying what it is for fails here (and so never reaches the docs blank)."""
    keys = config.schema_keys()
    assert keys, "no keys found"
    assert [k.name for k in keys if not k.help.strip()] == []
    names = [k.name for k in keys]
    assert len(names) == len(set(names))
    # every field of every section and of a recipient is a key; nothing else is
    expected = {f"{section}.{f.name}" for section, cls in
                {s: type(getattr(Settings(), s)) for s in _section_classes()}.items()
                for f in dataclasses.fields(cls)}
    expected |= {f"recipients[].{f.name}" for f in dataclasses.fields(config.Recipient)}
    assert set(names) == expected


def test_the_example_file_is_made_from_the_schema(tmp_path):
    """Every key appears in the example with its default, after its help text."""
    assert EXAMPLE_CONFIG == config.example_config()
    raw = tomllib.loads(EXAMPLE_CONFIG)
    defaults = Settings()
    for section in _section_classes():
        assert set(raw[section]) == {f.name for f in dataclasses.fields(getattr(defaults, section))}, section
    assert "recipients" not in raw                 # the recipient example is commented out
    for key in config.schema_keys():
        first_line = key.help.split("\n")[0]
        assert first_line[:40] in " ".join(line.lstrip("# ") for line in EXAMPLE_CONFIG.splitlines()), key.name
    path = tmp_path / "frtrack.toml"
    path.write_text(EXAMPLE_CONFIG, encoding="utf-8")
    assert load_settings(path, environ={}) == Settings(path=str(path))


def test_the_commented_recipient_example_loads():
    """Uncommenting the example recipient gives a valid config (its example values pass the checks)."""
    lines = EXAMPLE_CONFIG.splitlines()
    start = lines.index("# [[recipients]]")
    block = []
    for line in lines[start:]:
        if not line.startswith("# ") or line.startswith("#  "):
            break
        block.append(line[2:])
    s = settings_from_dict(tomllib.loads("\n".join(block)), environ={})
    [r] = s.recipients
    assert r.email == "analyst@example.com" and r.groups and r.countries and r.webhook


def _readme_table() -> str:
    text = README.read_text(encoding="utf-8")
    begin, end = config.README_BEGIN, config.README_END
    assert text.count(begin) == 1 and text.count(end) == 1, "the README's config table markers are missing"
    return text[text.index(begin) + len(begin):text.index(end)].strip("\n")


def test_readme_table_is_exactly_the_generated_one():
    """Edit pipeline/config.py, then run `python -m pipeline.config --update-readme`."""
    assert _readme_table() == config.readme_table().strip("\n")


def test_update_readme_rewrites_only_the_table(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# title\n\nbefore\n\n{config.README_BEGIN}\n| stale |\n{config.README_END}\n\nafter\n",
                      encoding="utf-8")
    assert config.main(["--update-readme", str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# title\n\nbefore\n\n") and text.endswith(f"{config.README_END}\n\nafter\n")
    assert "| stale |" not in text and config.readme_table().strip("\n") in text
    assert config.main(["--check-readme", str(readme)]) == 0
    readme.write_text(text.replace("| `watch.since`", "| `watch.sinc`"), encoding="utf-8")
    assert config.main(["--check-readme", str(readme)]) == 1


def test_readme_table_names_every_key_with_its_default_and_checks():
    table = config.readme_table()
    for key in config.schema_keys():
        assert f"| `{key.name}` |" in table, key.name
    assert "| `sources.timeout` | `30.0` |" in table
    assert "more than zero" in _row(table, "sources.timeout")
    assert "IANA time zone" in _row(table, "schedule.timezone")
    assert "crontab" in _row(table, "schedule.fetch")
    assert "http:// or https:// URL" in _row(table, "sources.fr_api_base")
    assert "FRTRACK_FR_API_BASE" in _row(table, "sources.fr_api_base")
    assert "required" in _row(table, "recipients[].email")


def _row(table: str, key: str) -> str:
    [row] = [line for line in table.splitlines() if line.startswith(f"| `{key}` |")]
    return row


def _wrong_value(hint) -> object:
    """A TOML value of the wrong type for a field annotated ``hint``."""
    return {bool: "yes", int: "5", float: "5", str: 5}.get(hint, 5)


@pytest.mark.parametrize("key", [k.name for k in config.schema_keys()])
def test_every_key_is_type_checked_naming_it(key):
    k = next(k for k in config.schema_keys() if k.name == key)
    value = _wrong_value(k.hint)
    if key.startswith("recipients[]."):
        field = key.split(".", 1)[1]
        raw = {"recipients": [{"email": "a@example.com", field: value}]}
        named = f"recipients[0].{field}"
    else:
        section, field = key.split(".")
        raw = {section: {field: value}}
        named = key
    with pytest.raises(ConfigError) as err:
        settings_from_dict(raw, "frtrack.toml", environ={})
    assert err.value.key == named and err.value.problem.startswith("expected "), str(err.value)


def test_smtp_from_is_refused_naming_the_key_to_use():
    """`smtp.from` was once an alias of `smtp.sender`; nothing reads it, so a config using it is told what to write."""
    with pytest.raises(ConfigError) as err:
        settings_from_dict({"smtp": {"from": "frtrack@example.com"}}, "frtrack.toml", environ={})
    assert err.value.key == "smtp.from"
    assert str(err.value) == "frtrack.toml: smtp.from: renamed: write smtp.sender instead"


def test_the_script_prints_the_example_and_the_table(capsys):
    assert config.main(["--example"]) == 0
    assert capsys.readouterr().out == EXAMPLE_CONFIG
    assert config.main(["--table"]) == 0
    assert capsys.readouterr().out == config.readme_table()
