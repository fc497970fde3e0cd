"""Replay server: a real HTTP server on 127.0.0.1 that serves recorded API responses.

Every test and the demo talk to "the APIs" through it, so the HTTP layer is
exercised over a real socket, with real faults, and never touches the internet.

Directory format
----------------
``DIR/manifest.json``::

    {"entries": [
      {"id": "search-p2",                       # optional; default "entry-<index>"
       "method": "GET",                         # default GET
       "path": "/api/v1/documents.json",
       "query": {"conditions[agencies][]": ["industry-and-security-bureau"],
                 "page": "2", "fields[]": "*"},
       "status": 200,                           # default 200
       "headers": {"Content-Type": "application/json"},
       "body_file": "bodies/search-p2.json",    # relative to DIR; or "body": "...", or "json": {...}
       "fault": {"kind": "retry_after", "seconds": 2, "times": 1},
       "stage": [0, 1]}                         # optional: int or [from, to] inclusive
    ]}

Matching: method, then path, then query. The query is compared order-
insensitively as key -> list of values (a single string equals a one-item
list; repeated parameters are lists, compared as multisets). ``"*"`` as a
value matches any value(s) of that key, and the key must be present. When an
entry has no ``query`` at all it matches any query; otherwise the key sets must
be equal. A ``path`` ending in ``*`` matches every path with that prefix (one
entry for all document XML downloads). The first matching entry in manifest
order wins.

Bodies may contain ``{{base}}``, replaced by the server's URL when served, so a
recorded ``next_page_url`` points back at this server whatever its port.
Content-Type defaults from the body file extension (.json, .xml, .html, .txt).
An entry whose headers carry an ``ETag`` answers 304 to a matching
``If-None-Match`` (conditional requests).

Faults (``fault.kind``), applied to the first ``times`` hits of the entry
(default: every hit), after which the entry serves normally:

- ``delay``: ``seconds`` before answering (drives client timeouts);
- ``truncate``: announce the full Content-Length, send only ``bytes`` (default
  half the body), then close the connection;
- ``retry_after``: ``status`` (default 429) with ``Retry-After: seconds``;
- ``status``: answer ``status`` (default 500) with a short JSON error body;
- ``block_page``: an HTML "Request Access" page (``status`` default 200), as
  federalregister.gov serves to clients it blocks;
- ``reset``: close the connection (RST) without any response.

Stages: the server has a current stage (default 0). An entry with ``stage``
only matches while the current stage is in its range, so one directory can
describe "the APIs today" and "the APIs tomorrow". Switch with
``server.set_stage(n)`` or ``POST /__replay/stage?n=N``.

A request without an entry gets 404 with a JSON body naming it; every request
(matched or not) is appended to ``server.requests`` as a ``LoggedRequest``.
"""
from __future__ import annotations

import errno
import json
import logging
import signal
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from parsers.errors import UsageError
from pipeline.publish.wording import plural

log = logging.getLogger(__name__)

FAULT_KINDS = ("delay", "truncate", "retry_after", "status", "block_page", "reset")
BLOCK_PAGE = (b"<!DOCTYPE html><html><head><title>Request Access</title></head><body>"
              b"<h1>Request Access</h1><p>Due to aggressive automated scraping of FederalRegister.gov "
              b"and eCFR.gov, programmatic access to these sites is limited to access to our extensive "
              b"developer APIs.</p></body></html>")
_TYPES = {".json": "application/json", ".xml": "application/xml", ".html": "text/html; charset=utf-8",
          ".txt": "text/plain; charset=utf-8"}

# A handler builds a response in code: (method, path, query) -> (status, headers, body).
Handler = Callable[[str, str, dict[str, list[str]]], tuple[int, dict[str, str], bytes]]


@dataclass(frozen=True)
class LoggedRequest:
    """One request the server saw; tests count and inspect these."""

    method: str
    path: str
    query: dict[str, list[str]]
    status: int | None        # None: the connection was reset or cut
    entry: str | None         # id of the matching entry, None when unmatched
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Entry:
    id: str
    method: str
    path: str
    query: dict[str, list[str]] | None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    fault: dict[str, Any] | None = None
    stage: tuple[int, int] | None = None
    handler: Handler | None = None
    hits: int = 0

    def matches(self, method: str, path: str, query: dict[str, list[str]], stage: int) -> bool:
        if self.method != method:
            return False
        if self.path.endswith("*"):
            if not path.startswith(self.path[:-1]):
                return False
        elif self.path != path:
            return False
        if self.stage is not None and not (self.stage[0] <= stage <= self.stage[1]):
            return False
        if self.query is None:
            return True
        if set(self.query) != set(query):
            return False
        for key, want in self.query.items():
            if want == ["*"]:
                continue
            if sorted(want) != sorted(query[key]):
                return False
        return True


def _norm_query(q: Mapping[str, Any] | None) -> dict[str, list[str]] | None:
    if q is None:
        return None
    out = {}
    for k, v in q.items():
        vals = v if isinstance(v, (list, tuple)) else [v]
        out[str(k)] = [str(x) for x in vals]
    return out


def _norm_stage(stage: Any) -> tuple[int, int] | None:
    if stage is None:
        return None
    if isinstance(stage, int):
        return (stage, stage)
    lo, hi = stage
    return (int(lo), int(hi))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    replay: ReplayServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError):
            # the client gave up (its timeout, a size limit): expected in fault tests
            log.debug("replay: client %s went away: %s", client_address, exc)
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # headers and body go out in separate writes; without this, Nagle + delayed ACK add ~40 ms each
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:   # noqa: A002 - stdlib signature
        log.debug("replay %s", format % args)

    def do_GET(self) -> None:   # noqa: N802 - stdlib naming
        self._serve("GET")

    def do_POST(self) -> None:   # noqa: N802
        self._serve("POST")

    def do_HEAD(self) -> None:   # noqa: N802
        self._serve("HEAD")

    def _serve(self, method: str) -> None:
        replay = self.server.replay
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if method == "POST" and parts.path == "/__replay/stage":
            try:
                replay.set_stage(int(query["n"][0]))
            except (KeyError, ValueError):
                return self._send(400, {"Content-Type": "application/json"}, b'{"error": "need ?n=<int>"}')
            return self._send(200, {"Content-Type": "application/json"},
                              json.dumps({"stage": replay.stage}).encode())
        entry, fault = replay._claim(method, parts.path, query)
        headers = {k: v for k, v in self.headers.items()}
        if entry is None:
            body = json.dumps({"error": "no recorded response", "method": method, "path": parts.path,
                               "query": query}).encode()
            replay._log(LoggedRequest(method, parts.path, query, 404, None, headers))
            log.warning("replay: no entry for %s %s?%s", method, parts.path, parts.query)
            return self._send(404, {"Content-Type": "application/json"}, body)
        status, out_headers, body = self._response(entry, method, parts.path, query)
        fault = fault or {}
        kind = fault.get("kind")
        if kind == "delay":
            time.sleep(float(fault.get("seconds", 1.0)))
        elif kind == "reset":
            replay._log(LoggedRequest(method, parts.path, query, None, entry.id, headers))
            self._reset()
            return
        elif kind == "retry_after":
            status = int(fault.get("status", 429))
            out_headers = {"Content-Type": "application/json", "Retry-After": str(fault.get("seconds", 1))}
            body = json.dumps({"status": status, "message": "slow down"}).encode()
        elif kind == "status":
            status = int(fault.get("status", 500))
            out_headers = {"Content-Type": "application/json", **fault.get("headers", {})}
            body = json.dumps({"status": status, "message": "injected fault"}).encode()
        elif kind == "block_page":
            status = int(fault.get("status", 200))
            out_headers = {"Content-Type": "text/html; charset=utf-8"}
            body = BLOCK_PAGE
        elif kind == "truncate":
            cut = int(fault.get("bytes", len(body) // 2))
            replay._log(LoggedRequest(method, parts.path, query, status, entry.id, headers))
            self._send(status, out_headers, body, send_only=cut)
            self.close_connection = True
            return
        etag = out_headers.get("ETag")
        if status == 200 and etag and self.headers.get("If-None-Match") == etag:
            status, body = 304, b""
            out_headers = {"ETag": etag}
        replay._log(LoggedRequest(method, parts.path, query, status, entry.id, headers))
        self._send(status, out_headers, b"" if method == "HEAD" else body,
                   length=len(body))

    def _response(self, entry: Entry, method: str, path: str,
                  query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        if entry.handler is not None:
            status, headers, body = entry.handler(method, path, query)
        else:
            status, headers, body = entry.status, dict(entry.headers), entry.body
        base = self.server.replay.url.encode()
        return status, dict(headers), body.replace(b"{{base}}", base)

    def _send(self, status: int, headers: dict[str, str], body: bytes, *,
              send_only: int | None = None, length: int | None = None) -> None:
        self.send_response(status)
        for k, v in headers.items():
            if k.lower() not in ("content-length", "connection"):
                self.send_header(k, v)
        if status != 304:
            self.send_header("Content-Length", str(len(body) if length is None else length))
        if send_only is not None:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body if send_only is None else body[:send_only])
        self.wfile.flush()

    def _reset(self) -> None:
        # SO_LINGER 0 makes close() send RST: the client sees "connection reset".
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close_connection = True
        self.connection.close()


class ReplayServer:
    """Serve ``directory`` (see the module docstring) on 127.0.0.1; a context manager."""

    def __init__(self, directory: str | Path | None = None, port: int = 0):
        self.directory = Path(directory) if directory is not None else None
        self.port = port
        self.stage = 0
        self.entries: list[Entry] = []
        self._requests: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        if self.directory is not None and (self.directory / "manifest.json").exists():
            self.load_manifest(self.directory / "manifest.json")

    # --- configuration ---------------------------------------------------
    def load_manifest(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"{path}: not a readable replay manifest: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("entries", []), list):
            raise ValueError(f"{path}: not a replay manifest: expected {{\"entries\": [...]}}")
        for i, raw in enumerate(data.get("entries", [])):
            if "path" not in raw:
                raise ValueError(f"{path}: entry {i} has no 'path'")
            body: bytes | str | None = None
            if "body_file" in raw:
                body_path = path.parent / raw["body_file"]
                try:
                    body = body_path.read_bytes()
                except OSError as exc:
                    raise ValueError(f"{path}: entry {i}: body_file {raw['body_file']!r}: {exc}") from None
            self.add_entry(raw["path"], method=raw.get("method", "GET"), query=raw.get("query"),
                           status=raw.get("status", 200), headers=raw.get("headers"),
                           body=body if body is not None else raw.get("body"),
                           json_body=raw.get("json"), fault=raw.get("fault"), stage=raw.get("stage"),
                           id=raw.get("id") or f"entry-{i}",
                           content_type=_TYPES.get(Path(raw.get("body_file", "")).suffix))

    def add_entry(self, path: str, *, method: str = "GET", query: Mapping[str, Any] | None = None,
                  status: int = 200, headers: Mapping[str, str] | None = None,
                  body: bytes | str | None = None, json_body: Any = None,
                  fault: Mapping[str, Any] | None = None, stage: int | tuple[int, int] | list[int] | None = None,
                  handler: Handler | None = None, id: str | None = None,   # noqa: A002
                  content_type: str | None = None, first: bool = False) -> str:
        """Add a response in code; returns the entry id.

        ``handler`` builds the response per request; ``first`` puts the entry
        before all others (a fault in front of a working response).
        """
        if fault is not None and fault.get("kind") not in FAULT_KINDS:
            raise ValueError(f"replay entry {path}: unknown fault kind {fault.get('kind')!r} "
                             f"(known: {', '.join(FAULT_KINDS)})")
        hdrs = dict(headers or {})
        if json_body is not None:
            data = json.dumps(json_body).encode()
            content_type = content_type or "application/json"
        elif isinstance(body, str):
            data = body.encode("utf-8")
        else:
            data = body or b""
        if content_type and not any(k.lower() == "content-type" for k in hdrs):
            hdrs["Content-Type"] = content_type
        with self._lock:
            entry = Entry(id=id or f"entry-{len(self.entries)}", method=method.upper(), path=path,
                          query=_norm_query(query), status=status, headers=hdrs, body=data,
                          fault=dict(fault) if fault else None, stage=_norm_stage(stage), handler=handler)
            if first:
                self.entries.insert(0, entry)
            else:
                self.entries.append(entry)
        return entry.id

    def set_stage(self, n: int) -> None:
        with self._lock:
            self.stage = n

    # --- request log -------------------------------------------------------
    @property
    def requests(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._requests)

    def reset_log(self) -> None:
        with self._lock:
            self._requests.clear()

    def _log(self, req: LoggedRequest) -> None:
        with self._lock:
            self._requests.append(req)

    def _claim(self, method: str, path: str,
               query: dict[str, list[str]]) -> tuple[Entry | None, dict[str, Any] | None]:
        """Find the entry and decide, under the lock, whether this hit gets the fault."""
        with self._lock:
            for entry in self.entries:
                if entry.matches(method, path, query, self.stage):
                    entry.hits += 1
                    fault = entry.fault
                    if fault is not None and "times" in fault and entry.hits > int(fault["times"]):
                        fault = None
                    return entry, fault
        return None, None

    # --- lifecycle -----------------------------------------------------------
    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("replay server is not started")
        host, port = self._httpd.server_address[:2]
        if isinstance(host, bytes):     # (typeshed allows bytes; an AF_INET server's host is str)
            host = host.decode()
        return f"http://{host}:{port}"

    def start(self) -> ReplayServer:
        if self._httpd is not None:
            return self
        self._httpd = _Server(("127.0.0.1", self.port), _Handler)
        self._httpd.replay = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="replay", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd, self._thread = None, None

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def open_replay(directory: str | Path, port: int) -> ReplayServer:
    """A started server for the CLI, or a UsageError in one line: no manifest, bad manifest, bad or busy port."""
    if not 0 <= port <= 65535:
        raise UsageError(f"replay: port {port} is out of range (0-65535; 0 = any free port)")
    manifest = Path(directory) / "manifest.json"
    if not manifest.is_file():
        raise UsageError(f"replay: {directory} has no manifest.json: not a directory of recorded responses "
                         "(see `frtrack replay --help`)")
    try:
        server = ReplayServer(directory, port=port)
    except ValueError as exc:       # an unreadable manifest or body file, already one line naming it
        raise UsageError(f"replay: {exc}") from None
    try:
        return server.start()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"replay: port {port} on 127.0.0.1 is already in use; choose another with --port "
                             "(0 = any free port)") from None
        raise UsageError(f"replay: cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from None


def serve_forever(directory: str | Path, port: int = 8765) -> None:
    """``frtrack replay DIR --port N``: serve until Ctrl-C (or SIGTERM), then stop cleanly."""
    server = open_replay(directory, port)
    if threading.current_thread() is threading.main_thread():
        # `frtrack replay DIR &` from a script ignores Ctrl-C; stop as cleanly on `kill <pid>`
        signal.signal(signal.SIGTERM, _raise_interrupt)
    try:   # from the first line printed on: a signal may come as soon as a reader sees the URL
        print(f"replaying {len(server.entries)} recorded responses from {directory} at {server.url}", flush=True)
        print(f"  FRTRACK_FR_API_BASE={server.url}/api/v1", flush=True)
        print(f"  FRTRACK_ECFR_API_BASE={server.url}/api/versioner/v1", flush=True)
        print(f"  FRTRACK_GOVINFO_BASE={server.url}", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print(f"replay: stopping; served {plural(len(server.requests), 'request')}", flush=True)
    finally:
        server.stop()
