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


def build_lists_world(db_path):
    """Run the pipeline over the issue-15 timeline of tests/test_e2e_lists.py (every list, SAMPLE 2099 rules)."""
    from pipeline.demo.data.replay_dir import write_replay_dir  # lazy: only the tests that ask for the world
    from pipeline.demo.replay import ReplayServer
    from pipeline.demo.run import demo_settings
    from pipeline.run import run_once
    from tests.seed import _isolated
    from tests.test_e2e_lists import STAGES

    with _isolated(), ReplayServer(write_replay_dir(STAGES, db_path.parent / "lists-replay")) as server:
        settings = demo_settings(server.url)
        for i, stage in enumerate(STAGES):
            server.set_stage(i)
            report = run_once(settings, db_path, today=stage.today, trigger="cli")
            if not report.ok:
                raise RuntimeError(f"the lists world did not build: {report.summary()}")


@pytest.fixture(scope="session")
def lists_file(tmp_path_factory):
    """The lists world (``build_lists_world``), built once per session; never handed out to write."""
    path = tmp_path_factory.mktemp("lists") / "lists.db"
    build_lists_world(path)
    return path


@pytest.fixture
def lists_db_path(tmp_path, lists_file):
    """A copy of the lists world that this test may change."""
    path = tmp_path / "lists.db"
    shutil.copy(lists_file, path)
    return path


@pytest.fixture
def lists_db(lists_db_path):
    db = open_db(lists_db_path)
    yield db
    db.close()
