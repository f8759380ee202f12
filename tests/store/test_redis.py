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
