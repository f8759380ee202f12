"""Store fixtures: every contract test runs against SQLite (a real temp file) and Redis (a real redis-server)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app.store.base import NetworkStore
from tests.redis_server import RedisServer


class Clock:
    """A hand-moved clock, so expiry is tested without sleeping."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Any, clock: Clock) -> Iterator[NetworkStore]:
    if request.param == "sqlite":
        from app.store.sqlite import SQLiteStore

        yield SQLiteStore(str(tmp_path / "store.db"), clock=clock)
        return
    from app.store.redis import RedisStore

    server: RedisServer = request.getfixturevalue("redis_server")
    server.flush()
    redis_store = RedisStore(server.url, ttl_seconds=3600, clock=clock)
    try:
        yield redis_store
    finally:
        redis_store.close()
