"""Shared pytest setup. Fixtures live in tests/plugins/, one module per real part."""
from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = [
    "tests.plugins.corpus",
    "tests.plugins.database",
    "tests.plugins.replay",
    "tests.plugins.smtp",
    "tests.plugins.browser",
]

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    """No test reads the developer's config or DB, or reaches a real API."""
    for var in ("FRTRACK_CONFIG", "FRTRACK_DB", "FRTRACK_FR_API_BASE", "FRTRACK_ECFR_API_BASE",
                "FRTRACK_GOVINFO_BASE", "FRTRACK_TODAY", "FRTRACK_SMTP_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    yield
