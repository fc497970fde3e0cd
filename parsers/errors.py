"""Every error frtrack raises on purpose, in one place.

It lives in ``parsers`` because that is the innermost package: ``store`` and
``pipeline`` may import it without making ``parsers`` depend on them.

    FrtrackError
     ├── ConfigError            bad config key/value (names the key)
     ├── UsageError             a command-line value frtrack cannot use (exit 2)
     │    └── UnknownGroupError a country-group code that does not exist
     ├── ParseError             a document could not be parsed (names it)
     ├── StoreError             database problems
     │    ├── SchemaTooNewError the DB was written by a newer frtrack
     │    └── NoDatabaseError   a read command was pointed at a path with no database
     ├── FetchError             anything at the network edge (carries url)
     │    ├── TransportError    connection refused/reset
     │    │    └── FetchTimeoutError
     │    ├── HTTPStatusError   4xx/5xx after retries (carries status)
     │    ├── BlockedError      an HTML "Request Access" page instead of data
     │    ├── TruncatedBodyError body shorter than Content-Length / bad JSON
     │    ├── NotYetAvailableError eCFR date past up_to_date_as_of, 503 processing
     │    └── IncompleteResultsError a search could not be proven complete
     ├── LockHeldError          another frtrack run holds the DB lock
     ├── MailError              SMTP refused or failed
     ├── AlertError             an instant alert could not be delivered
     │    └── WebhookError      the webhook refused or did not answer (carries url, status)
     └── UnknownCountryError    a typed country name that resolves to no country (exit 2)
"""
from __future__ import annotations


class FrtrackError(Exception):
    """Base of all deliberate frtrack errors; the CLI prints them as one line."""

    exit_code = 1


class ConfigError(FrtrackError):
    """The configuration file has an unknown key or a value of the wrong type."""

    exit_code = 2

    def __init__(self, key: str | None, problem: str, path: str | None = None):
        # key None: the file itself (not found, not TOML, not UTF-8)
        self.key, self.problem, self.path = key, problem, path
        where = f"{path}: " if path else "config: "
        super().__init__(f"{where}{key}: {problem}" if key else f"{where}{problem}")


class UsageError(FrtrackError):
    """A value typed on the command line (or in a config list) that frtrack cannot use."""

    exit_code = 2


class ParseError(FrtrackError):
    """A document could not be parsed; names the document and the problem."""

    def __init__(self, document: str, problem: str):
        self.document, self.problem = document, problem
        super().__init__(f"{document}: {problem}")


class StoreError(FrtrackError):
    """The SQLite store could not do what was asked."""


class SchemaTooNewError(StoreError):
    """The database was migrated by a newer frtrack than this one."""

    exit_code = 2


class NoDatabaseError(StoreError):
    """A read-only command was given a path where no database exists (a typo, the wrong folder)."""

    exit_code = 2

    def __init__(self, path: str):
        self.path = path
        super().__init__(f"no database at {path} — run `frtrack init` or `frtrack run`")


class FetchError(FrtrackError):
    """A source could not be fetched; carries the URL that failed."""

    def __init__(self, url: str, problem: str, *, source: str | None = None):
        self.url, self.problem, self.source = url, problem, source
        prefix = f"[{source}] " if source else ""
        super().__init__(f"{prefix}{url}: {problem}")


class TransportError(FetchError):
    """The connection failed (refused, reset, DNS)."""


class FetchTimeoutError(TransportError):
    """The server did not answer within the timeout."""


class HTTPStatusError(FetchError):
    """The server answered with an error status after all retries."""

    def __init__(self, url: str, status: int, problem: str = "", *, source: str | None = None):
        self.status = status
        super().__init__(url, f"HTTP {status}" + (f": {problem}" if problem else ""), source=source)


class BlockedError(FetchError):
    """An HTML page (e.g. federalregister.gov's "Request Access") came instead of data."""


class TruncatedBodyError(FetchError):
    """The body was shorter than announced or did not parse as the promised format."""


class NotYetAvailableError(FetchError):
    """The source does not have this yet (eCFR date past up_to_date_as_of, 503 processing)."""


class IncompleteResultsError(FetchError):
    """A search result set could not be proven complete (e.g. the 10,000-result cap)."""


class LockHeldError(FrtrackError):
    """Another frtrack process holds the database lock."""

    exit_code = 75


class MailError(FrtrackError):
    """The SMTP server refused the connection or a recipient."""


class UnknownGroupError(UsageError):
    """A country-group code that is not one of Supplement No. 1's columns (Z:9)."""

    def __init__(self, code: str, valid: tuple[str, ...]):
        self.code, self.valid = code, valid
        super().__init__(f"unknown country group {code!r} (valid: {', '.join(valid)})")


class UnknownCountryError(FrtrackError):
    """A country name typed on the command line or in a config resolves to no country."""

    exit_code = 2

    def __init__(self, name: str, suggestions: list[str]):
        self.name, self.suggestions = name, list(suggestions)
        hint = ""
        if self.suggestions:
            hint = "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(f"unknown country {name!r}{hint}")


class AlertError(FrtrackError):
    """An instant alert could not be delivered; the ledger keeps it for the next poll."""


class WebhookError(AlertError):
    """A webhook POST failed: connection, timeout or a non-2xx answer (``status`` None when none came)."""

    def __init__(self, url: str, problem: str, status: int | None = None):
        self.url, self.problem, self.status = url, problem, status
        self.retry_after: float | None = None     # seconds, when the answer said (Retry-After)
        super().__init__(f"webhook {url}: {problem}")


class OutputConflictError(FrtrackError):
    """An output folder holds files frtrack did not write under names it would write."""

    def __init__(self, folder: str, names: list[str]):
        self.folder, self.names = folder, list(names)
        shown = ", ".join(self.names[:5]) + (f" and {len(self.names) - 5} more" if len(self.names) > 5 else "")
        super().__init__(f"{folder}: would overwrite {shown}, which an earlier frtrack render did not write; "
                         "move them away or pass --force to overwrite")
