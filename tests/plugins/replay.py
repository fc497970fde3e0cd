"""The replay server as pytest fixtures: a real HTTP server on 127.0.0.1 per test."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest

from pipeline.replay import ReplayServer


@pytest.fixture
def replay_server(tmp_path) -> Iterator[ReplayServer]:
    """An empty, started server; tests add entries with ``add_entry``."""
    directory = tmp_path / "replay"
    directory.mkdir(exist_ok=True)
    with ReplayServer(directory) as server:
        yield server


@pytest.fixture
def make_replay() -> Iterator[Callable[[str | Path], ReplayServer]]:
    """Factory: ``make_replay(directory)`` starts a server over a manifest directory."""
    started: list[ReplayServer] = []

    def make(directory: str | Path) -> ReplayServer:
        server = ReplayServer(directory).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()
