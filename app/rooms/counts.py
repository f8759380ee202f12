"""Room tallies: counters that are not room state (the followers count now, a class quiz's answer tallies later).

A change here never bumps a room's `seq` and never rewrites the room record. Counts live in atomic counters,
in-process for the single-process set-up or in a Redis hash changed by Lua increments for several processes,
and each room's counters carry a version `v` that orders the coalesced `tally` events (hub.py sends those at
most a few times a second). Counts are *held* or plain: a held count (a follower is an open event stream) is
kept as each process's own share, and the shares of a process that stops heart-beating (killed, frozen host)
are dropped by the others within `timeout`; a plain count (an answer given) stays until the room expires.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import redis

log = logging.getLogger("deltaflow.rooms")

FOLLOWERS = "followers"


def heartbeat_seconds() -> float:
    """Seconds between a process's heartbeats (`DELTAFLOW_ROOM_HEARTBEAT`); a process is dead after 4 missed."""
    return float(os.environ.get("DELTAFLOW_ROOM_HEARTBEAT") or 10)


@dataclass(frozen=True)
class Tally:
    """A room's counters at version `v` (a higher `v` is newer; 0 for a room nothing was counted in)."""

    values: dict[str, int]
    v: int

    def get(self, name: str) -> int:
        return int(self.values.get(name, 0))


class Counts(Protocol):
    """Atomic counters per room; every change answers the room's whole tally after it."""

    def add(self, code: str, name: str, delta: int, held: bool = True) -> Tally: ...

    def read(self, code: str) -> Tally: ...

    def close(self) -> None: ...


class LocalCounts:
    """The single-process set-up: counters in this process's memory (they die with it, as its streams do)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, dict[str, int]] = {}
        self._last = 0  # one version sequence for every room: it only grows, and nothing per room is kept for it

    def add(self, code: str, name: str, delta: int, held: bool = True) -> Tally:
        with self._lock:
            values = self._values.setdefault(code, {})
            values[name] = max(0, values.get(name, 0) + delta)
            self._last += 1
            tally = Tally(dict(values), self._last)
            if not any(values.values()):  # nothing counted any more: forget the room
                del self._values[code]
            return tally

    def read(self, code: str) -> Tally:
        with self._lock:
            return Tally(dict(self._values.get(code, {})), self._last)

    def close(self) -> None:
        pass


def _tally_of(flat: list[Any]) -> Tally:
    """A Tally from a Lua reply [v, name1, value1, name2, value2, ...]."""
    it = iter(flat[1:])
    return Tally({_s(k): int(val) for k, val in zip(it, it, strict=True)}, int(flat[0]))


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


# The tally hash of a room holds the aggregate of each count ("followers"), each process's share of a held count
# ("followers@<proc>"), and "v". Every script answers [v, name, value, ...] of the aggregates after it.
_AGGREGATES = """
local function tally(key)
  local out = {tonumber(redis.call('HGET', key, 'v') or '0')}
  local all = redis.call('HGETALL', key)
  for i = 1, #all, 2 do
    if all[i] ~= 'v' and not string.find(all[i], '@', 1, true) then
      out[#out + 1] = all[i]
      out[#out + 1] = tonumber(all[i + 1])
    end
  end
  return out
end
"""

# KEYS[1] tally hash; ARGV: name, delta, ttl seconds. A plain count (not held by a process).
_ADD = _AGGREGATES + """
local total = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
if total < 0 then redis.call('HSET', KEYS[1], ARGV[1], 0) end
redis.call('HINCRBY', KEYS[1], 'v', 1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return tally(KEYS[1])
"""

_READ = _AGGREGATES + "return tally(KEYS[1])"

# KEYS[1] tally hash, KEYS[2] the process's set of rooms where it holds shares; ARGV: name, delta, process,
# ttl seconds, code. Increments commute, so a process's joins and leaves need no ordering among themselves.
_ADD_HELD = _AGGREGATES + """
local share, delta = ARGV[1] .. '@' .. ARGV[3], tonumber(ARGV[2])
local mine = redis.call('HINCRBY', KEYS[1], share, delta)
if mine <= 0 then
  redis.call('HDEL', KEYS[1], share)
  redis.call('SREM', KEYS[2], ARGV[5])
  delta = delta - mine  -- the share had been dropped (the process was taken for dead): never count below it
else
  redis.call('SADD', KEYS[2], ARGV[5])
  redis.call('EXPIRE', KEYS[2], ARGV[4])
end
if delta ~= 0 then
  local total = redis.call('HINCRBY', KEYS[1], ARGV[1], delta)
  if total < 0 then redis.call('HSET', KEYS[1], ARGV[1], 0) end
end
redis.call('HINCRBY', KEYS[1], 'v', 1)
redis.call('EXPIRE', KEYS[1], ARGV[4])
return tally(KEYS[1])
"""

# KEYS[1] tally hash, KEYS[2] the process's room set; ARGV: name, process, its share now, ttl seconds, code.
# At each beat: sets the share to what the process holds (so a share dropped while the process was alive but
# silent comes back whole) and moves the aggregate by the difference; answers [changed, v, ...].
_SET_SHARE = _AGGREGATES + """
local share, n = ARGV[1] .. '@' .. ARGV[2], tonumber(ARGV[3])
local old = tonumber(redis.call('HGET', KEYS[1], share) or '0')
if n > 0 then
  redis.call('HSET', KEYS[1], share, n)
  redis.call('SADD', KEYS[2], ARGV[5])
  redis.call('EXPIRE', KEYS[2], ARGV[4])
else
  redis.call('HDEL', KEYS[1], share)
end
local changed = 0
if n ~= old then
  local total = redis.call('HINCRBY', KEYS[1], ARGV[1], n - old)
  if total < 0 then redis.call('HSET', KEYS[1], ARGV[1], 0) end
  redis.call('HINCRBY', KEYS[1], 'v', 1)
  changed = 1
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
local out = tally(KEYS[1])
table.insert(out, 1, changed)
return out
"""

# KEYS[1] tally hash; ARGV[1] a dead process: its shares leave the aggregates. nil if it held none here.
_DROP = _AGGREGATES + """
local suffix = '@' .. ARGV[1]
local all = redis.call('HGETALL', KEYS[1])
local dropped = false
for i = 1, #all, 2 do
  local at = string.find(all[i], suffix, 1, true)
  if at and at + #suffix - 1 == #all[i] then
    local name = string.sub(all[i], 1, at - 1)
    local total = redis.call('HINCRBY', KEYS[1], name, -tonumber(all[i + 1]))
    if total < 0 then redis.call('HSET', KEYS[1], name, 0) end
    redis.call('HDEL', KEYS[1], all[i])
    dropped = true
  end
end
if not dropped then return nil end
redis.call('HINCRBY', KEYS[1], 'v', 1)
return tally(KEYS[1])
"""

# KEYS[1] the processes' heartbeats (sorted set, score = the Redis time by which each must beat again); ARGV:
# this process, its timeout in seconds. Beats for this process and claims those past their own deadline (each
# process states its own, so processes with different settings judge each other right); ZREM makes exactly
# one live process the reaper of each.
_BEAT = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
redis.call('ZADD', KEYS[1], t + tonumber(ARGV[2]), ARGV[1])
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. t)
local claimed = {}
for _, p in ipairs(dead) do
  if redis.call('ZREM', KEYS[1], p) == 1 then claimed[#claimed + 1] = p end
end
return claimed
"""


def tally_channel_pattern(prefix: str) -> str:
    return f"{prefix}room-tallies:*"


def tally_channel(prefix: str, code: str) -> str:
    return f"{prefix}room-tallies:{code}"


class RedisCounts:
    """Counts shared by every process through Redis, with one heartbeat thread per process.

    Each process holds its own share of a held count and beats every `heartbeat` seconds; a process silent for
    4 beats is claimed by one live process, which drops its shares and publishes the rooms' new tallies. A process
    taken for dead by mistake (frozen for a while) puts its shares back at its next beat.
    """

    def __init__(self, client: redis.Redis, prefix: str, ttl_seconds: int, heartbeat: float,
                 on_change: Callable[[str, Tally], None], url: str | None = None) -> None:
        self.client = client
        self.url = url  # for the event loop's own client (joins without a thread hop); None: threads only
        self.prefix = prefix
        self.ttl_seconds = max(1, int(ttl_seconds))
        self.heartbeat = max(0.05, heartbeat)
        self.timeout = 4 * self.heartbeat
        self.on_change = on_change  # tallies this process learnt of by itself (the reaper's): to be published
        self.proc = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self._add = client.register_script(_ADD)
        self._add_held = client.register_script(_ADD_HELD)
        self._read = client.register_script(_READ)
        self._set = client.register_script(_SET_SHARE)
        self._drop = client.register_script(_DROP)
        self._beat = client.register_script(_BEAT)
        self._lock = threading.Lock()
        self._held: dict[tuple[str, str], int] = {}  # (code, name) -> this process's share
        self._inflight: dict[tuple[str, str], int] = {}  # increments sent but not answered yet
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._batchers: dict[asyncio.AbstractEventLoop, _Batcher] = {}

    def _key(self, code: str) -> str:
        return f"{self.prefix}room-tally:{code}"

    def _rooms_of(self, proc: str) -> str:
        return f"{self.prefix}room-held:{proc}"

    def _procs(self) -> str:
        return f"{self.prefix}room-procs"

    def start(self) -> None:
        """Beats once now (so the first share is never taken for a dead process's) and then in a thread: every
        process that serves rooms beats, and so takes its turn at dropping the shares of dead ones."""
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="deltaflow-room-heartbeat", daemon=True)
        try:
            self.beat()
        except (redis.ConnectionError, redis.TimeoutError, OSError) as err:
            log.warning("room counts: first heartbeat failed (%s); retrying", err)
        self._thread.start()

    def add(self, code: str, name: str, delta: int, held: bool = True) -> Tally:
        if not held:
            return _tally_of(self._add(keys=[self._key(code)], args=[name, delta, self.ttl_seconds]))
        self.start()
        self._hold(code, name, delta)
        try:
            return _tally_of(self._add_held(keys=self._held_keys(code), args=self._held_args(code, name, delta)))
        finally:
            self._landed(code, name)

    async def add_held_async(self, code: str, name: str, delta: int) -> Tally:
        """add() of a held count from the event loop: no thread, and the increments of a crowd of joins that
        arrive while one is on its way go together in the next script call (each joiner gets the count after it)."""
        if self.url is None:
            import anyio

            return await anyio.to_thread.run_sync(self.add, code, name, delta)
        self.start()
        loop = asyncio.get_running_loop()
        batcher = self._batchers.get(loop)
        if batcher is None:
            import redis.asyncio

            # one connection per loop is enough: increments wait for it together, not one connection each
            client = redis.asyncio.Redis.from_url(self.url)
            batcher = self._batchers[loop] = _Batcher(self, client.register_script(_ADD_HELD))
        self._hold(code, name, delta)
        return await batcher.add(code, name, delta)

    def _hold(self, code: str, name: str, delta: int) -> None:
        with self._lock:
            self._inflight[(code, name)] = self._inflight.get((code, name), 0) + 1
            share = max(0, self._held.get((code, name), 0) + delta)
            if share:
                self._held[(code, name)] = share
            else:
                self._held.pop((code, name), None)

    def _landed(self, code: str, name: str, n: int = 1) -> None:
        with self._lock:
            left = self._inflight.pop((code, name)) - n
            if left:
                self._inflight[(code, name)] = left

    def _held_keys(self, code: str) -> list[str]:
        return [self._key(code), self._rooms_of(self.proc)]

    def _held_args(self, code: str, name: str, delta: int) -> list[Any]:
        return [name, delta, self.proc, self.ttl_seconds, code]

    def _set_share(self, code: str, name: str, share: int) -> list[Any]:
        return list(self._set(keys=[self._key(code), self._rooms_of(self.proc)],
                              args=[name, self.proc, share, self.ttl_seconds, code]))

    def read(self, code: str) -> Tally:
        return _tally_of(self._read(keys=[self._key(code)]))

    def beat(self) -> None:
        """One heartbeat: beat, put back any share dropped by mistake, drop the shares of dead processes."""
        for dead in self._beat(keys=[self._procs()], args=[self.proc, self.timeout]):
            self._reap(_s(dead))
        with self._lock:  # a share with increments on the way is left for a later beat: it would not add up
            held = [(key, share) for key, share in self._held.items() if key not in self._inflight]
        for (code, name), share in held:
            reply = self._set_share(code, name, share)
            if reply[0]:
                log.warning("room counts: this process's share of a count was off; set again")
                self.on_change(code, _tally_of(reply[1:]))

    def _reap(self, dead: str) -> None:
        rooms = self._rooms_of(dead)
        for raw in self.client.smembers(rooms):
            code = _s(raw)
            reply = self._drop(keys=[self._key(code)], args=[dead])
            if reply:
                self.on_change(code, _tally_of(reply))
        self.client.delete(rooms)

    def _run(self) -> None:
        while not self._stop.wait(self.heartbeat):
            try:
                self.beat()
            except (redis.ConnectionError, redis.TimeoutError, OSError) as err:
                log.warning("room counts: heartbeat failed (%s); retrying", err)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)


class _Batcher:
    """Held-count increments from one event loop: one script call at a time, carrying every increment that
    arrived meanwhile (summed per room and count), so a crowd of joins costs a few Redis calls, not one each."""

    def __init__(self, counts: RedisCounts, script: Any) -> None:
        self.counts = counts
        self.script = script
        self.pending: dict[tuple[str, str], tuple[list[int], list[asyncio.Future[Tally]]]] = {}
        self.running = False
        self.task: asyncio.Task[None] | None = None  # held here: the loop keeps only a weak reference to tasks

    async def add(self, code: str, name: str, delta: int) -> Tally:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Tally] = loop.create_future()
        deltas, waiting = self.pending.setdefault((code, name), ([], []))
        deltas.append(delta)
        waiting.append(future)
        if not self.running:
            self.running = True
            self.task = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self.pending:
                batch, self.pending = self.pending, {}
                for (code, name), (deltas, waiting) in batch.items():
                    try:
                        reply = await self.script(keys=self.counts._held_keys(code),
                                                  args=self.counts._held_args(code, name, sum(deltas)))
                        tally = _tally_of(reply)
                    except Exception as err:  # every joiner of this batch hears why (answered 503 upstream)
                        for future in waiting:
                            if not future.done():
                                future.set_exception(err)
                        continue
                    finally:
                        self.counts._landed(code, name, len(deltas))
                    for future in waiting:
                        if not future.done():
                            future.set_result(tally)
        finally:
            self.running = False
