"""A real webhook receiver on 127.0.0.1 (http.server in a thread) for the alert tests.

``webhook_receiver`` records every POST (path, headers, parsed JSON body) and
answers 200, or ``fail(n, status)`` times ``status`` first (a failing chat
service: the alert is retried on the next poll; a 429 carries ``Retry-After: 7``).
"""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Posted:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int                # what the receiver answered

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    posts: list[Posted] = field(default_factory=list)
    _failures: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _httpd: ThreadingHTTPServer | None = None

    def fail(self, times: int, status: int = 500) -> None:
        """The next ``times`` POSTs get ``status``."""
        with self._lock:
            self._failures.extend([status] * times)

    @property
    def url(self) -> str:
        assert self._httpd is not None
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/hooks/T000/SECRET"

    @property
    def accepted(self) -> list[Any]:
        """The JSON bodies of the POSTs answered 200."""
        return [p.json for p in self.posts if p.status == 200]

    def _answer(self) -> int:
        with self._lock:
            return self._failures.pop(0) if self._failures else 200

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:   # noqa: A002 - stdlib signature
                pass

            def do_POST(self) -> None:   # noqa: N802 - stdlib naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = receiver._answer()
                with receiver._lock:
                    receiver.posts.append(Posted(self.path, dict(self.headers), body, status))
                reply = b"ok" if status == 200 else b"upstream trouble"
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                if status == 429:
                    self.send_header("Retry-After", "7")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()
