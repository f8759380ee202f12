"""Room records as Redis hashes; a write publishes the new state in the same atomic step, so every process sees a
room's changes in the order they were made."""

from __future__ import annotations

import json
from typing import Any

import redis

from app.rooms.records import RoomNotFound
from app.rooms.redis import scripts
from app.store.base import Stored


def channel_pattern(prefix: str) -> str:
    return f"{prefix}room-events:*"


def channel(prefix: str, code: str) -> str:
    return f"{prefix}room-events:{code}"


class RedisRooms:
    """Rooms as Redis hashes `<prefix>room:<code>` with a TTL refreshed on every change."""

    def __init__(self, client: redis.Redis, prefix: str, ttl_seconds: int) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl_seconds = max(1, int(ttl_seconds))
        self._replace = client.register_script(scripts.RECORDS_REPLACE)
        self._insert = client.register_script(scripts.RECORDS_INSERT)

    def _key(self, code: str) -> str:
        return f"{self.prefix}room:{code}"

    def insert(self, code: str, record: dict[str, Any]) -> bool:
        return int(self._insert(keys=[self._key(code)], args=[json.dumps(record), self.ttl_seconds])) == 1

    def get(self, code: str) -> Stored:
        raw, version = self.client.hmget(self._key(code), ["record", "version"])
        if raw is None or version is None:
            raise RoomNotFound(code)
        return Stored(json.loads(raw), int(version))

    def replace(self, code: str, record: dict[str, Any], version: int, message: str | bytes) -> bool:
        outcome = int(self._replace(keys=[self._key(code), channel(self.prefix, code)],
                                    args=[version, json.dumps(record), message, self.ttl_seconds]))
        if outcome < 0:
            raise RoomNotFound(code)
        return outcome == 1

    def expire(self, older_than_seconds: float) -> int:
        return 0  # Redis drops idle rooms by their TTL

    def delete(self, code: str) -> bool:
        return bool(self.client.delete(self._key(code)))
