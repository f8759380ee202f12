"""Fixtures shared by every test folder: the real app over HTTP on a real store, and one real redis-server.

`client` runs each test that uses it twice: on the SQLite store (a temporary file) and on the Redis store (the
session's redis-server), swapped into the app through the dependency the routes declare.
DELTAFLOW_TEST_STORES=sqlite (or redis) runs one backend only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect

from app import deps
from app.main import app
from app.store.base import NetworkStore
from app.store.sqlite import SQLiteStore
from tests.redis_server import RedisServer

BACKENDS = [b for b in os.environ.get("DELTAFLOW_TEST_STORES", "sqlite,redis").split(",") if b]
# Playwright's expect polls until its timeout, which is only there to turn a hang into a failure: generous
expect.set_options(timeout=30_000)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One redis-server for the session; a test that needs it empty calls flush()."""
    with RedisServer.start(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return str(tmp_path / "deltaflow-test.db")


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, db_path: str) -> Iterator[NetworkStore]:
    """A real SQLite store on a fresh file, or a real Redis store emptied first."""
    if request.param == "sqlite":
        yield SQLiteStore(db_path)
        return
    from app.store.redis import RedisStore

    server: RedisServer = request.getfixturevalue("redis_server")
    server.flush()
    redis_store = RedisStore(server.url, ttl_seconds=3600)
    try:
        yield redis_store
    finally:
        redis_store.close()


@pytest.fixture
def client(store: NetworkStore) -> Iterator[TestClient]:
    """The real app, its store swapped for the test's through the dependency the routes declare."""
    app.dependency_overrides[deps.get_store] = lambda: store
    with TestClient(app, base_url="http://localhost") as c:
        yield c
    app.dependency_overrides.pop(deps.get_store, None)


@pytest.fixture
def xor(client: TestClient) -> dict:
    """A fresh network from the lecture's XOR preset."""
    r = client.post("/api/networks", json={"preset": "xor"})
    assert r.status_code == 201, r.text
    return r.json()
