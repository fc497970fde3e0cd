"""The one HTTP layer every source shares: polite, patient, and suspicious.

Polite: a descriptive User-Agent and a client-side rate limit per host and
kind (``api_rate`` for API calls, ``download_rate`` for XML downloads).
Patient: retries with exponential backoff and jitter on connection errors,
timeouts, truncated bodies, 429 and 5xx, honouring Retry-After (capped by
``max_retry_after``). Suspicious: an HTML page where JSON/XML was asked is a
block page (BlockedError, not retried: retrying makes a block worse); a body
shorter than its Content-Length or JSON that does not parse is TruncatedBodyError.

Every response body — errors, block pages and cut bodies included — is stored
raw with ``store.blobs.record_response`` before anything parses it.
Conditional requests (API JSON by default): the ETag / Last-Modified of each
URL's last 200 is kept in ``http_validators`` (``store.watermarks``); a 304
returns the stored body.

Errors raised (all FetchError, each carrying the full URL in ``url``; the
``problem`` is one short line without it, naming host:port, e.g.
"connection refused by 127.0.0.1:9 after 6 attempts (12 s)" — what a person
reads; the URL is logged at INFO, shown with ``-v``):
    TransportError / FetchTimeoutError   after retries
    HTTPStatusError                      4xx at once, 429/5xx after retries
    BlockedError, TruncatedBodyError     see above
    FetchError                           body larger than max_download_bytes

Timeouts: ``connect_timeout`` to get a connection, ``timeout`` to get an
answer. A host that stayed unreachable through a whole retry series is not
tried again in the same run (its later requests fail at once, saying so), so
a run with both API hosts down ends after two retry series, not one per request.
"""
from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import requests
from requests import Response as RequestsResponse  # (inside the class, ``requests`` is the request counter)
from sqlite_utils import Database

from parsers.errors import BlockedError, FetchError, FetchTimeoutError, HTTPStatusError, TransportError, TruncatedBodyError
from pipeline.config import Sources
from store.blobs import get_blob, record_response
from store.enums import Source
from store.watermarks import HttpValidator, get_http_validator, put_http_validator

log = logging.getLogger(__name__)

Params = Mapping[str, Any] | Sequence[tuple[str, Any]] | None
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Response:
    """A fetched body, already stored raw; ``data`` is the parsed JSON when JSON was asked."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    sha256: str
    data: Any = None
    not_modified: bool = False


def build_url(url: str, params: Params = None) -> str:
    """The full URL with its query, spaces as %20 (as the APIs document them)."""
    if not params:
        return url
    items = list(params.items()) if isinstance(params, Mapping) else list(params)
    sep = "&" if urlsplit(url).query else "?"
    return url + sep + urlencode(items, doseq=True, quote_via=quote)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


@dataclass
class _Attempt:
    error: FetchError
    retry_after: float | None = None


@dataclass
class Http:
    """A requests Session with the habits above; counts every request it sends."""

    sources: Sources
    db: Database
    run_id: int | None = None
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    jitter: Callable[[], float] = random.random
    session: requests.Session = field(default_factory=requests.Session)
    requests: int = 0
    slept: list[tuple[str, float]] = field(default_factory=list)
    _last: dict[tuple[str, str], float] = field(default_factory=dict)
    _unreachable: dict[str, str] = field(default_factory=dict)   # host -> why later requests fail at once

    def __post_init__(self) -> None:
        self.session.headers["User-Agent"] = self.sources.user_agent

    # --- public ------------------------------------------------------------
    def get_json(self, url: str, params: Params = None, *, source: Source,
                 conditional: bool = True) -> Response:
        return self._get(url, params, source=source, expect="json", kind="api", conditional=conditional)

    def get_xml(self, url: str, params: Params = None, *, source: Source,
                conditional: bool = False) -> Response:
        """A document download; not conditional by default: each is fetched once, so caching
        its validators would only grow the validator cache by a row per document."""
        return self._get(url, params, source=source, expect="xml", kind="download", conditional=conditional)

    def get_text(self, url: str, params: Params = None, *, source: Source,
                 conditional: bool = True) -> Response:
        """Plain text (public-inspection raw text): throttled as a download."""
        return self._get(url, params, source=source, expect="text", kind="download", conditional=conditional)

    def close(self) -> None:
        self.session.close()

    # --- internals ----------------------------------------------------------
    def _timeouts(self) -> tuple[float, float]:
        # connect quickly or not at all; reading a big XML may legitimately take the full budget
        return (self.sources.connect_timeout, self.sources.timeout)

    def _throttle(self, host: str, kind: str) -> None:
        rate = self.sources.download_rate if kind == "download" else self.sources.api_rate
        if rate <= 0:
            return
        key = (host, kind)
        now = self.monotonic()
        ready = self._last.get(key, float("-inf")) + 1.0 / rate
        if ready > now:
            self._sleep("rate_limit", ready - now)
            now = ready
        self._last[key] = now

    def _sleep(self, reason: str, seconds: float) -> None:
        self.slept.append((reason, seconds))
        if seconds > 0:
            self.sleep(seconds)

    def _remember(self, full_url: str, headers: Mapping[str, str], sha: str) -> None:
        etag, modified = headers.get("ETag"), headers.get("Last-Modified")
        if not etag and not modified:
            return
        put_http_validator(self.db, HttpValidator(full_url, etag, modified, sha), self.run_id)

    def _read(self, resp: RequestsResponse, full_url: str, source: Source) -> tuple[bytes, bool]:
        """The body and whether it was cut short; refuses bodies above max_download_bytes."""
        limit = self.sources.max_download_bytes
        announced = resp.headers.get("Content-Length")
        if announced and announced.isdigit() and int(announced) > limit:
            resp.close()
            raise FetchError(full_url, f"body of {announced} bytes from {_host_port(full_url)} exceeds "
                             f"max_download_bytes {limit}", source=source.value)
        chunks: list[bytes] = []
        size, truncated = 0, False
        # keep the bytes of a cut body (urllib3 would raise and drop them); we compare lengths below
        if hasattr(resp.raw, "enforce_content_length"):
            resp.raw.enforce_content_length = False
        try:
            for chunk in resp.iter_content(65536):
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    resp.close()
                    raise FetchError(full_url, f"body from {_host_port(full_url)} exceeds max_download_bytes {limit}",
                                     source=source.value)
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError,
                requests.exceptions.ContentDecodingError):
            truncated = True
        body = b"".join(chunks)
        encoded = resp.headers.get("Content-Encoding", "identity") not in ("", "identity")
        if announced and announced.isdigit() and not encoded and len(body) != int(announced):
            truncated = True
        return body, truncated

    def _get(self, url: str, params: Params, *, source: Source, expect: str, kind: str,
             conditional: bool) -> Response:
        full_url = build_url(url, params)
        host = urlsplit(full_url).netloc
        if host in self._unreachable:
            raise TransportError(full_url, self._unreachable[host], source=source.value)
        cached = get_http_validator(self.db, full_url) if conditional else None
        attempt = 0
        started = self.monotonic()
        while True:
            outcome = self._once(full_url, host, source=source, expect=expect, kind=kind, cached=cached)
            if isinstance(outcome, Response):
                return outcome
            if attempt >= self.sources.max_retries:
                error = outcome.error
                if isinstance(error, TransportError):
                    self._unreachable[host] = _not_tried(host, error.problem, attempt + 1, source)
                if attempt:
                    spent = self.monotonic() - started
                    _set_problem(error, f"{error.problem} after {attempt + 1} attempts ({spent:.0f} s)")
                log.info("giving up on %s: %s", full_url, error.problem)
                raise error
            if outcome.retry_after is not None:
                delay = min(outcome.retry_after, self.sources.max_retry_after)
                reason = "retry_after"
            else:
                delay = self.sources.backoff_base * (2 ** attempt) * (0.5 + self.jitter())
                reason = "backoff"
            log.info("retrying %s in %.2fs after: %s", full_url, delay, outcome.error.problem)
            self._sleep(reason, delay)
            attempt += 1

    def _once(self, full_url: str, host: str, *, source: Source, expect: str, kind: str,
              cached: HttpValidator | None) -> Response | _Attempt:
        """One request; a Response, or the retryable error (non-retryable ones raise)."""
        headers = {"Accept": {"json": "application/json", "text": "text/plain"}.get(expect, "application/xml, text/xml")}
        if cached:
            if cached.etag:
                headers["If-None-Match"] = cached.etag
            if cached.last_modified:
                headers["If-Modified-Since"] = cached.last_modified
        self._throttle(host, kind)
        self.requests += 1
        src = source.value
        where = _host_port(full_url)
        try:
            resp = self.session.get(full_url, headers=headers, timeout=self._timeouts(), stream=True)
        except requests.exceptions.ConnectTimeout:
            return _Attempt(FetchTimeoutError(
                full_url, f"no connection to {where} within {self.sources.connect_timeout:g}s", source=src))
        except requests.exceptions.Timeout:
            return _Attempt(FetchTimeoutError(
                full_url, f"no answer from {where} within {self.sources.timeout:g}s", source=src))
        except requests.exceptions.ConnectionError as exc:
            log.info("%s: %s", full_url, exc)
            return _Attempt(TransportError(full_url, _connection_problem(exc, where), source=src))
        except requests.exceptions.RequestException as exc:
            raise TransportError(full_url, f"request to {where} failed: {_short(exc)}", source=src) from None
        with resp:
            body, truncated = self._read(resp, full_url, source)
        resp_headers = dict(resp.headers)
        with self.db.atomic():     # blob + response row: one commit
            sha = record_response(self.db, source=src, url=full_url, status=resp.status_code,
                                  headers=resp_headers, body=body, run_id=self.run_id)
        status = resp.status_code
        ctype = resp_headers.get("Content-Type", "").lower()
        if status == 304 and cached:
            stored = get_blob(self.db, cached.body_sha256)
            return Response(full_url, 304, resp_headers, stored, cached.body_sha256,
                            data=_parse_json(stored, full_url, src) if expect == "json" else None,
                            not_modified=True)
        if "html" in ctype and status in (200, 401, 403):
            raise BlockedError(full_url, f"HTTP {status} HTML page instead of {expect.upper()} from {where} "
                               "(a block or 'Request Access' page?)", source=src)
        if status in RETRY_STATUSES:
            return _Attempt(_status_error(full_url, status, body, src),
                            retry_after_seconds(resp_headers.get("Retry-After")))
        if status >= 400:
            raise _status_error(full_url, status, body, src)
        if truncated:
            return _Attempt(TruncatedBodyError(
                full_url, f"body from {where} cut short: got {len(body)} of {resp_headers.get('Content-Length', '?')} bytes",
                source=src))
        if "html" in ctype:
            raise BlockedError(full_url, f"HTTP {status} HTML page instead of {expect.upper()} from {where}",
                               source=src)
        data = None
        if expect == "json":
            try:
                data = _parse_json(body, full_url, src)
            except TruncatedBodyError as exc:
                return _Attempt(exc)
        self._remember(full_url, resp_headers, sha)
        return Response(full_url, status, resp_headers, body, sha, data=data)


def _parse_json(body: bytes, url: str, source: str) -> Any:
    try:
        return json.loads(body)
    except ValueError as exc:
        raise TruncatedBodyError(url, f"JSON from {_host_port(url)} does not parse ({exc}); body of {len(body)} bytes",
                                 source=source) from None


def _error_text(body: bytes) -> str:
    text = body[:300].decode("utf-8", "replace").strip()
    try:
        data = json.loads(body)
    except ValueError:
        return " ".join(text.split())[:200]
    if isinstance(data, dict):
        for key in ("errors", "error", "message"):
            if key in data:
                return json.dumps(data[key])[:200]
    return text[:200]


def _status_error(url: str, status: int, body: bytes, source: str) -> HTTPStatusError:
    error = HTTPStatusError(url, status, _error_text(body), source=source)
    text = _error_text(body)
    _set_problem(error, f"HTTP {status} from {_host_port(url)}" + (f": {text}" if text else ""))
    return error


def _set_problem(error: FetchError, problem: str) -> None:
    """Reword a FetchError's problem (and its message) in place, keeping its class and URL."""
    error.problem = problem
    prefix = f"[{error.source}] " if error.source else ""
    error.args = (f"{prefix}{error.url}: {problem}",)


def _not_tried(host: str, problem: str, attempts: int, source: Source) -> str:
    """Why a later request to ``host`` fails at once, naming the source whose attempts failed:
    the next source made none, and must not seem to have."""
    tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
    if problem.startswith("connection refused by "):
        return f"not tried: {host} refused {tries} by {source.value} earlier in this run"
    return f"not tried: {problem} ({tries} by {source.value} earlier in this run)"


def _host_port(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.hostname}:{port}"


def _connection_problem(exc: BaseException, where: str) -> str:
    """'connection refused by 127.0.0.1:9' from requests' nested, URL-laden exception text."""
    text = str(exc)
    lowered = text.lower()
    if "refused" in lowered:
        return f"connection refused by {where}"
    if "name or service not known" in lowered or "failed to resolve" in lowered or "nodename nor servname" in lowered \
            or "temporary failure in name resolution" in lowered:
        return f"cannot resolve the host name of {where}"
    if "reset" in lowered or "aborted" in lowered or "remotedisconnected" in lowered:
        return f"connection reset by {where}"
    if "unreachable" in lowered:
        return f"network unreachable for {where}"
    if "ssl" in lowered or "certificate" in lowered:
        return f"TLS failed with {where}"
    return f"connection to {where} failed"


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) < 200 else text[:197] + "..."

