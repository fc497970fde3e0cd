"""Configuration: a TOML file where every key is optional.

The schema below is the single source of truth: loading checks every key
against it (unknown keys and wrong types raise ConfigError naming the key),
then ``check_values`` checks what the types cannot say (a crontab that
parses, a time zone that exists, a URL frtrack can fetch, positive timeouts,
addresses, watchlist countries and groups that exist) — every command loads
the config through here, so a mistake is refused before anything runs.
``frtrack init`` writes ``EXAMPLE_CONFIG`` and the README's config reference
mirrors it. Secrets never live in the file: the SMTP password is read from the
environment variable the file names.
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from parsers.errors import ConfigError
from datetime import time
from urllib.parse import urlsplit
from pipeline.triggers import parse_trigger
from parsers import countries
from parsers.errors import UnknownCountryError
from parsers.errors import UnknownGroupError
from parsers.model import normalize_group_code
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_FR_API_BASE = "https://www.federalregister.gov/api/v1"
DEFAULT_ECFR_API_BASE = "https://www.ecfr.gov/api/versioner/v1"
DEFAULT_GOVINFO_BASE = "https://www.govinfo.gov"


@dataclass(frozen=True)
class CfrRange:
    """A CFR title and a part range ("730-774" or "740")."""

    title: int
    parts: str

    @property
    def first_last(self) -> tuple[int, int]:
        lo, _, hi = self.parts.partition("-")
        return int(lo), int(hi or lo)


@dataclass(frozen=True)
class Tracked:
    """An eCFR unit whose every version we fetch and parse."""

    title: int
    part: str
    kind: str                      # "country_groups" | "itar_126_1"
    appendix: str | None = None    # "Supplement No. 1 to Part 740"
    section: str | None = None     # "126.1"

    @property
    def key(self) -> str:
        return f"{self.title} CFR {self.appendix or self.section or self.part}"


@dataclass(frozen=True)
class Watch:
    agencies: tuple[str, ...] = ("industry-and-security-bureau",)
    document_types: tuple[str, ...] = ("RULE",)
    cfr: tuple[CfrRange, ...] = (CfrRange(15, "730-774"),)
    itar_agencies: tuple[str, ...] = ("state-department",)
    itar_cfr: tuple[CfrRange, ...] = (CfrRange(22, "120-130"),)
    since: str = "2021-01-01"
    public_inspection: bool = True
    tracked: tuple[Tracked, ...] = (
        Tracked(15, "740", "country_groups", appendix="Supplement No. 1 to Part 740"),
        Tracked(22, "126", "itar_126_1", section="126.1"),
    )


@dataclass(frozen=True)
class Sources:
    fr_api_base: str = DEFAULT_FR_API_BASE
    ecfr_api_base: str = DEFAULT_ECFR_API_BASE
    govinfo_base: str = DEFAULT_GOVINFO_BASE
    govinfo_fallback: bool = False
    timeout: float = 30.0          # seconds to wait for an answer (read timeout)
    connect_timeout: float = 10.0  # seconds to wait for a connection: a dead host fails fast
    api_rate: float = 5.0          # requests per second per API host
    download_rate: float = 1.0     # XML downloads per second
    max_retries: int = 5
    backoff_base: float = 1.0      # seconds; doubled each retry, with jitter
    max_retry_after: float = 120.0
    max_download_bytes: int = 50_000_000
    per_page: int = 100
    user_agent: str = "frtrack/0.1 (+https://example.invalid/frtrack; export-control change tracker)"


@dataclass(frozen=True)
class Schedule:
    timezone: str = "America/New_York"
    fetch: str = "0 6,12,18,23 * * mon-fri"
    digest: str = "0 7 * * mon"
    misfire_grace_seconds: int = 3600
    poll: str = "*/10 * * * *"           # public-inspection poll; it only fires inside poll_window
    poll_window: str = "08:30-18:00"     # local time (timezone above), federal business days only


@dataclass(frozen=True)
class Smtp:
    host: str = "localhost"
    port: int = 25
    security: str = "starttls"     # "starttls" | "tls" | "plain"
    username: str = ""
    password_env: str = "FRTRACK_SMTP_PASSWORD"
    sender: str = "frtrack@localhost"
    timeout: float = 30.0

    @property
    def password(self) -> str | None:
        return os.environ.get(self.password_env) or None


@dataclass(frozen=True)
class Digest:
    window_days: int = 7
    send_empty: bool = True
    list_unsubscribe: str = ""
    site_url: str = ""


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str = ""
    countries: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    cfr_parts: tuple[str, ...] = ()
    document_types: tuple[str, ...] = ()
    alerts: tuple[str, ...] = ("announced", "published", "contradicted", "unattributed", "review")
    webhook: str = ""              # instant alerts also POSTed here as JSON (a chat tool's incoming webhook)
    alert_email: bool = True       # false: instant alerts only to the webhook


# What a recipient's ``alerts`` list may name: a change status moving there, or a review item.
ALERT_KINDS = ("announced", "published", "in_effect", "confirmed", "contradicted", "unattributed", "review")


@dataclass(frozen=True)
class Alerts:
    """Instant alerts (``pipeline.alerts``): sent after each poll and scheduled run."""

    enabled: bool = True
    max_age_days: int = 7          # older facts (a backfill of history) are not news: no alert
    retries: int = 2               # extra tries within one poll; then the next poll tries again
    retry_backoff: float = 1.0     # seconds before the first retry, doubled each time
    max_attempts: int = 20         # polls that may try one alert before it is abandoned (shown by status)
    webhook_timeout: float = 10.0  # seconds, connect and read


def parse_poll_window(value: str, key: str = "schedule.poll_window", path: str | None = None):
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


def _check_alert_settings(settings: "Settings") -> None:
    """Values of the alert keys the types cannot check: kinds, webhook URLs, positive numbers."""
    path = settings.path
    parse_trigger(settings.schedule.poll, settings.schedule.timezone, "schedule.poll", path)
    parse_poll_window(settings.schedule.poll_window, path=path)
    a = settings.alerts
    for key, value, minimum in (("alerts.max_age_days", a.max_age_days, 1), ("alerts.retries", a.retries, 0),
                                ("alerts.retry_backoff", a.retry_backoff, 0), ("alerts.max_attempts", a.max_attempts, 1),
                                ("alerts.webhook_timeout", a.webhook_timeout, 0.001)):
        if value < minimum:
            raise ConfigError(key, f"must be at least {minimum:g}, got {value:g}", path)
    for i, r in enumerate(settings.recipients):
        for j, kind in enumerate(r.alerts):
            if kind not in ALERT_KINDS:
                raise ConfigError(f"recipients[{i}].alerts[{j}]",
                                  f"unknown alert {kind!r} (known: {', '.join(ALERT_KINDS)})", path)
        if r.webhook:
            parts = urlsplit(r.webhook)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ConfigError(f"recipients[{i}].webhook", f"expected an http:// or https:// URL, got {r.webhook!r}",
                                  path)
        elif not r.alert_email and r.alerts:
            raise ConfigError(f"recipients[{i}].alert_email",
                              "is false but no webhook is set: give a webhook, or alerts = [] for no instant alerts",
                              path)


@dataclass(frozen=True)
class Output:
    site_dir: str = "site"
    digest_dir: str = "digests"


@dataclass(frozen=True)
class Settings:
    watch: Watch = field(default_factory=Watch)
    sources: Sources = field(default_factory=Sources)
    schedule: Schedule = field(default_factory=Schedule)
    smtp: Smtp = field(default_factory=Smtp)
    digest: Digest = field(default_factory=Digest)
    recipients: tuple[Recipient, ...] = ()
    output: Output = field(default_factory=Output)
    path: str | None = None
    alerts: Alerts = field(default_factory=Alerts)


# key -> (type, python type check) per section; lists are checked per item.
_SCALARS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "watch": {"agencies": list, "document_types": list, "cfr": list, "itar_agencies": list,
              "itar_cfr": list, "since": (str, date), "public_inspection": bool, "tracked": list},
    "sources": {"fr_api_base": str, "ecfr_api_base": str, "govinfo_base": str,
                "govinfo_fallback": bool, "timeout": (int, float), "connect_timeout": (int, float),
                "api_rate": (int, float),
                "download_rate": (int, float), "max_retries": int, "backoff_base": (int, float),
                "max_retry_after": (int, float), "max_download_bytes": int, "per_page": int,
                "user_agent": str},
    "schedule": {"timezone": str, "fetch": str, "digest": str, "misfire_grace_seconds": int,
                 "poll": str, "poll_window": str},
    "smtp": {"host": str, "port": int, "security": str, "username": str, "password_env": str,
             "sender": str, "timeout": (int, float)},
    "digest": {"window_days": int, "send_empty": bool, "list_unsubscribe": str, "site_url": str},
    "output": {"site_dir": str, "digest_dir": str},
    "alerts": {"enabled": bool, "max_age_days": int, "retries": int, "retry_backoff": (int, float),
               "max_attempts": int, "webhook_timeout": (int, float)},
}
_RECIPIENT_KEYS = {"email": str, "name": str, "countries": list, "groups": list,
                   "cfr_parts": list, "document_types": list, "alerts": list, "webhook": str, "alert_email": bool}
_TRACKED_KEYS = {"title": int, "part": str, "kind": str, "appendix": str, "section": str}
_CFR_KEYS = {"title": int, "parts": str}
_TOP = set(_SCALARS) | {"recipients"}


def _check(key: str, value: Any, expected: type | tuple[type, ...], path: str | None) -> None:
    # bool is an int in Python; refuse it where a number is expected.
    if isinstance(value, bool) and expected is not bool and bool not in (
            expected if isinstance(expected, tuple) else (expected,)):
        raise ConfigError(key, f"expected {_tname(expected)}, got a boolean", path)
    if not isinstance(value, expected):
        raise ConfigError(key, f"expected {_tname(expected)}, got {type(value).__name__} {value!r}", path)


def _tname(t: type | tuple[type, ...]) -> str:
    names = {list: "a list", str: "a string", int: "an integer", float: "a number", bool: "true/false",
             date: "a date"}
    ts = t if isinstance(t, tuple) else (t,)
    return " or ".join(names.get(x, x.__name__) for x in ts)


def _table(key: str, raw: Any, schema: dict[str, Any], path: str | None,
           required: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ConfigError(key, f"expected a table, got {type(raw).__name__}", path)
    for k, v in raw.items():
        if k not in schema:
            raise ConfigError(f"{key}.{k}", f"unknown key (known: {', '.join(sorted(schema))})", path)
        _check(f"{key}.{k}", v, schema[k], path)
    for k in required:
        if k not in raw:
            raise ConfigError(f"{key}.{k}", "is required", path)
    return raw


def _strings(key: str, items: list[Any], path: str | None) -> tuple[str, ...]:
    for i, item in enumerate(items):
        _check(f"{key}[{i}]", item, str, path)
    return tuple(items)


def _cfr_list(key: str, items: list[Any], path: str | None) -> tuple[CfrRange, ...]:
    out = []
    for i, item in enumerate(items):
        t = _table(f"{key}[{i}]", item, _CFR_KEYS, path, required=("title", "parts"))
        rng = CfrRange(t["title"], t["parts"])
        try:
            rng.first_last
        except ValueError:
            raise ConfigError(f"{key}[{i}].parts", f"expected '730' or '730-774', got {t['parts']!r}", path)
        out.append(rng)
    return tuple(out)


def settings_from_dict(raw: dict[str, Any], path: str | None = None,
                       environ: dict[str, str] | None = None) -> Settings:
    """Validate a parsed TOML document and build Settings; env overrides last."""
    env = os.environ if environ is None else environ
    for k in raw:
        if k not in _TOP:
            raise ConfigError(k, f"unknown section (known: {', '.join(sorted(_TOP))})", path)
    sec = {name: _table(name, raw.get(name, {}), schema, path) for name, schema in _SCALARS.items()}

    w = dict(sec["watch"])
    if "since" in w:
        # TOML has a date literal (since = 2021-01-01): accept it as well as the quoted form.
        since = w["since"]
        try:
            if isinstance(since, date) and type(since) is not date:   # a TOML date-time
                raise ValueError(since)
            w["since"] = (since if isinstance(since, date) else date.fromisoformat(since)).isoformat()
        except ValueError:
            raise ConfigError("watch.since", f"expected a date YYYY-MM-DD, got {since!r}", path) from None
    for k in ("agencies", "document_types", "itar_agencies"):
        if k in w:
            w[k] = _strings(f"watch.{k}", w[k], path)
    for k in ("cfr", "itar_cfr"):
        if k in w:
            w[k] = _cfr_list(f"watch.{k}", w[k], path)
    if "tracked" in w:
        tracked = []
        for i, item in enumerate(w["tracked"]):
            t = _table(f"watch.tracked[{i}]", item, _TRACKED_KEYS, path, required=("title", "part", "kind"))
            if t["kind"] not in ("country_groups", "itar_126_1"):
                raise ConfigError(f"watch.tracked[{i}].kind", "expected 'country_groups' or 'itar_126_1'", path)
            tracked.append(Tracked(**t))
        w["tracked"] = tuple(tracked)

    s = dict(sec["sources"])
    for k in ("timeout", "connect_timeout", "api_rate", "download_rate", "backoff_base", "max_retry_after"):
        if k in s:
            s[k] = float(s[k])
    for k, var in _ENV_BASES.items():
        if env.get(var):
            s[k] = env[var]
    for k in _ENV_BASES:
        if k in s:
            s[k] = s[k].rstrip("/")

    m = dict(sec["smtp"])
    if "sender" not in m and "from" in raw.get("smtp", {}):
        m["sender"] = raw["smtp"]["from"]
    if m.get("security", "starttls") not in ("starttls", "tls", "plain"):
        raise ConfigError("smtp.security", "expected 'starttls', 'tls' or 'plain'", path)
    if "timeout" in m:
        m["timeout"] = float(m["timeout"])

    recipients = []
    raw_recipients = raw.get("recipients", [])
    _check("recipients", raw_recipients, list, path)
    for i, item in enumerate(raw_recipients):
        r = _table(f"recipients[{i}]", item, _RECIPIENT_KEYS, path, required=("email",))
        r = dict(r)
        for k in ("countries", "groups", "cfr_parts", "document_types", "alerts"):
            if k in r:
                r[k] = _strings(f"recipients[{i}].{k}", r[k], path)
        if "countries" in r:
            r["countries"] = _watch_countries(f"recipients[{i}].countries", r["countries"], path)
        if "groups" in r:
            r["groups"] = _watch_groups(f"recipients[{i}].groups", r["groups"], path)
        recipients.append(Recipient(**r))

    alerts = dict(sec["alerts"])
    for k in ("retry_backoff", "webhook_timeout"):
        if k in alerts:
            alerts[k] = float(alerts[k])
    settings = Settings(
        watch=Watch(**w), sources=Sources(**s), schedule=Schedule(**sec["schedule"]),
        smtp=Smtp(**m), digest=Digest(**sec["digest"]), recipients=tuple(recipients),
        output=Output(**sec["output"]), path=path, alerts=Alerts(**alerts),
    )
    check_values(settings, from_env={k: var for k, var in _ENV_BASES.items() if env.get(var)})
    _check_alert_settings(settings)
    return settings


_ENV_BASES = {"fr_api_base": "FRTRACK_FR_API_BASE", "ecfr_api_base": "FRTRACK_ECFR_API_BASE",
              "govinfo_base": "FRTRACK_GOVINFO_BASE"}
# local@domain: no spaces, no second @, no characters that break a header or an SMTP envelope.
_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$")
DOCUMENT_TYPES = ("RULE", "PRORULE", "NOTICE", "PRESDOCU")


def _watch_countries(key: str, names: tuple[str, ...], path: str | None) -> tuple[str, ...]:
    """Each watched country as frtrack's one name ("Myanmar" -> "Burma"); unknown ones refused."""
    out = []
    for name in names:
        try:
            out.append(countries.lookup(name).name)
        except UnknownCountryError as exc:
            raise ConfigError(key, str(exc), path) from None
    return tuple(out)


def _watch_groups(key: str, codes: tuple[str, ...], path: str | None) -> tuple[str, ...]:
    """Each watched group as its column code ("D5" -> "D:5"); unknown ones refused."""
    out = []
    for code in codes:
        try:
            out.append(normalize_group_code(code))
        except UnknownGroupError as exc:
            raise ConfigError(key, str(exc), path) from None
    return tuple(out)


def _positive(settings: Settings, path: str | None, *keys: str, zero_ok: bool = False) -> None:
    for key in keys:
        section, name = key.split(".")
        value = getattr(getattr(settings, section), name)
        if value < 0 or (value == 0 and not zero_ok):
            need = "zero or more" if zero_ok else "more than zero"
            raise ConfigError(key, f"must be {need}, got {value:g}", path)


def _url(key: str, value: str, path: str | None) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(key, f"expected an http:// or https:// URL, got {value!r}", path)


def check_values(settings: Settings, from_env: dict[str, str] | None = None) -> None:
    """What types cannot say: refuse values that would fail later, far from the config, naming the key."""

    path = settings.path
    from_env = from_env or {}
    for k in _ENV_BASES:
        key = f"sources.{k}" + (f" (from ${from_env[k]})" if k in from_env else "")
        _url(key, getattr(settings.sources, k), path)
    for i, rng in enumerate(settings.watch.cfr):
        _part_range(f"watch.cfr[{i}].parts", rng, path)
    for i, rng in enumerate(settings.watch.itar_cfr):
        _part_range(f"watch.itar_cfr[{i}].parts", rng, path)
    for i, t in enumerate(settings.watch.document_types):
        if t.upper() not in DOCUMENT_TYPES:
            raise ConfigError(f"watch.document_types[{i}]",
                              f"unknown document type {t!r} (known: {', '.join(DOCUMENT_TYPES)})", path)
    _positive(settings, path, "sources.timeout", "sources.connect_timeout", "sources.max_download_bytes",
              "sources.per_page", "smtp.timeout", "digest.window_days")
    _positive(settings, path, "sources.api_rate", "sources.download_rate", "sources.max_retries",
              "sources.backoff_base", "sources.max_retry_after", "schedule.misfire_grace_seconds", zero_ok=True)
    if settings.sources.per_page > 1000:
        raise ConfigError("sources.per_page", f"the Federal Register API returns at most 1000 per page, "
                                              f"got {settings.sources.per_page}", path)
    if not 1 <= settings.smtp.port <= 65535:
        raise ConfigError("smtp.port", f"expected a port 1-65535, got {settings.smtp.port}", path)
    try:
        ZoneInfo(settings.schedule.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("schedule.timezone", f"unknown time zone {settings.schedule.timezone!r} "
                                               "(an IANA name such as 'America/New_York')", path) from None
    parse_trigger(settings.schedule.fetch, settings.schedule.timezone, "schedule.fetch", path)
    parse_trigger(settings.schedule.digest, settings.schedule.timezone, "schedule.digest", path)
    if not _EMAIL.match(settings.smtp.sender):
        raise ConfigError("smtp.sender", f"not an email address: {settings.smtp.sender!r}", path)
    for i, r in enumerate(settings.recipients):
        if not _EMAIL.match(r.email):
            raise ConfigError(f"recipients[{i}].email", f"not an email address: {r.email!r}", path)
        for j, t in enumerate(r.document_types):
            if t.strip().upper() not in (*DOCUMENT_TYPES, "CORRECT") and t.strip().lower() not in _DOC_TYPE_NAMES:
                raise ConfigError(f"recipients[{i}].document_types[{j}]", f"unknown document type {t!r} "
                                  f"(known: {', '.join(DOCUMENT_TYPES)}, CORRECT)", path)
        for j, part in enumerate(r.cfr_parts):
            if not part.strip().isdigit():
                raise ConfigError(f"recipients[{i}].cfr_parts[{j}]", f"expected a part number such as '740', "
                                                                     f"got {part!r}", path)


# the API's display names, which the digest also accepts in a watchlist
_DOC_TYPE_NAMES = ("rule", "proposed rule", "notice", "presidential document", "correction")


def _part_range(key: str, rng: CfrRange, path: str | None) -> None:
    lo, hi = rng.first_last
    if lo < 1 or hi < lo:
        raise ConfigError(key, f"expected a part or an ascending range such as '730-774', got {rng.parts!r}", path)


def load_settings(path: str | os.PathLike[str] | None, environ: dict[str, str] | None = None) -> Settings:
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


EXAMPLE_CONFIG = '''\
# frtrack configuration. Every key is optional; the values shown are the defaults.

[watch]
# federalregister.gov agency slugs and document types (RULE, PRORULE, NOTICE, PRESDOCU)
agencies = ["industry-and-security-bureau"]
document_types = ["RULE"]
# CFR title and part range(s) a document must touch
cfr = [{ title = 15, parts = "730-774" }]
# ITAR: State Department rules on 22 CFR 120-130 (for the D:5 vs 126.1 check)
itar_agencies = ["state-department"]
itar_cfr = [{ title = 22, parts = "120-130" }]
# first FR publication date fetched on an empty database; eCFR history starts
# with the version in force on that day
since = "2021-01-01"
# also fetch public-inspection documents (filed a business day before publication)
public_inspection = true
# eCFR units whose every version is fetched and parsed
tracked = [
  { title = 15, part = "740", kind = "country_groups", appendix = "Supplement No. 1 to Part 740" },
  { title = 22, part = "126", kind = "itar_126_1", section = "126.1" },
]

[sources]
# env FRTRACK_FR_API_BASE / FRTRACK_ECFR_API_BASE / FRTRACK_GOVINFO_BASE override these
fr_api_base = "https://www.federalregister.gov/api/v1"
ecfr_api_base = "https://www.ecfr.gov/api/versioner/v1"
govinfo_base = "https://www.govinfo.gov"
govinfo_fallback = false       # use govinfo bulk XML when federalregister.gov blocks us
timeout = 30.0                 # seconds to wait for an answer (read)
connect_timeout = 10.0         # seconds to wait for a connection
api_rate = 5.0                 # requests per second to an API host
download_rate = 1.0            # XML downloads per second
max_retries = 5
backoff_base = 1.0
max_retry_after = 120.0        # longest Retry-After we wait out, seconds
max_download_bytes = 50000000
per_page = 100
user_agent = "frtrack/0.1 (+https://example.invalid/frtrack; export-control change tracker)"

[schedule]
# fetch/digest: a crontab line in 'timezone', "interval:SECONDS" (tests, demos), or "off".
# Missed runs are coalesced into one if still within misfire_grace_seconds.
timezone = "America/New_York"
fetch = "0 6,12,18,23 * * mon-fri"    # crontab: minute hour day month day-of-week
digest = "0 7 * * mon"
misfire_grace_seconds = 3600
# public-inspection poll (instant alerts): a crontab, "interval:SECONDS" or "off"; it only
# fires inside poll_window (local time) on federal business days. An idle poll is one request.
poll = "*/10 * * * *"
poll_window = "08:30-18:00"

[smtp]
host = "localhost"
port = 25
security = "starttls"          # starttls | tls | plain
username = ""
password_env = "FRTRACK_SMTP_PASSWORD"   # the password itself is read from this env var
sender = "frtrack@localhost"
timeout = 30.0

[digest]
window_days = 7
send_empty = true              # false: no mail in a week without changes
list_unsubscribe = ""          # URL for the List-Unsubscribe header
site_url = ""                  # where the HTML changelog is published, for links

[output]
site_dir = "site"
digest_dir = "digests"

# One table per recipient; an empty list in a watchlist means "everything".
# [[recipients]]
# email = "analyst@example.com"
# name = "Export analyst"
# countries = ["Cambodia", "Russia"]
# groups = ["D:5", "E:1"]
# cfr_parts = ["740"]
# document_types = ["RULE"]
# instant alerts: the first alert about a change always goes out; later status moves only
# when listed here (announced, published, in_effect, confirmed, contradicted, unattributed,
# review); a withdrawn filing sends a retraction to whoever was alerted. alerts = [] : none.
# alerts = ["announced", "published", "contradicted", "unattributed", "review"]
# webhook = "https://chat.example.com/hooks/abc"   # JSON POST with a "text" field
# alert_email = true                               # false: alerts only to the webhook

[alerts]
enabled = true
max_age_days = 7               # facts older than this (a backfill of history) are not alerted
retries = 2                    # extra tries within one poll; the next poll tries again
retry_backoff = 1.0            # seconds, doubled each retry
max_attempts = 20              # polls that may try one alert before it is abandoned
webhook_timeout = 10.0
'''


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
