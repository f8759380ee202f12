"""The scale-out store: networks as Redis hashes shared by every worker and host, with compare-and-set writes.

Each record is a hash {state, version, touched} under `<prefix>net:<id>` with a TTL refreshed on every write,
so idle networks expire on their own. Writes go through a Lua script that checks the version and writes in one
atomic step, the same no-lost-update rule as the SQLite store. Room records live in app/rooms, not here.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import redis

from app.store.base import NotFound, Sizes, Stored, new_id, sizes_of

# KEYS[1] record; ARGV: expected version, new state, touched, ttl seconds (0 = none), the state's sizes.
# Returns 1 written, 0 someone else wrote first, -1 the record is gone.
_REPLACE = """
local v = redis.call('HGET', KEYS[1], 'version')
if not v then return -1 end
if tonumber(v) ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'version', tonumber(v) + 1, 'touched', ARGV[3], 'sizes', ARGV[5])
if tonumber(ARGV[4]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[4]) end
return 1
"""

# KEYS[1] record; ARGV[1] cut-off time. Deletes the record only if it is still untouched since the cut-off.
_DELETE_IF_OLD = """
local t = redis.call('HGET', KEYS[1], 'touched')
if t and tonumber(t) < tonumber(ARGV[1]) then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _sizes_json(state: dict[str, Any]) -> str:
    """The sizes kept beside the state, so a request is priced without decoding the record."""
    sizes = sizes_of(state)
    return json.dumps({"layers": sizes.layers, "rows": sizes.rows, "train_biases": sizes.train_biases})


class RedisStore:
    """Networks in Redis; `ttl_seconds` (0 for none) is how long an untouched network is kept, `timeout` (None for
    none) how long one call may wait for Redis before it fails with redis.TimeoutError (answered 503)."""

    def __init__(self, url: str, ttl_seconds: int = 30 * 86400, prefix: str = "deltaflow:",
                 clock: Callable[[], float] = time.time, timeout: float | None = None) -> None:
        self.url = url
        self.ttl_seconds = int(ttl_seconds)
        self.prefix = prefix
        self.clock = clock
        self.timeout = timeout
        # decode_responses: states are JSON text; the pool is thread-safe, so one client serves every thread.
        # The timeouts keep a stalled redis-server from holding a thread of the pool for ever.
        self.client: redis.Redis = redis.Redis.from_url(url, decode_responses=True, health_check_interval=30,
                                                        socket_timeout=timeout, socket_connect_timeout=timeout)
        self._replace = self.client.register_script(_REPLACE)
        self._delete_if_old = self.client.register_script(_DELETE_IF_OLD)

    def _key(self, network_id: str) -> str:
        return f"{self.prefix}net:{network_id}"

    def create(self, state: dict[str, Any]) -> str:
        network_id = new_id()
        state["id"] = network_id
        key = self._key(network_id)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"state": json.dumps(state), "version": 1, "touched": repr(self.clock()),
                                    "sizes": _sizes_json(state)})
            if self.ttl_seconds > 0:
                pipe.expire(key, self.ttl_seconds)
            pipe.execute()
        return network_id

    def get(self, network_id: str) -> Stored:
        raw, version = self.client.hmget(self._key(network_id), ["state", "version"])
        if raw is None or version is None:
            raise NotFound(network_id)
        return Stored(json.loads(raw), int(version))

    def sizes(self, network_id: str) -> Sizes:
        raw, version = self.client.hmget(self._key(network_id), ["sizes", "version"])
        if version is None:
            raise NotFound(network_id)
        if raw is None:  # written before sizes were kept beside the state
            return sizes_of(self.get(network_id).state)
        got = json.loads(raw)
        return Sizes(list(got["layers"]), int(got["rows"]), bool(got["train_biases"]))

    def replace(self, network_id: str, state: dict[str, Any], version: int) -> bool:
        outcome = int(self._replace(keys=[self._key(network_id)], args=[
            version, json.dumps(state), repr(self.clock()), self.ttl_seconds, _sizes_json(state)]))
        if outcome < 0:
            raise NotFound(network_id)
        return outcome == 1

    def delete(self, network_id: str) -> bool:
        return int(self.client.delete(self._key(network_id))) > 0

    def expire(self, older_than_seconds: float) -> int:
        """Delete networks nobody touched for `older_than_seconds` (TTLs do this too; this is for a sweep now)."""
        cutoff = repr(self.clock() - older_than_seconds)
        gone = 0
        for key in self.client.scan_iter(match=f"{self.prefix}net:*", count=500):
            gone += int(self._delete_if_old(keys=[key], args=[cutoff]))
        return gone

    def probe(self) -> str:
        """Write a short-lived health key and read it back; raises a redis error if Redis cannot do both."""
        key, value = f"{self.prefix}health", repr(self.clock())
        self.client.set(key, value, ex=60)
        if self.client.get(key) != value:
            raise redis.RedisError("the health key did not read back")
        return "redis"

    def ttl(self, network_id: str) -> int:
        """Seconds until this network expires (-1 no TTL, -2 missing); for tests and operators."""
        return int(self.client.ttl(self._key(network_id)))

    def close(self) -> None:
        self.client.close()
