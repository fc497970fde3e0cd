"""The ``frtrack`` command line: a thin layer, one library call per command.

Library errors (FrtrackError) become one line on stderr and the exit code the
error class names; tracebacks only with ``-v``. Exit codes: 0 ok, 1 a run or
command failed, 2 usage/config error or not implemented yet, 3 data stale
(``status --check``), 75 another run holds the lock, 130 interrupted (Ctrl-C).

Every command first loads and checks the config it is given (a named file
that does not exist is an error). Commands that only read open the database
read-only (``Context.open_db()``): they never create one, and they work on a
database in a read-only place; commands that write ask ``open_db(write=True)``.
Failures always go to stderr as ``frtrack: error: ...``, even under ``--quiet``.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import sqlite3
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from parsers.errors import FrtrackError, UsageError

if TYPE_CHECKING:
    from pipeline.config import Settings

log = logging.getLogger("frtrack")

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_STALE, EXIT_LOCKED, EXIT_INTERRUPTED = 0, 1, 2, 3, 75, 130


class Context:
    """What every command gets: where the config and the database are."""

    def __init__(self, config: str | None, db: str, verbose: int, quiet: bool):
        self.config_path, self.db_path, self.verbose, self.quiet = config, db, verbose, quiet
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from pipeline.config import load_settings  # lazy: keeps `frtrack --help` fast
            self._settings = load_settings(self.config_path)
        return self._settings

    def open_db(self, write: bool = False):
        """Read-only unless ``write``: a read command never creates or changes a database."""
        from store.db import open_db, open_readonly  # lazy: keeps `frtrack --help` fast
        return open_db(self.db_path) if write else open_readonly(self.db_path)

    def echo(self, text: str) -> None:
        if not self.quiet:
            click.echo(text)

    def note(self, text: str) -> None:
        """What the user must know to read an answer (stderr, so stdout stays the answer); silent
        under --quiet, which means only errors (a JSON answer keeps its ``notes`` field regardless)."""
        if not self.quiet:
            click.echo(f"frtrack: note: {text}", err=True)

    def error(self, text: str) -> None:
        """A failure line: stderr, even under --quiet (the cron line relies on it)."""
        click.echo(f"frtrack: error: {text}", err=True)


def _group_code(ctx: click.Context | None, param: click.Parameter | None, value: str | None) -> str | None:
    """--group as typed ("D5", "d:5", "D: 5") -> "D:5"; an unknown code is a usage error listing the valid ones."""
    if value is None:
        return None
    from parsers.model import normalize_group_code  # lazy: keeps `frtrack --help` fast
    return normalize_group_code(value)


def _date(ctx: click.Context | None, param: click.Parameter | None, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date YYYY-MM-DD, got {value!r}") from None


def _setup_logging(verbose: int, quiet: bool) -> None:
    level = logging.ERROR if quiet else (logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)


class FrtrackCommand(click.Command):
    """Every command checks the config it is given before doing anything (after --help is handled)."""

    def invoke(self, ctx: click.Context) -> Any:
        c = ctx.find_object(Context)
        if c is not None and not (self.name == "init" and c.config_path and not Path(c.config_path).exists()):
            _ = c.settings    # loading validates; (init may be the one writing the config it is pointed at)
        return super().invoke(ctx)


class FrtrackGroup(click.Group):
    """Turns library errors into one clear line and a documented exit code."""

    command_class = FrtrackCommand

    def _invoke_reporting_environment(self, ctx: click.Context) -> Any:
        """A file or database the user's environment refuses (permissions, a full disk) is one line, not a bug."""
        try:
            return super().invoke(ctx)
        except (OSError, sqlite3.OperationalError) as exc:
            where = _environment_problem(exc, ctx.obj.db_path if isinstance(ctx.obj, Context) else "the database")
            if where is None:
                raise
            if ctx.params.get("verbose", 0):
                log.exception("error")
            click.echo(f"frtrack: error: {where}", err=True)
            sys.exit(EXIT_FAILED)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return self._invoke_reporting_environment(ctx)
        except FrtrackError as exc:
            verbose = ctx.params.get("verbose", 0)
            if verbose:
                log.exception("error")
            click.echo(f"frtrack: error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("frtrack: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception as exc:  # a bug: say so in one line, traceback with -v
            if ctx.params.get("verbose", 0):
                log.exception("internal error")
            click.echo(f"frtrack: internal error: {type(exc).__name__}: {exc} (run with -v for the traceback)", err=True)
            sys.exit(EXIT_FAILED)


@click.group(cls=FrtrackGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config", envvar="FRTRACK_CONFIG", type=click.Path(dir_okay=False),
              help="TOML config file (env FRTRACK_CONFIG). Default: built-in defaults.")
@click.option("--db", "db", envvar="FRTRACK_DB", default="./frtrack.db", show_default=True,
              type=click.Path(dir_okay=False), help="SQLite database (env FRTRACK_DB).")
@click.option("-v", "--verbose", count=True, help="More logging; tracebacks on errors.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors (on stderr).")
@click.version_option(package_name="frtrack")
@click.pass_context
def cli(ctx: click.Context, config: str | None, db: str, verbose: int, quiet: bool) -> None:
    """Track U.S. export-control country-group changes in the Federal Register and the eCFR.

    \b
    Example:
      frtrack init && frtrack run && frtrack changes --country Cambodia
    """
    _setup_logging(verbose, quiet)
    ctx.obj = Context(config, db, verbose, quiet)


pass_ctx = click.make_pass_decorator(Context)


_SQLITE_ENVIRONMENT = ("readonly", "unable to open", "disk i/o", "database or disk is full", "locked")


def _environment_problem(exc: BaseException, db_path: str) -> str | None:
    """One line for a file the environment refuses ("out/index.html: permission denied"); None for a bug."""
    if isinstance(exc, sqlite3.OperationalError):
        return f"{db_path}: {exc}" if any(k in str(exc).lower() for k in _SQLITE_ENVIRONMENT) else None
    if not isinstance(exc, OSError) or exc.filename is None:
        return None
    what = (exc.strerror or str(exc)).rstrip(".")
    what = what[:1].lower() + what[1:]
    hint = " (check that you may write there)" if isinstance(exc, PermissionError) else ""
    return f"{exc.filename}: {what}{hint}"


@cli.command()
@click.option("--path", type=click.Path(dir_okay=False),
              help="Where to write the example config (default: the --config path, else frtrack.toml).")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@pass_ctx
def init(c: Context, path: str | None, force: bool) -> None:
    """Write a commented example config and create the database.

    \b
    Example:
      frtrack --db data/frtrack.db init --path frtrack.toml
    """
    from pipeline.config import write_example  # lazy: keeps `frtrack --help` fast
    c.open_db(write=True).close()   # first: a bad --db must not leave a config file behind
    written = write_example(path or c.config_path or "frtrack.toml", force=force)
    c.echo(f"wrote {written} and initialised {c.db_path}")


@cli.command()
@click.option("--since", callback=_date, metavar="DATE",
              help="Fetch FR documents published on or after DATE (default: since the last successful run).")
@pass_ctx
def run(c: Context, since: date | None) -> None:
    """Fetch, parse, store and diff once (the cron job). Exit 1 if any source failed.

    \b
    Example:
      frtrack --config frtrack.toml run --since 2026-01-01
    """
    from pipeline.run import run_once  # lazy: keeps `frtrack --help` fast
    report = run_once(c.settings, c.db_path, since=since)
    c.echo(report.summary(errors=False))
    for line in report.failure_lines():
        c.error(line)
    sys.exit(EXIT_OK if report.ok else EXIT_FAILED)


@cli.command()
@pass_ctx
def reparse(c: Context) -> None:
    """Re-derive memberships, changes and statuses from the stored raw documents.

    \b
    Example:
      frtrack reparse
    """
    from pipeline.run import reparse  # lazy: keeps `frtrack --help` fast
    report = reparse(c.settings, c.db_path)
    c.echo(report.summary(errors=False))
    for line in report.failure_lines():
        c.error(line)
    sys.exit(EXIT_OK if report.ok else EXIT_FAILED)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--check", is_flag=True,
              help="Exit 3 when the last successful fetch is older than --max-age, or the last run failed.")
@click.option("--max-age", type=float, default=26.0, show_default=True, metavar="HOURS", help="Staleness limit for --check.")
@pass_ctx
def status(c: Context, as_json: bool, check: bool, max_age: float) -> None:
    """Last run, last success per source, counts, open divergences.

    \b
    Example:
      frtrack status --check --max-age 26 || alert "frtrack is stale"
    """
    from pipeline.status import build_status, format_status  # lazy: keeps `frtrack --help` fast
    report = build_status(c.open_db(), max_age_hours=max_age, schedule=c.settings.schedule)
    click.echo(json.dumps(report, indent=2) if as_json else format_status(report))
    if check and not report["healthy"]:
        sys.exit(EXIT_STALE)


def _list_kind(ctx: click.Context | None, param: click.Parameter | None, value: str | None) -> Any:
    """--list as typed ("entity-list", "744.21") -> ListKind; an unknown list is a usage error listing the valid ones."""
    if value is None:
        return None
    from pipeline.country import list_kind  # lazy: keeps `frtrack --help` fast
    return list_kind(value)


@cli.command()
@click.option("--since", callback=_date, metavar="DATE", help="Only changes effective on or after DATE.")
@click.option("--country", metavar="C", help="Only this country (any spelling; for the Entity List: the destination).")
@click.option("--group", metavar="G", callback=_group_code, help="Only this group code, e.g. D:5 (D5 and d:5 are read as D:5).")
@click.option("--list", "list_kind", metavar="L", callback=_list_kind,
              help="Only this list: country_groups, 744.21, 744.22 or entity_list.")
@click.option("--entity", metavar="TEXT", help="Only Entity List changes of entities so named (first name or a.k.a.; "
                                                "case, punctuation and \"Co., Ltd.\" forms do not matter).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
def changes(c: Context, since: date | None, country: str | None, group: str | None, list_kind: Any,
            entity: str | None, as_json: bool) -> None:
    """List the changes of every tracked list with their status and FR document.

    Country Groups, § 744.21, § 744.22 and the Entity List; --list keeps one,
    --group implies Country Groups and --entity the Entity List.

    \b
    Example:
      frtrack changes --country Cambodia --group D:5 --json
      frtrack changes --list entity_list --entity "example co ltd"
    """
    from parsers.errors import UsageError  # lazy: keeps `frtrack --help` fast
    from parsers.model import ListKind  # lazy: keeps `frtrack --help` fast
    from pipeline.country import entity_keys  # lazy: keeps `frtrack --help` fast
    from pipeline.lookup import find_country  # lazy: keeps `frtrack --help` fast
    from pipeline.publish.wording import change_phrase  # lazy: keeps `frtrack --help` fast
    from store.queries import change_json, list_changes  # lazy: keeps `frtrack --help` fast
    if group is not None and list_kind not in (None, ListKind.COUNTRY_GROUPS):
        raise UsageError(f"--group {group} is a Country Group; it cannot be combined with --list {list_kind.value}")
    if entity is not None and list_kind not in (None, ListKind.ENTITY_LIST):
        raise UsageError(f"--entity names an Entity List entry; it cannot be combined with --list {list_kind.value}")
    db = c.open_db()
    if country is not None:
        found = find_country(db, country)
        for note in found.notes:
            c.note(note)
        country = found.stored
    keys = entity_keys(db, entity) if entity is not None else None
    rows = list_changes(db, since=since, country=country, group=group, list_kind=list_kind, entity_keys=keys)
    if as_json:
        click.echo(json.dumps([change_json(r) for r in rows], indent=2))
        return
    if not rows:
        c.echo("no changes")
    for r in rows:
        doc = f"FR Doc. {r['fr_document']}" if r["fr_document"] else "no FR document"
        cite = f" ({r['citation']})" if r["citation"] else ""
        click.echo(f"{r['effective_date'] or '?':10}  {r['country']}: {change_phrase(r)}  [{r['status']}]  {doc}{cite}")


@cli.command()
@click.argument("country")
@click.option("--as-of", "as_of", callback=_date, metavar="DATE", help="Date to ask about (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
def groups(c: Context, country: str, as_of: date | None, as_json: bool) -> None:
    """The country groups COUNTRY was in on a date.

    Any spelling works (Myanmar, North Korea, DRC) and the answer names the
    EAR's entry; a name that is no country exits 2 with the closest matches.
    A date before the tracked history or after the data's end is said so on
    stderr (in --json: history_starts, data_through, notes).

    \b
    Example:
      frtrack groups Cambodia --as-of 2023-06-01 --json
    """
    from pipeline.clock import today  # lazy: keeps `frtrack --help` fast
    from pipeline.lookup import groups_answer, groups_text  # lazy: keeps `frtrack --help` fast
    answer = groups_answer(c.open_db(), country, as_of or today())
    if as_json:
        click.echo(json.dumps(answer, indent=2))
        return
    for note in answer["notes"]:
        c.note(note)
    click.echo(groups_text(answer))


@cli.command()
@click.argument("name", metavar="NAME")
@click.option("--as-of", "as_of", callback=_date, metavar="DATE", help="Date to ask about (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (see README for the contract).")
@pass_ctx
def country(c: Context, name: str, as_of: date | None, as_json: bool) -> None:
    """Everything about one country on a date: its Country Groups, § 744.21 and § 744.22
    status, its Entity List entries (as the destination), its D:5 / 126.1 divergences
    and the history of each, every fact with the FR document that last changed it.

    Any spelling works; a name that is no country exits 2 with the closest
    matches. A list not yet tracked on that date is "not known" (null in
    --json), never "not listed"; notes go to stderr.

    \b
    Example:
      frtrack country Cambodia --as-of 2026-02-04
      frtrack country Cambodia --json | jq .sections
    """
    from pipeline.clock import today  # lazy: keeps `frtrack --help` fast
    from pipeline.country import country_answer, country_json, country_text  # lazy: keeps `frtrack --help` fast
    answer = country_answer(c.open_db(), name, as_of or today())
    for note in answer["_text"]["notes"]:
        c.note(note)
    click.echo(json.dumps(country_json(answer), indent=2) if as_json else country_text(answer))


@cli.command()
@click.argument("country")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
def history(c: Context, country: str, as_json: bool) -> None:
    """Every change for COUNTRY, of every list, oldest first.

    \b
    Example:
      frtrack history Cambodia
    """
    from parsers.model import ListKind  # lazy: keeps `frtrack --help` fast
    from pipeline.lookup import find_country  # lazy: keeps `frtrack --help` fast
    from pipeline.publish.wording import change_phrase  # lazy: keeps `frtrack --help` fast
    from store.queries import change_json, list_changes  # lazy: keeps `frtrack --help` fast
    db = c.open_db()
    found = find_country(db, country)
    for note in found.notes:
        c.note(note)
    rows = list_changes(db, country=found.stored, list_kind=None)
    name = found.country.name
    if as_json:
        click.echo(json.dumps([change_json(r) for r in rows], indent=2))
        return
    if not rows:
        c.echo(f"no changes on record for {name}")
    for r in rows:
        source = ('FR Doc. ' + r['fr_document']) if r['fr_document'] else 'eCFR ' + (r['ecfr_version'] or '?')
        what = f"{r['action']:7} {r['group']:4}" if r["list"] == ListKind.COUNTRY_GROUPS.value else change_phrase(r)
        click.echo(f"{r['effective_date'] or '?':10}  {what}  [{r['status']}]  {source}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (see README for the contract).")
@pass_ctx
def divergences(c: Context, as_json: bool) -> None:
    """D:5 vs ITAR 22 CFR 126.1 divergences: open, pending, standing and closed.

    \b
    Example:
      frtrack divergences --json
    """
    from store.queries import (  # lazy: keeps `frtrack --help` fast
        divergence_json,
        divergence_text,
        divergences as list_divergences,
    )
    rows = list_divergences(c.open_db())
    if as_json:
        click.echo(json.dumps([divergence_json(r) for r in rows], indent=2))
        return
    if not rows:
        c.echo("no D:5 / 126.1 divergences on record")
    for kind, title in (("open", "Open"), ("pending", "Pending (begin on a future date)"),
                        ("standing", "Standing (since the first compared versions)"), ("closed", "Closed")):
        chosen = [r for r in rows if r["kind"] == kind]
        if chosen:
            click.echo(f"{title}:")
            for r in chosen:
                click.echo(f"  {divergence_text(r)}")


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (see README for the contract).")
@pass_ctx
def parse(c: Context, file: str, as_json: bool) -> None:
    """Parse a local FR or eCFR XML file and print what it extracts.

    \b
    Example:
      frtrack parse 2026-02262.xml --json
    """
    from parsers import detect  # lazy: keeps `frtrack --help` fast
    data = Path(file).read_bytes()
    kind, result = detect.parse_file(data, file)
    click.echo(json.dumps(detect.to_json(kind, result), indent=2) if as_json else detect.to_text(kind, result))


@cli.command()
@click.argument("rule", type=click.Path(dir_okay=False), metavar="RULE.xml")
@click.option("--against", "table", required=True, type=click.Path(dir_okay=False), metavar="TABLE.xml",
              help="eCFR XML of Supplement No. 1 to part 740 to apply the rule to.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (see README for the contract).")
@pass_ctx
def predict(c: Context, rule: str, table: str, as_json: bool) -> None:
    """What an FR rule (GPO XML, or public-inspection plain text) would change in a given Supplement No. 1 table.

    Exact deltas, countries spelled as the table prints them, and every
    instruction held for review; exit 0 whenever both files could be read.

    \b
    Example:
      frtrack predict 2026-02262.xml --against supp1_2026-02-02.xml --json
    """
    from pipeline import predict as lib  # lazy: keeps `frtrack --help` fast
    result = lib.predict_files(rule, table)
    click.echo(json.dumps(lib.to_json(result), indent=2) if as_json else lib.to_text(result).rstrip("\n"))


@cli.command()
@click.option("--since", callback=_date, metavar="DATE", help="Window start (default: 7 days before today).")
@click.option("--out", type=click.Path(dir_okay=False), help="Write the message(s) to this .eml file instead of sending.")
@click.option("--send", is_flag=True, help="Send over SMTP to the configured recipients.")
@click.option("--recipient", metavar="EMAIL", help="Only this configured recipient (--out then writes exactly FILE.eml).")
@pass_ctx
def digest(c: Context, since: date | None, out: str | None, send: bool, recipient: str | None) -> None:
    """Render the weekly digest; write it to a file or send it.

    An .eml holds one message: with several recipients --out writes one file
    per recipient (and says where), or exactly FILE.eml with --recipient.
    Send failures go to stderr, naming the server and what to change.

    \b
    Example:
      frtrack digest --out week.eml
      FRTRACK_SMTP_PASSWORD=... frtrack --config frtrack.toml digest --send
    """
    if not out and not send:
        raise click.UsageError("give --out FILE.eml or --send")
    settings = _only_recipient(c.settings, recipient) if recipient else c.settings
    # --out only reads the database; --send writes the sent ledger
    from pipeline.publish.digest import digest_command  # lazy: keeps `frtrack --help` fast
    report = digest_command(settings, c.open_db(write=send), since=since,
                                                                   out=out, send=send)
    c.echo(report.summary())
    if out and len(report.written) > 1:
        c.note(f"{len(report.written)} recipients, one message each (an .eml holds one): wrote "
               + ", ".join(str(p) for p in report.written) + "; --recipient EMAIL writes exactly " + out)
    server = f"{settings.smtp.host}:{settings.smtp.port}"
    for who, why in report.failed:
        c.error(f"mail to {who} via {server}: {why}")
    sys.exit(EXIT_OK if report.ok else EXIT_FAILED)


def _only_recipient(settings, email: str):
    """The settings with one configured recipient (matched case-insensitively), or a usage error naming them."""
    chosen = tuple(r for r in settings.recipients if r.email.lower() == email.strip().lower())
    if not chosen:
        known = ", ".join(r.email for r in settings.recipients) or "none configured"
        raise UsageError(f"--recipient {email}: not a configured recipient (configured: {known})")
    return dataclasses.replace(settings, recipients=chosen)


@cli.command()
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder to write the site into.")
@click.option("--force", is_flag=True, help="Overwrite files in the folder that an earlier render did not write.")
@pass_ctx
def site(c: Context, out: str, force: bool) -> None:
    """Render the static HTML changelog (with Atom, JSON and CSV exports).

    Only files an earlier render wrote are rewritten or deleted; a file of yours
    under a name the site uses stops the render (exit 1) unless --force.

    \b
    Example:
      frtrack site --out public/ && python -m http.server -d public
    """
    from pipeline.publish.site import render_site  # lazy: keeps `frtrack --help` fast
    report = render_site(c.open_db(), out, settings=c.settings, force=force)
    c.echo(report.summary())


@cli.command()
@pass_ctx
def schedule(c: Context) -> None:
    """Run the APScheduler daemon: fetch and digest on the configured cron schedule.

    \b
    Example:
      frtrack --config /etc/frtrack.toml --db /var/lib/frtrack/frtrack.db schedule
    """
    from pipeline.scheduler import serve  # lazy: keeps `frtrack --help` fast
    serve(c.settings, c.db_path)


@cli.command()
@click.option("--out", type=click.Path(file_okay=False),
              help="Folder for the demo database, digest and site (default: a new temporary folder).")
@pass_ctx
def demo(c: Context, out: str | None) -> None:
    """Run the whole pipeline offline over the bundled 2021-2026 sample.

    The sample replays real country-group rules (numbers, dates, citations) in
    documents written for it, plus a few events marked SAMPLE; the summary, the
    site and the digest say which parts are illustrative.

    \b
    Example:
      frtrack demo --out demo-out
    """
    from pipeline.demo.run import run_demo  # lazy: keeps `frtrack --help` fast
    report = run_demo(out)
    click.echo(report.summary())
    sys.exit(EXIT_OK if report.ok else EXIT_FAILED)


@cli.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--port", type=int, default=8765, show_default=True, help="Port on 127.0.0.1, 0-65535 (0: any free port).")
@pass_ctx
def replay(c: Context, directory: str, port: int) -> None:
    """Serve recorded API responses from DIRECTORY on 127.0.0.1 (for tests and offline use).

    \b
    Example:
      frtrack replay tests/fixtures/replay/basic --port 8765 &
      FRTRACK_FR_API_BASE=http://127.0.0.1:8765/api/v1 frtrack run
    """
    from pipeline.demo.replay import serve_forever  # lazy: keeps `frtrack --help` fast
    serve_forever(directory, port)


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port for datasette (default: datasette's own, 8001).")
@pass_ctx
def browse(c: Context, port: int | None) -> None:
    """Browse the database in datasette (views change_detail, current_memberships, membership_history).

    Needs datasette (pip install datasette); exit 2 without it.

    \b
    Example:
      frtrack --db frtrack.db browse --port 8001
    """
    from pipeline.browse import browse as serve  # lazy: keeps `frtrack --help` fast
    sys.exit(serve(c.db_path, port))


@cli.command()
@click.option("--force", is_flag=True, help="Poll even outside schedule.poll_window (a special filing at night).")
@pass_ctx
def poll(c: Context, force: bool) -> None:
    """Look at the public-inspection desk once and send the instant alerts owed.

    An idle poll is one conditional request. Outside schedule.poll_window on
    federal business days it does nothing, so cron may run it every 10 minutes.
    Exit 1 if the desk could not be read or an alert failed (it is retried next poll).

    \b
    Example:
      */10 * * * *  frtrack --quiet poll
    """
    from pipeline.poll import poll_once  # lazy: keeps `frtrack --help` fast
    report = poll_once(c.settings, c.db_path, force=force)
    c.echo(report.summary())
    sys.exit(EXIT_OK if report.ok else EXIT_FAILED)


def main() -> None:
    cli(prog_name="frtrack")


if __name__ == "__main__":
    main()
