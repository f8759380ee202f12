"""The room record contract on both backends: insert once, versioned writes, expiry; Redis publishes in write order."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from app.rooms.local.records import SQLiteRooms
from app.rooms.records import RoomNotFound, RoomRecords
from app.rooms.redis.records import RedisRooms, channel
from tests.redis_server import RedisServer
from tests.support import eventually


class Clock:
    def __init__(self) -> None:
        self.now = 5_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", "redis"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RoomRecords]:
    if request.param == "sqlite":
        yield SQLiteRooms(str(tmp_path / "rooms.db"), ttl_seconds=3600)
        return
    server: RedisServer = request.getfixturevalue("redis_server")
    client = redis.Redis.from_url(server.url, decode_responses=True)
    yield RedisRooms(client, "test:", ttl_seconds=3600)
    client.close()


def _record(position: int = 0) -> dict:
    return {"token_hash": "h", "state": {"position": position, "seq": 1}}


def test_insert_refuses_a_taken_code(backend: RoomRecords) -> None:
    code = f"A{time.monotonic_ns() % 10**8:08d}"
    assert backend.insert(code, _record(1)) is True
    assert backend.insert(code, _record(2)) is False
    got = backend.get(code)
    assert got.state["state"]["position"] == 1 and got.version == 1


def test_replace_is_compare_and_set(backend: RoomRecords) -> None:
    code = f"B{time.monotonic_ns() % 10**8:08d}"
    backend.insert(code, _record())
    assert backend.replace(code, _record(5), 1, "{}") is True
    assert backend.replace(code, _record(6), 1, "{}") is False
    got = backend.get(code)
    assert got.state["state"]["position"] == 5 and got.version == 2
    with pytest.raises(RoomNotFound):
        backend.get("NOSUCH")
    with pytest.raises(RoomNotFound):
        backend.replace("NOSUCH", _record(), 1, "{}")


def test_sqlite_rooms_expire_when_idle(tmp_path: Path) -> None:
    clock = Clock()
    rooms = SQLiteRooms(str(tmp_path / "rooms.db"), ttl_seconds=100, clock=clock)
    rooms.insert("OLDONE", _record())
    clock.now += 60
    rooms.insert("NEWONE", _record())
    clock.now += 50
    with pytest.raises(RoomNotFound):
        rooms.get("OLDONE")
    assert rooms.get("NEWONE").version == 1
    assert rooms.expire(100) == 1


def test_redis_publishes_each_write_in_the_same_step(redis_server: RedisServer) -> None:
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    rooms = RedisRooms(client, "pub:", ttl_seconds=60)
    rooms.insert("PUBSUB", _record())
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(channel("pub:", "PUBSUB"))
    eventually(lambda: client.pubsub_numsub(channel("pub:", "PUBSUB"))[0][1] == 1, message="never subscribed")
    for version in range(1, 6):
        assert rooms.replace("PUBSUB", _record(version), version, json.dumps({"v": version}))
    assert rooms.replace("PUBSUB", _record(99), 1, json.dumps({"v": 99})) is False  # refused: not published
    client.publish(channel("pub:", "PUBSUB"), json.dumps({"v": "end"}))  # anything the refusal sent comes before
    got: list[object] = []

    def received_end() -> bool:
        msg = pubsub.get_message(timeout=0.1)
        if msg:
            got.append(json.loads(msg["data"])["v"])
        return "end" in got

    eventually(received_end, message=lambda: f"the marker never came; got {got}")
    assert got == [1, 2, 3, 4, 5, "end"]
    assert 0 < client.ttl("pub:room:PUBSUB") <= 60
    pubsub.close()
    client.close()
