"""Where room records live: a `rooms` table next to the SQLite networks, or Redis keys next to the Redis ones.

A record is JSON {"token_hash": .., "state": <RoomState fields>} with a version for compare-and-set writes,
like networks. The Redis backend publishes the new state in the same atomic step as the write, so every
process sees the changes of a room in the order they were made.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import redis

from app.store.base import Stored


class RoomNotFound(KeyError):
    """No room has this code (never opened, or expired)."""


class RoomBackend(Protocol):
    """Room records with versioned writes; RedisRooms.replace() also publishes `message`, SQLiteRooms leaves
    that to the in-process hub."""

    def insert(self, code: str, record: dict[str, Any]) -> bool: ...

    def get(self, code: str) -> Stored: ...

    def replace(self, code: str, record: dict[str, Any], version: int, message: str | bytes) -> bool: ...

    def expire(self, older_than_seconds: float) -> int: ...


SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (
    code TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    version INTEGER NOT NULL,
    touched REAL NOT NULL
)
"""


class SQLiteRooms:
    """Rooms in the networks' SQLite file; broadcasting is left to the in-process hub."""

    def __init__(self, path: str, ttl_seconds: int, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.ttl_seconds = max(1, int(ttl_seconds))
        self.clock = clock
        self._local = threading.local()
        with self._db() as db:
            db.execute(SCHEMA)

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level="IMMEDIATE")
            db.execute("PRAGMA busy_timeout=30000")
            self._local.db = db
        return db

    def insert(self, code: str, record: dict[str, Any]) -> bool:
        self.expire(self.ttl_seconds)  # opening a room sweeps the expired ones, so the table stays small
        db = self._db()
        with db:
            cur = db.execute("INSERT OR IGNORE INTO rooms (code, record, version, touched) VALUES (?, ?, 1, ?)",
                             (code, json.dumps(record), self.clock()))
        return cur.rowcount == 1

    def get(self, code: str) -> Stored:
        # a room idle for longer than the TTL is gone, as its Redis key would be
        row = self._db().execute("SELECT record, version FROM rooms WHERE code = ? AND touched >= ?",
                                 (code, self.clock() - self.ttl_seconds)).fetchone()
        if row is None:
            raise RoomNotFound(code)
        return Stored(json.loads(row[0]), row[1])

    def replace(self, code: str, record: dict[str, Any], version: int, message: str | bytes) -> bool:
        db = self._db()
        with db:
            cur = db.execute("UPDATE rooms SET record = ?, version = version + 1, touched = ? "
                             "WHERE code = ? AND version = ?", (json.dumps(record), self.clock(), code, version))
        if cur.rowcount == 0:
            self.get(code)  # raises RoomNotFound if the room went away meanwhile
            return False
        return True

    def expire(self, older_than_seconds: float) -> int:
        db = self._db()
        with db:
            cur = db.execute("DELETE FROM rooms WHERE touched < ?", (self.clock() - older_than_seconds,))
        return cur.rowcount


# KEYS[1] record, KEYS[2] channel; ARGV: expected version, record, message, ttl seconds.
# Write and publish happen in one step: no other write can slip between them, so messages keep write order.
_REPLACE_AND_PUBLISH = """
local v = redis.call('HGET', KEYS[1], 'version')
if not v then return -1 end
if tonumber(v) ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'record', ARGV[2], 'version', tonumber(v) + 1)
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('PUBLISH', KEYS[2], ARGV[3])
return 1
"""


def channel_pattern(prefix: str) -> str:
    return f"{prefix}room-events:*"


def channel(prefix: str, code: str) -> str:
    return f"{prefix}room-events:{code}"


_INSERT = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'record', ARGV[1], 'version', 1)
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""


class RedisRooms:
    """Rooms as Redis hashes `<prefix>room:<code>` with a TTL refreshed on every change."""

    def __init__(self, client: redis.Redis, prefix: str, ttl_seconds: int) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl_seconds = max(1, int(ttl_seconds))
        self._replace = client.register_script(_REPLACE_AND_PUBLISH)
        self._insert = client.register_script(_INSERT)

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
