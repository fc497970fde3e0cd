"""Shared pytest setup. Fixtures live in tests/plugins/, one module per real part."""
from __future__ import annotations

import socket
from pathlib import Path

import pytest

pytest_plugins = [
    "tests.plugins.corpus",
    "tests.plugins.database",
    "tests.plugins.replay",
    "tests.plugins.smtp",
    "tests.plugins.browser",
    "tests.plugins.webhook",
]

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"


_LOOPBACK = ("127.", "::1", "localhost")


def _is_loopback(address) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    return not isinstance(host, str) or host.startswith(_LOOPBACK)   # unix sockets pass


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path, request):
    """No test reads the developer's config or DB, or reaches the internet.

    Documents carry real federalregister.gov / ecfr.gov URLs as data; the
    fetchers rebase them onto the loopback replay server. This guard makes a
    slip fail loudly: in-process sockets may only connect to loopback, and
    subprocesses get a dead proxy for anything that is not loopback.
    """
    for var in ("FRTRACK_CONFIG", "FRTRACK_DB", "FRTRACK_FR_API_BASE", "FRTRACK_ECFR_API_BASE",
                "FRTRACK_GOVINFO_BASE", "FRTRACK_TODAY", "FRTRACK_NOW", "FRTRACK_SMTP_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    if request.node.get_closest_marker("live") is None:
        for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
            monkeypatch.setenv(var, "http://127.0.0.1:9")
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost,::1")
        monkeypatch.setenv("no_proxy", "127.0.0.1,localhost,::1")
        real_connect = socket.socket.connect

        def guarded_connect(sock, address):
            if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
                raise OSError(f"test tried to reach {address!r}: tests talk only to servers on 127.0.0.1")
            return real_connect(sock, address)

        monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    yield
