"""Configuration: every key optional, defaults documented by the example, errors name the key."""
from __future__ import annotations

import os
import stat
import tomllib

import pytest

from parsers.errors import ConfigError
from pipeline.config import (
    DEFAULT_ECFR_API_BASE,
    DEFAULT_FR_API_BASE,
    EXAMPLE_CONFIG,
    CfrRange,
    Recipient,
    Settings,
    Smtp,
    Tracked,
    load_settings,
    settings_from_dict,
    write_example,
)


def _write(tmp_path, text: str, name: str = "frtrack.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path, text: str) -> ConfigError:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_settings(path, environ={})
    assert str(path) in str(err.value)           # every error names the file
    assert "\n" not in str(err.value)            # and is one line for the CLI
    return err.value


def test_defaults_without_a_file():
    settings = load_settings(None, environ={})
    assert settings == Settings()
    assert settings.sources.fr_api_base == DEFAULT_FR_API_BASE == "https://www.federalregister.gov/api/v1"
    assert settings.sources.ecfr_api_base == DEFAULT_ECFR_API_BASE == "https://www.ecfr.gov/api/versioner/v1"
    assert settings.watch.agencies == ("industry-and-security-bureau",)
    assert settings.watch.cfr == (CfrRange(15, "730-774"),)
    assert settings.watch.cfr[0].first_last == (730, 774)
    assert settings.watch.itar_cfr == (CfrRange(22, "120-130"),)
    assert settings.recipients == ()


def test_empty_file_is_the_defaults(tmp_path):
    path = _write(tmp_path, "")
    assert load_settings(path, environ={}) == Settings(path=str(path))


def test_example_config_parses_to_the_defaults(tmp_path):
    """The example documents the defaults: if one drifts, this fails."""
    path = _write(tmp_path, EXAMPLE_CONFIG)
    assert load_settings(path, environ={}) == Settings(path=str(path))
    # And it covers every key of every section (the README reference mirrors it).
    raw = tomllib.loads(EXAMPLE_CONFIG)
    defaults = Settings()
    for section in ("watch", "sources", "schedule", "smtp", "digest", "output"):
        fields = set(vars(getattr(defaults, section)))
        assert set(raw[section]) == fields, section


def test_env_overrides_api_bases(tmp_path):
    path = _write(tmp_path, '[sources]\nfr_api_base = "https://file.invalid/api/v1"\n')
    settings = load_settings(path, environ={"FRTRACK_FR_API_BASE": "http://127.0.0.1:8765/api/v1/",
                                            "FRTRACK_ECFR_API_BASE": "http://127.0.0.1:8766/api/versioner/v1"})
    assert settings.sources.fr_api_base == "http://127.0.0.1:8765/api/v1"      # trailing slash dropped
    assert settings.sources.ecfr_api_base == "http://127.0.0.1:8766/api/versioner/v1"
    assert load_settings(path, environ={}).sources.fr_api_base == "https://file.invalid/api/v1"
    assert load_settings(None, environ={"FRTRACK_ECFR_API_BASE": "http://h/e"}).sources.ecfr_api_base == "http://h/e"


def test_env_override_uses_process_environment_by_default(monkeypatch):
    monkeypatch.setenv("FRTRACK_FR_API_BASE", "http://127.0.0.1:9/api/v1")
    assert load_settings(None).sources.fr_api_base == "http://127.0.0.1:9/api/v1"


def test_values_from_the_file(tmp_path):
    path = _write(tmp_path, """
[watch]
agencies = ["industry-and-security-bureau", "state-department"]
cfr = [{ title = 15, parts = "740" }]
tracked = [{ title = 15, part = "740", kind = "country_groups", appendix = "Supplement No. 1 to Part 740" }]
[sources]
timeout = 5
max_retries = 2
[smtp]
host = "127.0.0.1"
port = 2525
security = "plain"
""")
    s = load_settings(path, environ={})
    assert s.watch.agencies == ("industry-and-security-bureau", "state-department")
    assert s.watch.cfr == (CfrRange(15, "740"),) and s.watch.cfr[0].first_last == (740, 740)
    assert s.watch.tracked == (Tracked(15, "740", "country_groups", appendix="Supplement No. 1 to Part 740"),)
    assert s.watch.tracked[0].key == "15 CFR Supplement No. 1 to Part 740"
    assert s.sources.timeout == 5.0 and isinstance(s.sources.timeout, float)
    assert s.sources.max_retries == 2
    assert (s.smtp.host, s.smtp.port, s.smtp.security) == ("127.0.0.1", 2525, "plain")
    assert s.schedule == Settings().schedule


def test_unknown_section(tmp_path):
    err = _error(tmp_path, "[sourcez]\ntimeout = 3\n")
    assert err.key == "sourcez"
    assert "unknown section" in str(err) and "sources" in str(err)


def test_unknown_key_names_it(tmp_path):
    err = _error(tmp_path, "[sources]\ntimeoutt = 3\n")
    assert err.key == "sources.timeoutt"
    assert ": sources.timeoutt: " in str(err)
    assert "unknown key" in str(err) and "timeout" in str(err)   # and lists what is known


@pytest.mark.parametrize("text, key, problem", [
    ('[sources]\nmax_retries = "5"\n', "sources.max_retries", "expected an integer, got str '5'"),
    ("[sources]\nmax_retries = true\n", "sources.max_retries", "got a boolean"),
    ("[sources]\ntimeout = false\n", "sources.timeout", "got a boolean"),
    ("[sources]\nmax_retries = 2.5\n", "sources.max_retries", "expected an integer"),
    ("[smtp]\nport = \"25\"\n", "smtp.port", "expected an integer"),
    ('[watch]\npublic_inspection = "yes"\n', "watch.public_inspection", "expected true/false"),
    ('[watch]\nagencies = "industry-and-security-bureau"\n', "watch.agencies", "expected a list"),
    ('[watch]\nagencies = ["industry-and-security-bureau", 7]\n', "watch.agencies[1]", "expected a string"),
    ('[watch]\ncfr = [{ title = "15", parts = "730-774" }]\n', "watch.cfr[0].title", "expected an integer"),
    ('[watch]\ncfr = [{ title = 15 }]\n', "watch.cfr[0].parts", "is required"),
    ('[watch]\ncfr = [{ title = 15, parts = "seven" }]\n', "watch.cfr[0].parts", "expected '730' or '730-774'"),
    ('[watch]\ntracked = [{ title = 15, part = "740", kind = "other" }]\n', "watch.tracked[0].kind",
     "expected 'country_groups', 'itar_126_1', '744.21', '744.22' or 'entity_list'"),
    ('sources = 3\n', "sources", "expected a table"),
    ('[smtp]\nsecurity = "ssl"\n', "smtp.security", "expected 'starttls', 'tls' or 'plain'"),
])
def test_wrong_types_name_the_key(tmp_path, text, key, problem):
    err = _error(tmp_path, text)
    assert err.key == key
    assert f": {key}: " in str(err)      # "FILE: KEY: problem", read as a sentence
    assert problem in str(err)


def test_recipients_with_watchlists(tmp_path):
    path = _write(tmp_path, """
[[recipients]]
email = "analyst@example.com"
name = "Export analyst"
countries = ["Cambodia", "Russia"]
groups = ["D:5", "E:1"]
cfr_parts = ["740"]
document_types = ["RULE"]

[[recipients]]
email = "everything@example.com"
""")
    assert load_settings(path, environ={}).recipients == (
        Recipient(email="analyst@example.com", name="Export analyst", countries=("Cambodia", "Russia"),
                  groups=("D:5", "E:1"), cfr_parts=("740",), document_types=("RULE",)),
        Recipient(email="everything@example.com"),
    )


def test_recipient_errors(tmp_path):
    assert _error(tmp_path, '[[recipients]]\nname = "No address"\n').key == "recipients[0].email"
    assert "is required" in str(_error(tmp_path, '[[recipients]]\nname = "No address"\n'))
    assert _error(tmp_path, '[[recipients]]\nemail = "a@b.c"\ncountries = [1]\n').key == "recipients[0].countries[0]"
    assert _error(tmp_path, '[[recipients]]\nemail = "a@b.c"\nemial = "x"\n').key == "recipients[0].emial"
    assert _error(tmp_path, 'recipients = "a@b.c"\n').key == "recipients"


def test_invalid_toml_names_the_file(tmp_path):
    path = _write(tmp_path, "[sources\ntimeout = 3\n", name="broken.toml")
    with pytest.raises(ConfigError) as err:
        load_settings(path, environ={})
    assert str(path) in str(err.value) and "not valid TOML" in str(err.value)


def test_missing_file_names_the_file(tmp_path):
    path = tmp_path / "nowhere" / "frtrack.toml"
    with pytest.raises(ConfigError) as err:
        load_settings(path, environ={})
    assert str(path) in str(err.value) and "file not found" in str(err.value)
    assert err.value.exit_code == 2


def test_write_example_is_owner_only_and_loads(tmp_path):
    path = write_example(tmp_path / "etc" / "frtrack.toml")
    assert path.read_text(encoding="utf-8") == EXAMPLE_CONFIG
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_settings(path, environ={}) == Settings(path=str(path))


def test_write_example_refuses_to_overwrite(tmp_path):
    path = tmp_path / "frtrack.toml"
    path.write_text("# mine\n", encoding="utf-8")
    os.chmod(path, 0o644)
    with pytest.raises(ConfigError) as err:
        write_example(path)
    assert str(path) in str(err.value) and "--force" in str(err.value)
    assert path.read_text(encoding="utf-8") == "# mine\n"
    write_example(path, force=True)
    assert path.read_text(encoding="utf-8") == EXAMPLE_CONFIG
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600   # tightened even when it existed


def test_smtp_password_only_from_env(tmp_path, monkeypatch):
    err = _error(tmp_path, '[smtp]\npassword = "hunter2"\n')
    assert err.key == "smtp.password"
    assert "unknown key" in str(err) and "password_env" in str(err)
    assert "password" not in vars(Smtp())     # a property reading the env, never a stored field
    path = _write(tmp_path, '[smtp]\npassword_env = "MY_SMTP_SECRET"\n')
    smtp = load_settings(path, environ={}).smtp
    monkeypatch.delenv("MY_SMTP_SECRET", raising=False)
    assert smtp.password is None
    monkeypatch.setenv("MY_SMTP_SECRET", "s3cret")
    assert smtp.password == "s3cret"
    assert "s3cret" not in repr(smtp)
    monkeypatch.setenv("FRTRACK_SMTP_PASSWORD", "default-var")
    assert Smtp().password == "default-var"


def test_settings_are_frozen():
    with pytest.raises(AttributeError):
        Settings().sources.timeout = 1.0  # type: ignore[misc]


def test_settings_from_dict_accepts_parsed_toml():
    s = settings_from_dict({"digest": {"window_days": 14, "send_empty": False}}, None, environ={})
    assert (s.digest.window_days, s.digest.send_empty) == (14, False)


def test_watch_since_accepts_a_toml_date_or_a_string(tmp_path):
    assert load_settings(_write(tmp_path, "[watch]\nsince = 2022-03-04\n"), environ={}).watch.since == "2022-03-04"
    assert load_settings(_write(tmp_path, '[watch]\nsince = "2022-03-04"\n'), environ={}).watch.since == "2022-03-04"


@pytest.mark.parametrize("value", ['"2022-13-01"', '"last week"', "2022-03-04T05:06:07"])
def test_watch_since_must_be_a_date(tmp_path, value):
    err = _error(tmp_path, f"[watch]\nsince = {value}\n")
    assert err.key == "watch.since" and "expected a date YYYY-MM-DD" in str(err)
