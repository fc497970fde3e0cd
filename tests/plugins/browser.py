"""A real headless Chromium (Debian ``chromium`` + ``chromedriver``) driven by selenium.

The driver is session-scoped: starting Chromium costs about a second and the
site tests only read pages. Console messages and network events are logged
(``goog:loggingPrefs``) so tests can assert "no console errors" and "no
request left the site folder".

Where no browser can exist the tests skip with the reason; CI sets
FRTRACK_REQUIRE_BROWSER=1 to turn that skip into a failure.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

# Overridable so the skip/fail rule itself can be tested with a browser that "does not exist".
CHROMIUM = os.environ.get("FRTRACK_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("FRTRACK_CHROMEDRIVER", "/usr/bin/chromedriver")
CHROME_ARGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", "--window-size=1280,900")


def _unavailable(reason: str) -> None:
    if os.environ.get("FRTRACK_REQUIRE_BROWSER") == "1":
        pytest.fail(f"FRTRACK_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium WebDriver with browser and performance logs enabled."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed (pip install -e '.[test]')")
    for exe in (CHROMIUM, CHROMEDRIVER):
        if not os.access(exe, os.X_OK):
            _unavailable(f"{exe} not found (apt-get install chromium chromium-driver)")
    profile = tempfile.mkdtemp(prefix="frtrack-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in CHROME_ARGS:
        opts.add_argument(arg)
    opts.add_argument(f"--user-data-dir={profile}")
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    try:
        driver = webdriver.Chrome(options=opts, service=Service(CHROMEDRIVER))
    except Exception as exc:  # noqa: BLE001 - any start failure means "no usable browser here"
        shutil.rmtree(profile, ignore_errors=True)
        _unavailable(f"headless Chromium did not start: {type(exc).__name__}: {exc}".splitlines()[0])
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser: Any) -> Any:
    """The shared driver with its logs drained, so a test sees only its own messages."""
    browser.get("about:blank")
    browser.get_log("browser")
    browser.get_log("performance")
    return browser


def console_errors(driver: Any) -> list[dict[str, Any]]:
    """SEVERE console entries (JS errors, failed loads) since the last drain."""
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def requested_urls(driver: Any) -> list[str]:
    """Every URL the page asked the network stack for since the last drain (DevTools events),
    plus the Resource Timing entries of the current document."""
    urls: list[str] = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    urls += driver.execute_script(
        "return performance.getEntriesByType('resource').map(function (e) { return e.name; });")
    return urls


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


@pytest.fixture
def static_server() -> Iterator[Any]:
    """Serve a folder on 127.0.0.1 (a free port): call it with the folder, get the base URL."""
    servers: list[ThreadingHTTPServer] = []

    def serve(folder: str | os.PathLike[str]) -> str:
        srv = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(Path(folder))))
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return f"http://127.0.0.1:{srv.server_address[1]}/"

    yield serve
    for srv in servers:
        srv.shutdown()
        srv.server_close()
