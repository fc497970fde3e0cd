"""Real SQLite files: an empty migrated DB and one seeded with the Cambodia story."""
from __future__ import annotations

import pytest

from store.db import open_db
from tests.seed import seed_cambodia_story, seed_lists


@pytest.fixture
def fresh_db(tmp_path):
    db = open_db(tmp_path / "fresh.db")
    yield db
    db.close()


@pytest.fixture
def seeded_db_path(tmp_path):
    path = tmp_path / "seeded.db"
    db = open_db(path)
    seed_cambodia_story(db)
    db.close()
    return path


@pytest.fixture
def seeded_db(seeded_db_path):
    db = open_db(seeded_db_path)
    yield db
    db.close()


@pytest.fixture
def lists_db_path(tmp_path):
    """The seeded story plus its § 744.21 / § 744.22 and Entity List facts (tests.seed.seed_lists)."""
    path = tmp_path / "lists.db"
    db = open_db(path)
    seed_cambodia_story(db)
    seed_lists(db)
    db.close()
    return path


@pytest.fixture
def lists_db(lists_db_path):
    db = open_db(lists_db_path)
    yield db
    db.close()
