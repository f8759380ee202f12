"""What only the Redis store does: key TTLs set on create, refreshed on write, and honoured by Redis itself."""

from __future__ import annotations

import pytest

from app.store.base import NotFound
from app.store.redis import RedisStore
from tests.redis_server import RedisServer
from tests.support import eventually


def test_ttl_is_set_on_create_and_refreshed_on_every_write(redis_server: RedisServer) -> None:
    store = RedisStore(redis_server.url, ttl_seconds=1000)
    nid = store.create({"iteration": 0})
    assert 990 <= store.ttl(nid) <= 1000
    store.client.expire(f"{store.prefix}net:{nid}", 5)  # as if most of the TTL had passed
    read = store.get(nid)
    assert store.replace(nid, read.state, read.version)
    assert 990 <= store.ttl(nid) <= 1000
    store.close()


def test_redis_expires_an_untouched_network_by_itself(redis_server: RedisServer) -> None:
    store = RedisStore(redis_server.url, ttl_seconds=1)
    nid = store.create({"iteration": 0})

    def gone() -> bool:
        try:
            store.get(nid)
        except NotFound:
            return True
        return False

    eventually(gone, message="redis did not expire the network")  # its TTL is one second
    store.close()


def test_two_stores_with_different_prefixes_do_not_see_each_other(redis_server: RedisServer) -> None:
    a = RedisStore(redis_server.url, prefix="course-a:")
    b = RedisStore(redis_server.url, prefix="course-b:")
    nid = a.create({"iteration": 0})
    with pytest.raises(NotFound):
        b.get(nid)
    assert a.get(nid).state["id"] == nid
    a.close()
    b.close()


def test_the_timeout_setting_reaches_the_sync_clients(redis_server: RedisServer,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """DELTAFLOW_REDIS_TIMEOUT bounds every blocking call of the shared client and of the rooms' hub, so a stalled
    redis-server fails a request (503) rather than holding a thread (tests/rooms/test_redis_stall.py)."""
    from app import deps
    from app.rooms.redis.hub import RedisHub
    from app.rooms.wiring import open_classroom

    monkeypatch.setenv("DELTAFLOW_REDIS_URL", redis_server.url)
    monkeypatch.setenv("DELTAFLOW_REDIS_TIMEOUT", "1.5")
    deps._settings.cache_clear()
    deps._store.cache_clear()
    try:
        store = deps._store()
        assert isinstance(store, RedisStore)
        kwargs = store.client.connection_pool.connection_kwargs
        assert (kwargs["socket_timeout"], kwargs["socket_connect_timeout"]) == (1.5, 1.5)
        classroom = open_classroom(store, deps._settings())
        hub = classroom.rooms.hub
        assert isinstance(hub, RedisHub) and hub.timeout == 1.5
        classroom.close()
        store.close()
    finally:
        deps._settings.cache_clear()
        deps._store.cache_clear()
