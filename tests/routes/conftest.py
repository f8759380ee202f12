"""Runs every route test twice: on the SQLite store and on the Redis store (a real redis-server).

It overrides the `store` fixture of tests/conftest.py, which the `client` fixture swaps into the app through
app.dependency_overrides[app.deps.get_store]. DELTAFLOW_TEST_STORES=sqlite (or redis) runs one backend only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from app.store.base import NetworkStore
from app.store.sqlite import SQLiteStore
from tests.redis_server import RedisServer

BACKENDS = [b for b in os.environ.get("DELTAFLOW_TEST_STORES", "sqlite,redis").split(",") if b]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with RedisServer.start(tmp_path_factory.mktemp("redis-routes")) as server:
        yield server


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, db_path: str) -> Iterator[NetworkStore]:
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
