"""Configuration: a TOML file where every key is optional.

The schema is written once, as the dataclasses below. Each key is a field made
with ``setting(...)``, whose metadata says what it is for (``help``), the rules
its value must follow beyond its type (``checks``: a crontab that parses, an
IANA time zone, an http(s) URL, a positive number, an address, countries and
groups that exist), an ``example`` and an environment ``env`` override. Three
things are made from it and nothing else:

- the loader, ``settings_from_dict``: unknown keys and wrong types are refused
  naming the key, then each key's checks run in field order. Every command
  loads its config here, so a mistake is refused (exit 2) before anything runs;
- ``EXAMPLE_CONFIG``, the commented file ``frtrack init`` writes;
- the README's configuration table (``python -m pipeline.config
  --update-readme``; a test fails when the README holds another table).

Secrets never live in the file: the SMTP password is read from the environment
variable the file names.

Why no msgspec, cattrs or pydantic: the error wording ("FILE: KEY: problem",
"unknown key (known: ...)", "expected an integer, got str '5'") is a contract
the CLI tests hold, and each library words its own errors, so we would parse
them back into ours; the checks that matter (crontab, time zone, country
names) are ours either way. The walk over the dataclasses below is shorter than
that glue and adds no dependency.
"""
from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import os
import re
import sys
import textwrap
import tomllib
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from parsers import countries
from parsers.errors import ConfigError, UnknownCountryError, UnknownGroupError
from parsers.model import ListKind, normalize_group_code
from pipeline.triggers import parse_trigger

DEFAULT_FR_API_BASE = "https://www.federalregister.gov/api/v1"
DEFAULT_ECFR_API_BASE = "https://www.ecfr.gov/api/versioner/v1"
DEFAULT_GOVINFO_BASE = "https://www.govinfo.gov"
DOCUMENT_TYPES = ("RULE", "PRORULE", "NOTICE", "PRESDOCU")
# the API's display names, which the digest also accepts in a watchlist
_DOC_TYPE_NAMES = ("rule", "proposed rule", "notice", "presidential document", "correction")
# What a recipient's ``alerts`` list may name: a change status moving there, or a review item.
ALERT_KINDS = ("announced", "published", "in_effect", "confirmed", "contradicted", "unattributed", "review")
# Every list a tracked unit can read (``pipeline.derive.units.REGISTRY`` has one unit per kind; a test holds them equal).
TRACKED_KINDS = tuple(k.value for k in ListKind)
SMTP_SECURITY = ("starttls", "tls", "plain")


# --- checks: what a value must be beyond its TOML type -------------------------------------------


@dataclass(frozen=True)
class Table:
    """What a check may look at besides its value: the file, and the table's keys checked so far."""

    path: str | None
    values: dict[str, Any]


@dataclass(frozen=True)
class Check:
    """A rule for one key's value; ``run(value, key, table)`` returns the value to keep or raises ConfigError.

    ``says`` is the rule in a few words, shown in the README's "accepted" column
    ("" for a pure normalization nobody needs to read about).
    """

    says: str
    run: Callable[[Any, str, Table], Any]
    choices: tuple[str, ...] = ()     # the whole set of values allowed, when there is one (for the example file)


def _check(says: str, choices: tuple[str, ...] = ()) -> Callable[[Callable[[Any, str, Table], Any]], Check]:
    return lambda run: Check(says, run, choices)


def _or(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def one_of(*choices: str) -> Check:
    def run(value: str, key: str, table: Table) -> str:
        if value not in choices:
            raise ConfigError(key, f"expected {_or([repr(c) for c in choices])}, got {value!r}", table.path)
        return value
    return Check(_or([f"`{c}`" for c in choices]), run, choices)


def each(check: Check) -> Check:
    """``check`` on every item of a list, naming the item (``key[2]``)."""
    return Check(f"each {check.says}",
                 lambda items, key, table: tuple(check.run(v, f"{key}[{i}]", table) for i, v in enumerate(items)),
                 check.choices)


def empty_or(check: Check) -> Check:
    return Check(f"empty, or {check.says}", lambda v, key, table: check.run(v, key, table) if v else v)


def at_least(minimum: int) -> Check:
    def run(value: int, key: str, table: Table) -> int:
        if value < minimum:
            raise ConfigError(key, f"must be at least {minimum:g}, got {value:g}", table.path)
        return value
    return Check(f"at least {minimum}", run)


@_check("more than zero")
def positive(value: float, key: str, table: Table) -> float:
    if not value > 0:
        raise ConfigError(key, f"must be more than zero, got {value:g}", table.path)
    return value


@_check("zero or more")
def zero_or_more(value: float, key: str, table: Table) -> float:
    if value < 0:
        raise ConfigError(key, f"must be zero or more, got {value:g}", table.path)
    return value


@_check("http:// or https:// URL")
def http_url(value: str, key: str, table: Table) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(key, f"expected an http:// or https:// URL, got {value!r}", table.path)
    return value


@_check("")
def no_trailing_slash(value: str, key: str, table: Table) -> str:
    return value.rstrip("/")


@_check("an IANA time zone such as `America/New_York`")
def time_zone(value: str, key: str, table: Table) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(key, f"unknown time zone {value!r} (an IANA name such as 'America/New_York')",
                          table.path) from None
    return value


@_check("a crontab line (`min hour day month weekday`, in `schedule.timezone`), `interval:SECONDS` or `off`")
def crontab(value: str, key: str, table: Table) -> str:
    parse_trigger(value, table.values["timezone"], key, table.path)
    return value


def parse_poll_window(value: str, key: str = "schedule.poll_window", path: str | None = None) -> tuple[time, time]:
    """"08:30-18:00" -> (time(8, 30), time(18, 0)); ConfigError naming ``key`` otherwise."""
    start, sep, end = value.partition("-")
    try:
        if not sep:
            raise ValueError(value)
        lo, hi = time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
    except ValueError:
        raise ConfigError(key, f"expected a local time range such as '08:30-18:00', got {value!r}", path) from None
    if hi <= lo:
        raise ConfigError(key, f"the window must end after it starts, got {value!r}", path)
    return lo, hi


@_check("a local time range `HH:MM-HH:MM` that ends after it starts")
def time_window(value: str, key: str, table: Table) -> str:
    parse_poll_window(value, key, table.path)
    return value


@_check("`YYYY-MM-DD`, a TOML date or quoted")
def iso_date(value: str | date, key: str, table: Table) -> str:
    # TOML has a date literal (since = 2021-01-01): accept it as well as the quoted form.
    try:
        if isinstance(value, date) and type(value) is not date:   # a TOML date-time
            raise ValueError(value)
        return (value if isinstance(value, date) else date.fromisoformat(value)).isoformat()
    except ValueError:
        raise ConfigError(key, f"expected a date YYYY-MM-DD, got {value!r}", table.path) from None


# local@domain: no spaces, no second @, no characters that break a header or an SMTP envelope.
_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$")


@_check("an address `local@domain` (no display name)")
def email_address(value: str, key: str, table: Table) -> str:
    if not _EMAIL.match(value):
        raise ConfigError(key, f"not an email address: {value!r}", table.path)
    return value


@_check("`1`-`65535`")
def port_number(value: int, key: str, table: Table) -> int:
    if not 1 <= value <= 65535:
        raise ConfigError(key, f"expected a port 1-65535, got {value}", table.path)
    return value


@_check("at most `1000` (the Federal Register API's largest page)")
def fr_page_size(value: int, key: str, table: Table) -> int:
    if value > 1000:
        raise ConfigError(key, f"the Federal Register API returns at most 1000 per page, got {value}", table.path)
    return value


@_check("a part or an ascending range such as `730-774`")
def part_range(value: str, key: str, table: Table) -> str:
    lo, _, hi = value.partition("-")
    try:
        first, last = int(lo), int(hi or lo)
    except ValueError:
        raise ConfigError(key, f"expected '730' or '730-774', got {value!r}", table.path) from None
    if first < 1 or last < first:
        raise ConfigError(key, f"expected a part or an ascending range such as '730-774', got {value!r}", table.path)
    return value


@_check("a part number such as `740`")
def part_number(value: str, key: str, table: Table) -> str:
    if not value.strip().isdigit():
        raise ConfigError(key, f"expected a part number such as '740', got {value!r}", table.path)
    return value


@_check(_or([f"`{t}`" for t in DOCUMENT_TYPES]), DOCUMENT_TYPES)
def fr_document_type(value: str, key: str, table: Table) -> str:
    if value.upper() not in DOCUMENT_TYPES:
        raise ConfigError(key, f"unknown document type {value!r} (known: {', '.join(DOCUMENT_TYPES)})", table.path)
    return value


@_check(f"{', '.join(f'`{t}`' for t in DOCUMENT_TYPES)}, `CORRECT`, or the API's names (`Proposed Rule`)")
def watched_document_type(value: str, key: str, table: Table) -> str:
    if value.strip().upper() not in (*DOCUMENT_TYPES, "CORRECT") and value.strip().lower() not in _DOC_TYPE_NAMES:
        raise ConfigError(key, f"unknown document type {value!r} (known: {', '.join(DOCUMENT_TYPES)}, CORRECT)",
                          table.path)
    return value


@_check(_or([f"`{k}`" for k in ALERT_KINDS]), ALERT_KINDS)
def alert_kind(value: str, key: str, table: Table) -> str:
    if value not in ALERT_KINDS:
        raise ConfigError(key, f"unknown alert {value!r} (known: {', '.join(ALERT_KINDS)})", table.path)
    return value


@_check("country names; an alias is read as the EAR's name (`Myanmar` watches Burma), an unknown one refused")
def country_names(names: tuple[str, ...], key: str, table: Table) -> tuple[str, ...]:
    out = []
    for name in names:
        try:
            out.append(countries.lookup(name).name)
        except UnknownCountryError as exc:
            raise ConfigError(key, str(exc), table.path) from None
    return tuple(out)


@_check("Country Group codes such as `D:5` (`d5` is read as D:5), an unknown one refused")
def group_codes(codes: tuple[str, ...], key: str, table: Table) -> tuple[str, ...]:
    out = []
    for code in codes:
        try:
            out.append(normalize_group_code(code))
        except UnknownGroupError as exc:
            raise ConfigError(key, str(exc), table.path) from None
    return tuple(out)


@_check("`false` only with a `webhook` (or `alerts = []`)")
def email_or_webhook(value: bool, key: str, table: Table) -> bool:
    if not value and not table.values["webhook"] and table.values["alerts"]:
        raise ConfigError(key, "is false but no webhook is set: give a webhook, or alerts = [] for no instant alerts",
                          table.path)
    return value


# --- the schema ----------------------------------------------------------------------------------


def setting(default: Any = dataclasses.MISSING, help: str = "", *, checks: Sequence[Check] = (),
            example: Any = dataclasses.MISSING, env: str | None = None, accepts: tuple[type, ...] | None = None,
            shown: str | None = None, formerly: tuple[str, ...] = ()) -> Any:
    """A config key: a dataclass field (no default: required) with what the docs and the loader need.

    ``accepts`` widens the TOML types read (a date literal for a string key);
    ``shown`` replaces a long default in the README; ``formerly`` lists old
    names that are refused with the new one named.
    """
    return field(default=default, metadata={"help": help, "checks": tuple(checks), "example": example, "env": env,
                                            "accepts": accepts, "shown": shown, "formerly": formerly})


@dataclass(frozen=True)
class CfrRange:
    """A CFR title and a part range ("730-774" or "740")."""

    title: int = setting(help="CFR title")
    parts: str = setting(help="part or part range", checks=(part_range,))

    @property
    def first_last(self) -> tuple[int, int]:
        lo, _, hi = self.parts.partition("-")
        return int(lo), int(hi or lo)


@dataclass(frozen=True)
class Tracked:
    """An eCFR unit whose every version we fetch and parse."""

    title: int = setting(help="CFR title")
    part: str = setting(help="CFR part")
    kind: str = setting(help="which parser reads it", checks=(one_of(*TRACKED_KINDS),))
    appendix: str | None = setting(None, "the appendix, e.g. Supplement No. 1 to Part 740")
    section: str | None = setting(None, "the section, e.g. 126.1")

    @property
    def key(self) -> str:
        return f"{self.title} CFR {self.appendix or self.section or self.part}"


@dataclass(frozen=True)
class Watch:
    """What to fetch: Federal Register documents by agency, type and CFR range, and eCFR units."""

    agencies: tuple[str, ...] = setting(("industry-and-security-bureau",), "federalregister.gov agency slugs")
    document_types: tuple[str, ...] = setting(("RULE",), "FR document types", checks=(each(fr_document_type),))
    cfr: tuple[CfrRange, ...] = setting((CfrRange(15, "730-774"),), "CFR title and part range(s) a document must touch")
    itar_agencies: tuple[str, ...] = setting(("state-department",), "the ITAR watch (for the D:5 vs 126.1 check): "
                                             "agency slugs")
    itar_cfr: tuple[CfrRange, ...] = setting((CfrRange(22, "120-130"),), "the ITAR watch: CFR range(s)")
    since: str = setting("2021-01-01", "first FR publication date fetched on an empty database; eCFR history starts "
                         "with the version in force that day", checks=(iso_date,), accepts=(str, date))
    public_inspection: bool = setting(True, "also fetch public-inspection documents (filed a business day before "
                                      "publication)")
    tracked: tuple[Tracked, ...] = setting(
        (Tracked(15, "740", "country_groups", appendix="Supplement No. 1 to Part 740"),
         Tracked(22, "126", "itar_126_1", section="126.1"),
         Tracked(15, "744", "744.21", section="744.21"),
         Tracked(15, "744", "744.22", section="744.22"),
         Tracked(15, "744", "entity_list", appendix="Supplement No. 4 to Part 744")),
        "eCFR units whose every version is fetched and parsed",
        shown="Supplement No. 1 to Part 740; 22 CFR 126.1; 15 CFR 744.21; 15 CFR 744.22; Supplement No. 4 to Part 744")


@dataclass(frozen=True)
class Sources:
    """Where and how politely to fetch."""

    fr_api_base: str = setting(DEFAULT_FR_API_BASE, "Federal Register API", checks=(no_trailing_slash, http_url),
                               env="FRTRACK_FR_API_BASE")
    ecfr_api_base: str = setting(DEFAULT_ECFR_API_BASE, "eCFR versioner API", checks=(no_trailing_slash, http_url),
                                 env="FRTRACK_ECFR_API_BASE")
    govinfo_base: str = setting(DEFAULT_GOVINFO_BASE, "govinfo, for bulk daily-issue XML",
                                checks=(no_trailing_slash, http_url), env="FRTRACK_GOVINFO_BASE")
    govinfo_fallback: bool = setting(False, "use govinfo bulk XML when federalregister.gov blocks us")
    timeout: float = setting(30.0, "seconds to wait for an answer (read timeout)", checks=(positive,))
    connect_timeout: float = setting(10.0, "seconds to wait for a connection: a dead host fails fast",
                                     checks=(positive,))
    api_rate: float = setting(5.0, "requests per second to an API host", checks=(zero_or_more,))
    download_rate: float = setting(1.0, "XML downloads per second", checks=(zero_or_more,))
    max_retries: int = setting(5, "retries of a failed request (exponential backoff with jitter)",
                               checks=(zero_or_more,))
    backoff_base: float = setting(1.0, "seconds before the first retry, doubled each time", checks=(zero_or_more,))
    max_retry_after: float = setting(120.0, "longest Retry-After we wait out, seconds", checks=(zero_or_more,))
    max_download_bytes: int = setting(50_000_000, "larger bodies are refused", checks=(positive,))
    per_page: int = setting(100, "FR search page size", checks=(positive, fr_page_size))
    user_agent: str = setting("frtrack/0.1 (+https://example.invalid/frtrack; export-control change tracker)",
                              "sent with every request; say who you are", shown="`frtrack/0.1 (...)`")


@dataclass(frozen=True)
class Schedule:
    """When `frtrack schedule` runs what. fetch, digest and poll each take a crontab line (minute hour day
    month weekday) in timezone, "interval:SECONDS" (tests, demos) or "off". Missed runs are coalesced into
    one if still within misfire_grace_seconds."""

    timezone: str = setting("America/New_York", "the time zone of the schedule lines", checks=(time_zone,))
    fetch: str = setting("0 6,12,18,23 * * mon-fri", "when to fetch and derive", checks=(crontab,))
    digest: str = setting("0 7 * * mon", "when to mail the digest", checks=(crontab,))
    misfire_grace_seconds: int = setting(3600, "a missed run still fires within this delay", checks=(zero_or_more,))
    poll: str = setting("*/10 * * * *", "public-inspection poll for instant alerts; it only fires inside "
                        "poll_window on federal business days (an idle poll is one request)", checks=(crontab,))
    poll_window: str = setting("08:30-18:00", "local time (in timezone) when the poll may fire",
                               checks=(time_window,))


@dataclass(frozen=True)
class Smtp:
    """The mail server for digests and alerts."""

    host: str = setting("localhost", "SMTP server")
    port: int = setting(25, "SMTP port", checks=(port_number,))
    security: str = setting("starttls", "starttls upgrades a plain connection, tls is implicit TLS, plain is neither",
                            checks=(one_of(*SMTP_SECURITY),))
    username: str = setting("", "login name; empty: no login")
    password_env: str = setting("FRTRACK_SMTP_PASSWORD", "the environment variable the password is read from "
                                "(never from this file)")
    sender: str = setting("frtrack@localhost", "the From address", checks=(email_address,), formerly=("from",))
    timeout: float = setting(30.0, "seconds", checks=(positive,))

    @property
    def password(self) -> str | None:
        return os.environ.get(self.password_env) or None


@dataclass(frozen=True)
class Digest:
    """The weekly digest mail."""

    window_days: int = setting(7, "the digest covers this many days before the run", checks=(positive,))
    send_empty: bool = setting(True, "false: no mail in a week without changes")
    list_unsubscribe: str = setting("", "URL for the List-Unsubscribe header")
    site_url: str = setting("", "where the HTML changelog is published, for links")


@dataclass(frozen=True)
class Output:
    """Where `frtrack site` and `frtrack digest` write."""

    site_dir: str = setting("site", "the static site's folder")
    digest_dir: str = setting("digests", "where digests are saved")


@dataclass(frozen=True)
class Alerts:
    """Instant alerts (pipeline/alerts.py): sent after each poll and scheduled run."""

    enabled: bool = setting(True, "send instant alerts")
    max_age_days: int = setting(7, "facts older than this (a backfill of history) are not alerted",
                                checks=(at_least(1),))
    retries: int = setting(2, "extra tries within one poll; the next poll tries again", checks=(zero_or_more,))
    retry_backoff: float = setting(1.0, "seconds before the first retry, doubled each retry", checks=(zero_or_more,))
    max_attempts: int = setting(20, "polls that may try one alert before it is abandoned (shown by status)",
                                checks=(at_least(1),))
    webhook_timeout: float = setting(10.0, "seconds, connect and read", checks=(positive,))


@dataclass(frozen=True)
class Recipient:
    """One person (or list) the digest and alerts go to; an empty watchlist means "everything"."""

    email: str = setting(help="where the digest and alerts go", checks=(email_address,),
                         example="analyst@example.com")
    name: str = setting("", "for the greeting", example="Export analyst")
    countries: tuple[str, ...] = setting((), "watchlist: countries", checks=(country_names,),
                                         example=("Cambodia", "Russia"))
    groups: tuple[str, ...] = setting((), "watchlist: Country Groups", checks=(group_codes,),
                                      example=("D:5", "E:1"))
    cfr_parts: tuple[str, ...] = setting((), "watchlist: CFR parts", checks=(each(part_number),), example=("740",))
    document_types: tuple[str, ...] = setting((), "watchlist: FR document types",
                                              checks=(each(watched_document_type),), example=("RULE",))
    alerts: tuple[str, ...] = setting(
        ("announced", "published", "contradicted", "unattributed", "review"),
        "instant alerts: the first alert about a change always goes out; later status moves only when listed "
        "here; a withdrawn filing sends a retraction to whoever was alerted; [] = none",
        checks=(each(alert_kind),))
    webhook: str = setting("", "instant alerts are also POSTed here as JSON with a \"text\" field (a chat tool's "
                           "incoming webhook)", checks=(empty_or(http_url),),
                           example="https://chat.example.com/hooks/abc")
    alert_email: bool = setting(True, "false: instant alerts only to the webhook", checks=(email_or_webhook,))


@dataclass(frozen=True)
class Settings:
    """The whole file: one ``[table]`` per section (its docstring heads it in the example), and the recipients."""

    watch: Watch = field(default_factory=Watch)
    sources: Sources = field(default_factory=Sources)
    schedule: Schedule = field(default_factory=Schedule)
    smtp: Smtp = field(default_factory=Smtp)
    digest: Digest = field(default_factory=Digest)
    output: Output = field(default_factory=Output)
    alerts: Alerts = field(default_factory=Alerts)
    recipients: tuple[Recipient, ...] = setting((), "one [[recipients]] table per recipient")
    path: str | None = field(default=None, metadata={"internal": "the file these settings were read from"})


# --- the loader: TOML document -> Settings, by walking the dataclasses ---------------------------


@functools.cache
def _fields(cls: type) -> dict[str, tuple[dataclasses.Field[Any], Any]]:
    """A dataclass's config keys, in order, with their resolved type hints."""
    hints = typing.get_type_hints(cls)
    return {f.name: (f, hints[f.name]) for f in dataclasses.fields(cls) if "internal" not in f.metadata}


def _optional_of(hint: Any) -> Any:
    """``str | None`` -> ``str`` (None is what an absent key means; TOML has no null)."""
    if isinstance(hint, types.UnionType):
        [inner] = [a for a in typing.get_args(hint) if a is not type(None)]
        return inner
    return hint


def _toml_types(hint: Any) -> tuple[type, ...]:
    if hint is float:
        return (int, float)
    if typing.get_origin(hint) is tuple:
        return (list,)
    return (hint,)


_TYPE_NAMES = {list: "a list", str: "a string", int: "an integer", float: "a number", bool: "true/false",
               date: "a date"}


def _expect(key: str, value: Any, expected: tuple[type, ...], path: str | None) -> None:
    names = " or ".join(_TYPE_NAMES.get(t, t.__name__) for t in expected)
    # bool is an int in Python; refuse it where a number is expected.
    if isinstance(value, bool) and bool not in expected:
        raise ConfigError(key, f"expected {names}, got a boolean", path)
    if not isinstance(value, expected):
        raise ConfigError(key, f"expected {names}, got {type(value).__name__} {value!r}", path)


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def _read(hint: Any, value: Any, key: str, path: str | None, env: Mapping[str, str],
          accepts: tuple[type, ...] | None = None) -> Any:
    """One value of TOML type-checked against ``hint``; tables become their dataclass, lists tuples."""
    hint = _optional_of(hint)
    if dataclasses.is_dataclass(hint):
        return _build(typing.cast(type, hint), value, key, path, env)
    _expect(key, value, accepts or _toml_types(hint), path)
    if typing.get_origin(hint) is tuple:
        item = typing.get_args(hint)[0]
        return tuple(_read(item, v, f"{key}[{i}]", path, env) for i, v in enumerate(value))
    return float(value) if hint is float else value


def _build(cls: type, raw: Any, key: str, path: str | None, env: Mapping[str, str]) -> Any:
    return cls(**_table(cls, raw, key, path, env))


def _table(cls: type, raw: Any, key: str, path: str | None, env: Mapping[str, str]) -> dict[str, Any]:
    """A TOML table read as ``cls``: unknown keys, types, required keys, then each key's checks in field order."""
    if not isinstance(raw, dict):
        raise ConfigError(key, f"expected a table, got {type(raw).__name__}", path)
    fields = _fields(cls)
    for name in raw:
        if name not in fields:
            _refuse_unknown(fields, key, name, path)
    values: dict[str, Any] = {}
    names: dict[str, str] = {}
    for name, (f, hint) in fields.items():
        names[name] = _join(key, name)
        var = f.metadata.get("env")
        if var and env.get(var):
            names[name] += f" (from ${var})"
            values[name] = _read(hint, env[var], names[name], path, env)
        elif name in raw:
            values[name] = _read(hint, raw[name], names[name], path, env, f.metadata.get("accepts"))
        elif dataclasses.is_dataclass(hint):   # an absent section still gets its env overrides and checks
            values[name] = _build(typing.cast(type, hint), {}, names[name], path, env)
    for name, (f, _) in fields.items():
        if name not in values and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ConfigError(names[name], "is required", path)
    table = Table(path, {})
    for name, (f, _) in fields.items():
        value = values[name] if name in values else _default(f)
        for check in f.metadata.get("checks", ()):
            value = check.run(value, names[name], table)
        table.values[name] = value
    return table.values


def _default(f: dataclasses.Field[Any]) -> Any:
    return f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default


def _refuse_unknown(fields: Mapping[str, tuple[dataclasses.Field[Any], Any]], key: str, name: str,
                    path: str | None) -> None:
    for new, (f, _) in fields.items():
        if name in f.metadata.get("formerly", ()):
            raise ConfigError(_join(key, name), f"renamed: write {_join(key, new)} instead", path)
    what = "unknown key" if key else "unknown section"
    raise ConfigError(_join(key, name), f"{what} (known: {', '.join(sorted(fields))})", path)


def settings_from_dict(raw: dict[str, Any], path: str | None = None,
                       environ: Mapping[str, str] | None = None) -> Settings:
    """Validate a parsed TOML document and build Settings; the environment's API bases win over the file's."""
    env = os.environ if environ is None else environ
    return Settings(**_table(Settings, raw, "", path, env), path=path)


def load_settings(path: str | os.PathLike[str] | None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read the TOML file at ``path`` (None: defaults only)."""
    if path is None:
        return settings_from_dict({}, None, environ)
    p = Path(path)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(None, "config file not found", str(p)) from None
    except IsADirectoryError:
        raise ConfigError(None, "is a folder, not a config file", str(p)) from None
    except PermissionError:
        raise ConfigError(None, "cannot read the config file: permission denied", str(p)) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(None, f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); "
                                "save the config as UTF-8", str(p)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(None, f"not valid TOML: {exc}", str(p)) from None
    return settings_from_dict(raw, str(p), environ)


# --- the docs: the example file and the README table, from the same fields -----------------------


@dataclass(frozen=True)
class Key:
    """One documented key: ``sources.timeout``, or ``recipients[].email`` for a key of each recipient."""

    name: str
    field: dataclasses.Field[Any]
    hint: Any

    @property
    def help(self) -> str:
        text = self.field.metadata["help"]
        var = self.field.metadata.get("env")
        return f"{text}; env {var} overrides it" if var else text

    @property
    def comment(self) -> str:
        """The help as the example file shows it: with the values allowed, when they are a fixed set."""
        choices = [c for check in self.field.metadata.get("checks", ()) for c in check.choices]
        return f"{self.help} ({' | '.join(choices)})" if choices else self.help

    @property
    def required(self) -> bool:
        return self.field.default is dataclasses.MISSING and self.field.default_factory is dataclasses.MISSING

    @property
    def default(self) -> Any:
        return _default(self.field)

    @property
    def example(self) -> Any:
        example = self.field.metadata.get("example", dataclasses.MISSING)
        return self.default if example is dataclasses.MISSING else example


def schema_keys() -> tuple[Key, ...]:
    """Every key a config file may set, in the order the docs show them."""
    keys = []
    for name, (_, hint) in _fields(Settings).items():
        if dataclasses.is_dataclass(hint):
            keys += [Key(f"{name}.{k}", f, h) for k, (f, h) in _fields(typing.cast(type, hint)).items()]
        else:   # the array of recipient tables
            item = typing.get_args(hint)[0]
            keys += [Key(f"{name}[].{k}", f, h) for k, (f, h) in _fields(item).items()]
    return tuple(keys)


def _toml(value: Any) -> str:
    """A value as TOML source, tables inline (``None`` fields left out: absent is how TOML says none)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)   # a JSON string is a TOML basic string
    if isinstance(value, tuple):
        return f"[{', '.join(_toml(v) for v in value)}]"
    if dataclasses.is_dataclass(value):
        pairs = [f"{f.name} = {_toml(getattr(value, f.name))}" for f in dataclasses.fields(value)
                 if getattr(value, f.name) is not None]
        return "{ " + ", ".join(pairs) + " }"
    raise TypeError(f"no TOML form for {value!r}")


_WIDTH = 100
_COMMENT_COLUMN = 31


def _key_lines(name: str, value: Any, help: str, prefix: str = "") -> list[str]:
    """``name = value``, its help as a trailing comment when it fits, else as comment lines above."""
    rendered = _toml(value)
    if isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]) and len(value) > 1:
        rendered = "[\n" + "".join(f"{prefix}  {_toml(v)},\n" for v in value) + f"{prefix}]"
    line = f"{prefix}{name} = {rendered}"
    trailing = f"{line:<{max(_COMMENT_COLUMN, len(line) + 2)}}# {help}"
    if "\n" not in rendered and len(trailing) <= _WIDTH:
        return [trailing]
    return [*_comment(help), *line.split("\n")]


def _comment(text: str) -> list[str]:
    return textwrap.wrap(" ".join(text.split()), _WIDTH, initial_indent="# ", subsequent_indent="# ")


def example_config() -> str:
    """The commented file ``frtrack init`` writes: every key at its default, with its help."""
    out = ["# frtrack configuration. Every key is optional; the values shown are the defaults.",
           "# (Made from pipeline/config.py, like the README's table: `python -m pipeline.config --example`.)"]
    recipient_keys = []
    for name, (_, hint) in _fields(Settings).items():
        if not dataclasses.is_dataclass(hint):
            recipient_keys = [k for k in schema_keys() if k.name.startswith(f"{name}[].")]
            continue
        cls = typing.cast(type, hint)
        out += ["", f"[{name}]", *_comment(cls.__doc__ or "")]
        for key_name, (kf, _) in _fields(cls).items():
            out += _key_lines(key_name, _default(kf), Key(key_name, kf, None).comment)
    out += ["", *_comment(f"One [[recipients]] table per recipient, none by default. {Recipient.__doc__} "
                          "Uncomment and edit:"),
            "# [[recipients]]"]
    width = max(len(k.name) for k in recipient_keys) - len("recipients[].")
    for k in recipient_keys:
        out.append(f"# {k.name.split('.', 1)[1]} = {_toml(k.example)}")
    out.append("#")
    for k in recipient_keys:
        short = k.name.split(".", 1)[1]
        text = ("required: " if k.required else "") + k.comment
        out += textwrap.wrap(text, _WIDTH, initial_indent=f"#   {short:<{width}}  ",
                             subsequent_indent="#   " + " " * (width + 2))
    return "\n".join(out) + "\n"


def _accepted(hint: Any, checks: Sequence[Check], accepts: tuple[type, ...] | None = None) -> str:
    """What a key takes, in words: its TOML type, then what its checks say."""
    hint = _optional_of(hint)
    item = typing.get_args(hint)[0] if typing.get_origin(hint) is tuple else None
    if item is not None and dataclasses.is_dataclass(item):
        parts = []
        for name, (f, h) in _fields(typing.cast(type, item)).items():
            opt = "" if f.default is dataclasses.MISSING else ", optional"
            parts.append(f"`{name}` ({_accepted(h, f.metadata.get('checks', ()))}{opt})")
        kind = "list of tables: " + ", ".join(parts)
    elif item is not None:
        kind = f"list of {_TYPE_NAMES[item][2:]}s"
    elif accepts:
        kind = " or ".join(_TYPE_NAMES[t].split(" ", 1)[1] for t in reversed(accepts))
    else:
        kind = {bool: "`true`/`false`", int: "integer", float: "number", str: "string"}[hint]
    says = [c.says for c in checks if c.says]
    return kind + (": " + "; ".join(says) if says else "")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def readme_table() -> str:
    """The README's configuration table (between README_BEGIN and README_END)."""
    rows = ["| key | default | accepted | meaning |", "|---|---|---|---|"]
    for k in schema_keys():
        shown = k.field.metadata.get("shown")
        default = "required" if k.required else shown if shown else f"`{_toml(k.default)}`"
        accepted = _accepted(k.hint, k.field.metadata.get("checks", ()), k.field.metadata.get("accepts"))
        rows.append(f"| `{k.name}` | {_cell(default)} | {_cell(accepted)} | {_cell(k.help)} |")
    return "\n".join(rows) + "\n"


README_BEGIN = "<!-- config table: made by `python -m pipeline.config --update-readme` from pipeline/config.py -->"
README_END = "<!-- end of config table -->"
_README = Path(__file__).resolve().parents[1] / "README.md"


def _with_table(text: str) -> str:
    start, end = text.index(README_BEGIN) + len(README_BEGIN), text.index(README_END)
    return f"{text[:start]}\n{readme_table()}{text[end:]}"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pipeline.config``: print the example or the table, or bring the README's table up to date."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.config", description=main.__doc__)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--example", action="store_true", help="print the example config")
    what.add_argument("--table", action="store_true", help="print the README's config table")
    what.add_argument("--update-readme", metavar="README", nargs="?", const=str(_README),
                      help="rewrite the table between the README's markers")
    what.add_argument("--check-readme", metavar="README", nargs="?", const=str(_README),
                      help="exit 1 if the README's table is not the generated one")
    args = parser.parse_args(argv)
    if args.example or args.table:
        sys.stdout.write(EXAMPLE_CONFIG if args.example else readme_table())
        return 0
    readme = Path(args.update_readme or args.check_readme)
    text = readme.read_text(encoding="utf-8")
    if README_BEGIN not in text or README_END not in text:
        print(f"{readme}: no config table markers ({README_BEGIN} ... {README_END})", file=sys.stderr)
        return 1
    if args.check_readme:
        if _with_table(text) != text:
            print(f"{readme}: the config table is out of date; run python -m pipeline.config --update-readme",
                  file=sys.stderr)
            return 1
        return 0
    readme.write_text(_with_table(text), encoding="utf-8")
    return 0


EXAMPLE_CONFIG = example_config()


def write_example(path: str | os.PathLike[str], force: bool = False) -> Path:
    """Write the commented example config, owner-only (it may later hold SMTP user names)."""
    p = Path(path)
    if p.exists() and not force:
        raise ConfigError(None, "already exists; use --force to overwrite", str(p))
    p.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(EXAMPLE_CONFIG)
    os.chmod(p, 0o600)
    return p


if __name__ == "__main__":
    sys.exit(main())
