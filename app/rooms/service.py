"""What the room routes call: open a room, read it, move it (presenter only), follow it, fork its network.

Every change goes through one compare-and-set loop that bumps `seq` and publishes the new public state, so a
follower can order states by `seq` alone. The backend follows the network store: SQLite rooms and the
in-process hub beside a SQLiteStore, Redis rooms and Redis pub/sub beside a RedisStore.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from app.config import Settings
from app.rooms.backends import RedisRooms, RoomBackend, RoomNotFound, SQLiteRooms
from app.rooms.codes import new_code, normalize
from app.rooms.hub import LocalHub, RedisHub
from app.store.base import Conflict, NetworkStore, new_id

UPDATABLE = ("network_id", "sample", "position", "phase", "training", "iteration", "network_version")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def message_of(state: dict[str, Any]) -> str:
    return json.dumps(state, separators=(",", ":"))


class Rooms:
    """Rooms on one backend, with the hub that brings their changes to this process's event streams."""

    def __init__(self, backend: RoomBackend, hub: LocalHub, clock: Callable[[], float] = time.time) -> None:
        self.backend = backend
        self.hub = hub
        self.clock = clock
        # in-process ordering of write-then-publish for the local hub; Redis orders by itself
        self._locks = [threading.Lock() for _ in range(64)]

    def open(self, network_id: str, iteration: int, network_version: int) -> tuple[str, str, dict[str, Any]]:
        """A new room on a network: (code, presenter token, public state)."""
        token = secrets.token_urlsafe(24)
        for _ in range(20):
            code = new_code()
            state = {"code": code, "network_id": network_id, "sample": 0, "position": 0, "phase": None,
                     "iteration": iteration, "network_version": network_version, "training": None, "followers": 0, "seq": 1, "updated": self.clock()}
            if self.backend.insert(code, {"token_hash": _hash(token), "state": state}):
                return code, token, state
        raise RuntimeError("no free room code after 20 tries")  # 887 million codes: practically unreachable

    def get(self, raw_code: str) -> dict[str, Any]:
        """The room's public state; RoomNotFound for an unknown or malformed code."""
        code = normalize(raw_code)
        if code is None:
            raise RoomNotFound(raw_code)
        state: dict[str, Any] = self.backend.get(code).state["state"]
        return state

    def check_presenter(self, code: str, authorization: str | None) -> bool:
        """Whether `Authorization: Bearer <token>` carries this room's presenter token."""
        given = (authorization or "").removeprefix("Bearer ").strip()
        expected = self.backend.get(code).state["token_hash"]
        return bool(given) and hmac.compare_digest(_hash(given), expected)

    def update(self, raw_code: str, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        """Apply `change` to the public state, bump seq, write if nobody wrote in between, then publish."""
        code = normalize(raw_code)
        if code is None:
            raise RoomNotFound(raw_code)
        with self._locks[hash(code) % len(self._locks)]:
            for _ in range(200):
                stored = self.backend.get(code)
                state = stored.state["state"]
                change(state)
                state["seq"] += 1
                state["updated"] = self.clock()
                message = message_of(state)
                if self.backend.replace(code, stored.state, stored.version, message):
                    self.hub.local_publish(code, message)
                    return dict(state)
        raise Conflict(code)  # answered 409: retry

    def publish(self, code: str, fields: dict[str, Any]) -> dict[str, Any]:
        """The presenter's new position, phase, sample, network or training progress (only the given fields)."""

        def change(state: dict[str, Any]) -> None:
            for name in UPDATABLE:
                if name in fields:
                    state[name] = fields[name]

        return self.update(code, change)

    def join(self, code: str) -> dict[str, Any]:
        def change(state: dict[str, Any]) -> None:
            state["followers"] = int(state.get("followers", 0)) + 1

        return self.update(code, change)

    def leave(self, code: str) -> dict[str, Any] | None:
        def change(state: dict[str, Any]) -> None:
            state["followers"] = max(0, int(state.get("followers", 0)) - 1)

        try:
            return self.update(code, change)
        except RoomNotFound:
            return None


def fork_network(store: NetworkStore, network_id: str) -> dict[str, Any]:
    """A private, unprotected copy of a network under a new id (raises NotFound if the network is gone)."""
    state = store.get(network_id).state
    copy = {k: v for k, v in state.items() if k != "token_hash"}
    copy["id"] = new_id()
    copy["protected"] = False
    store.create(copy)
    return copy


_CACHE: dict[int, tuple[NetworkStore, Rooms]] = {}
_CACHE_LOCK = threading.Lock()


def rooms_for(store: NetworkStore, settings: Settings) -> Rooms:
    """The Rooms living beside this network store (one per store object, made on first use)."""
    with _CACHE_LOCK:
        hit = _CACHE.get(id(store))
        if hit is not None and hit[0] is store:
            return hit[1]
        rooms = _make(store, settings)
        _CACHE[id(store)] = (store, rooms)
        return rooms


def _make(store: NetworkStore, settings: Settings) -> Rooms:
    from app.store.redis import RedisStore

    if isinstance(store, RedisStore):
        backend: RoomBackend = RedisRooms(store.client, store.prefix, settings.room_ttl_seconds)
        return Rooms(backend, RedisHub(store.url, store.prefix))
    path = getattr(store, "path", None) or settings.db_path
    return Rooms(SQLiteRooms(str(path), settings.room_ttl_seconds), LocalHub())
