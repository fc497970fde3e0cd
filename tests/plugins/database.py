"""Real SQLite files: an empty migrated DB and the seed (the Cambodia story as the real pipeline stores it)."""
from __future__ import annotations

import shutil

import pytest

from store.db import open_db
from tests.seed import build_seed


@pytest.fixture
def fresh_db(tmp_path):
    db = open_db(tmp_path / "fresh.db")
    yield db
    db.close()


@pytest.fixture(scope="session")
def seed_file(tmp_path_factory):
    """The seed, built once per session by running the pipeline (tests/seed.py); never handed out to write."""
    path = tmp_path_factory.mktemp("seed") / "seed.db"
    build_seed(path)
    return path


@pytest.fixture
def seeded_db_path(tmp_path, seed_file):
    """A copy of the seed that this test may change."""
    path = tmp_path / "seeded.db"
    shutil.copy(seed_file, path)   # the mode too (0600, as open_db makes it)
    return path


@pytest.fixture
def seeded_db(seeded_db_path):
    db = open_db(seeded_db_path)
    yield db
    db.close()
