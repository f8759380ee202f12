"""Expiry: networks nobody touched for DELTAFLOW_EXPIRY_DAYS go, tested with an injected clock on a real SQLite file,
and the app sweeps at start-up (then hourly).
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from app.store.base import NotFound, mutate
from app.store.sqlite import SQLiteStore
from tests.support import eventually

DAY = 86400.0


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _state() -> dict[str, Any]:
    return {"id": "", "iteration": 0}


def test_expire_removes_only_untouched_networks(tmp_path: Path) -> None:
    clock = Clock()
    store = SQLiteStore(str(tmp_path / "expiry.db"), clock=clock)
    idle, written, read = store.create(_state()), store.create(_state()), store.create(_state())
    clock.now += 20 * DAY
    mutate(store, written, lambda s: s.update(iteration=1))  # a write touches
    store.get(read)  # so does a read (a shared read-only link keeps its network)
    clock.now += 15 * DAY  # idle: 35 days; the other two: 15 days
    assert store.expire(30 * DAY) == 1
    with pytest.raises(NotFound):
        store.get(idle)
    assert store.get(written).state["iteration"] == 1
    store.get(read)
    # a second process sees the same: the deletion is committed to the file
    assert SQLiteStore(str(tmp_path / "expiry.db"), clock=clock).expire(30 * DAY) == 0
    clock.now += 31 * DAY
    assert store.expire(30 * DAY) == 2


def _exists(db: Path, network_id: str) -> bool:
    """Looks at the file directly: a read through the store would count as a touch."""
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM networks WHERE id = ?", (network_id,)).fetchone()[0] == 1


def test_the_app_sweeps_expired_networks_at_start_up(spawn: Any, tmp_path: Path) -> None:
    db = tmp_path / "sweep.db"
    stale = SQLiteStore(str(db), clock=Clock(time.time() - 3 * DAY)).create(_state())
    fresh = SQLiteStore(str(db)).create(_state())
    assert _exists(db, stale) and _exists(db, fresh)
    spawn(db=db, env={"DELTAFLOW_EXPIRY_DAYS": "2"}, name="sweep")
    # the sweep runs in the background after start-up
    eventually(lambda: not _exists(db, stale), message="the expired network was not swept")
    assert _exists(db, fresh)
