"""The Redis class list against a real redis-server: a follower seen in a room that has ended (a stream closing
after DELETE /api/rooms/{code}) writes nothing back."""

from __future__ import annotations

import redis

from app.rooms.redis.roster import RedisRoster
from tests.redis_server import RedisServer


def test_a_room_that_has_ended_is_not_written_back(redis_server: RedisServer) -> None:
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    roster = RedisRoster(client, "roster-test:", 60)
    client.hset("roster-test:room:LIVE01", "state", "{}")
    roster.seen("LIVE01", "f1", 1.0, 1)
    assert roster.read("LIVE01").live == {"f1": 1}
    roster.seen("GONE01", "f1", 2.0, -1)  # no record: the room has ended
    assert client.keys("roster-test:*GONE01*") == []
