"""Room records in a `rooms` table of the networks' SQLite file; broadcasting is left to the in-process hub."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

from app.rooms.records import RoomNotFound
from app.store.base import Stored

SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (
    code TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    version INTEGER NOT NULL,
    touched REAL NOT NULL
)
"""


class SQLiteRooms:
    """Rooms in the networks' SQLite file, one connection per thread."""

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

    def delete(self, code: str) -> bool:
        db = self._db()
        with db:
            cur = db.execute("DELETE FROM rooms WHERE code = ?", (code,))
        return cur.rowcount == 1
