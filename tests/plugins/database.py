"""Real SQLite files: an empty migrated DB and the seed (the Cambodia story as the real pipeline stores it)."""
from __future__ import annotations

import shutil

import pytest

from store.db import open_db
from tests.seed import build_seed, safety_stages


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


@pytest.fixture(scope="session")
def safety_seed_file(tmp_path_factory):
    """The seed plus the states issue 12 publishes apart, each by its real cause (tests.seed.safety_stages)."""
    path = tmp_path_factory.mktemp("safety-seed") / "seed.db"
    build_seed(path, world=safety_stages())
    return path


@pytest.fixture
def safety_db_path(tmp_path, safety_seed_file):
    path = tmp_path / "safety.db"
    shutil.copy(safety_seed_file, path)
    return path


@pytest.fixture
def safety_db(safety_db_path):
    db = open_db(safety_db_path)
    yield db
    db.close()
