"""Fixtures for the reliability tests: real uvicorn processes on free ports with their own SQLite files.

Nothing is mocked: a test that needs a server gets a real one (tests/reliability/server.py), and can kill it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.reliability.server import Server


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Any]:
    """Starts servers on demand (same DB file by default) and stops every one of them after the test."""
    servers: list[Server] = []

    def start(db: Path | None = None, env: dict[str, str] | None = None, log_level: str = "warning",
              name: str | None = None) -> Server:
        log = tmp_path / f"{name or f'server{len(servers)}'}.log"
        server = Server(db or tmp_path / "deltaflow.db", log, env, log_level).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One shared real server for the tests that only need some server."""
    tmp = tmp_path_factory.mktemp("reliability-live")
    server = Server(tmp / "deltaflow.db", tmp / "uvicorn.log").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def http(live: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=60) as client:
        yield client
