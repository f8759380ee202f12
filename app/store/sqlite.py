"""The default store: one SQLite file in WAL mode, versioned rows, each write a single statement.

Every write is one autocommit statement, so SQLite's write lock is taken and let go inside one C call that runs
without the GIL; the threads of one process take turns through a lock of their own rather than SQLite's busy
handler, which sleeps and polls. Other connections to the file (other processes, the rooms' backend) still wait
through `busy_timeout`.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

import orjson

from app.store.base import NotFound, Sizes, Stored, new_id


def _dumps(state: dict[str, Any]) -> str:
    # orjson writes the same JSON as json.dumps (shortest round-trip floats) in a fraction of the time
    return orjson.dumps(state, option=orjson.OPT_SERIALIZE_NUMPY).decode()


SCHEMA = """
CREATE TABLE IF NOT EXISTS networks (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    version INTEGER NOT NULL,
    touched REAL NOT NULL
)
"""
INDEX = "CREATE INDEX IF NOT EXISTS networks_touched ON networks (touched)"
# one row that readiness probes rewrite, apart from the networks
HEALTH = "CREATE TABLE IF NOT EXISTS health (name TEXT PRIMARY KEY, at REAL NOT NULL)"
# a read counts as a touch (a shared read-only link keeps its network alive) but costs a write at most hourly
TOUCH_EVERY = 3600.0


class SQLiteStore:
    """Networks as JSON rows; a write succeeds only if the row still has the version that was read."""

    def __init__(self, path: str, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.clock = clock
        self._local = threading.local()
        # one writer at a time in this process: a waiting thread wakes as soon as the lock is free, where SQLite's
        # busy handler would sleep (up to 100 ms a nap) while the other threads keep taking the file's lock
        self._writer = threading.Lock()
        db = self._connect()
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(SCHEMA)
        db.execute(INDEX)
        db.execute(HEALTH)

    def _connect(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            # one connection per thread, in autocommit: no transaction stays open while its thread waits for the GIL
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=True)
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=30000")
            self._local.db = db
        return db

    def create(self, state: dict[str, Any]) -> str:
        network_id = new_id()
        state["id"] = network_id
        text = _dumps(state)
        db = self._connect()
        with self._writer:
            db.execute("INSERT INTO networks (id, state, version, touched) VALUES (?, ?, 1, ?)",
                       (network_id, text, self.clock()))
        return network_id

    def get(self, network_id: str) -> Stored:
        db = self._connect()
        row = db.execute("SELECT state, version, touched FROM networks WHERE id = ?", (network_id,)).fetchone()
        if row is None:
            raise NotFound(network_id)
        now = self.clock()
        if now - row[2] > TOUCH_EVERY:
            with self._writer:
                db.execute("UPDATE networks SET touched = ? WHERE id = ? AND touched < ?", (now, network_id, now))
        return Stored(orjson.loads(row[0]), row[1])

    def sizes(self, network_id: str) -> Sizes:
        # SQLite's JSON functions walk the text in C without the GIL: a fraction of decoding a large record
        row = self._connect().execute(
            "SELECT json_extract(state, '$.layers'), json_array_length(state, '$.dataset.inputs'), "
            "json_extract(state, '$.train_biases') FROM networks WHERE id = ?", (network_id,)).fetchone()
        if row is None:
            raise NotFound(network_id)
        return Sizes(orjson.loads(row[0] or "[]"), int(row[1] or 0), row[2] is None or bool(row[2]))

    def replace(self, network_id: str, state: dict[str, Any], version: int) -> bool:
        text = _dumps(state)  # outside the lock: only the statement itself is serialised
        db = self._connect()
        with self._writer:
            cur = db.execute(
                "UPDATE networks SET state = ?, version = version + 1, touched = ? WHERE id = ? AND version = ?",
                (text, self.clock(), network_id, version),
            )
        if cur.rowcount == 0:
            # distinguish a lost race from a network that vanished meanwhile
            self.get(network_id)
            return False
        return True

    def delete(self, network_id: str) -> bool:
        db = self._connect()
        with self._writer:
            cur = db.execute("DELETE FROM networks WHERE id = ?", (network_id,))
        return cur.rowcount > 0

    def expire(self, older_than_seconds: float) -> int:
        """Delete networks nobody touched for `older_than_seconds`; returns how many went."""
        db = self._connect()
        with self._writer:
            cur = db.execute("DELETE FROM networks WHERE touched < ?", (self.clock() - older_than_seconds,))
        return cur.rowcount

    def probe(self) -> str:
        """Write the health row and read it back; raises sqlite3.Error if the file cannot be read or written."""
        now = self.clock()
        db = self._connect()
        with self._writer:
            db.execute("INSERT OR REPLACE INTO health (name, at) VALUES ('probe', ?)", (now,))
        row = db.execute("SELECT at FROM health WHERE name = 'probe'").fetchone()
        if row is None or row[0] != now:
            raise sqlite3.DatabaseError("the health row did not read back")
        return "sqlite"
