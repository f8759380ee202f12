"""Room counts shared by every process in a Redis hash per room, with a heartbeat so a dead process's share goes.

Each process keeps its own share of a held count ("followers@<proc>") beside the aggregate; one live process
drops the shares of a process that missed 4 beats, and a process taken for dead by mistake puts its shares back.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import uuid
from collections.abc import Callable
from typing import Any

import redis

from app.rooms.counts import Tally
from app.rooms.redis import scripts

log = logging.getLogger("deltaflow.rooms")
REDIS_TIMEOUT = 8.0  # seconds one count change from the event loop may wait for Redis


def _tally_of(flat: list[Any]) -> Tally:
    """A Tally from a Lua reply [v, name1, value1, name2, value2, ...]."""
    it = iter(flat[1:])
    return Tally({_s(k): int(val) for k, val in zip(it, it, strict=True)}, int(flat[0]))


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def tally_channel_pattern(prefix: str) -> str:
    return f"{prefix}room-tallies:*"


def tally_channel(prefix: str, code: str) -> str:
    return f"{prefix}room-tallies:{code}"


class RedisCounts:
    """Counts shared by every process through Redis, with one heartbeat thread per process (see start())."""

    in_process = False

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
        self._add = client.register_script(scripts.COUNTS_ADD)
        self._add_held = client.register_script(scripts.COUNTS_ADD_HELD)
        self._read = client.register_script(scripts.COUNTS_READ)
        self._set = client.register_script(scripts.COUNTS_SET_SHARE)
        self._drop = client.register_script(scripts.COUNTS_DROP)
        self._beat = client.register_script(scripts.COUNTS_BEAT)
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
            # bounded: a stalled Redis fails the call (the heartbeat then sets the share right) rather than hold it
            client = redis.asyncio.Redis.from_url(self.url, socket_timeout=REDIS_TIMEOUT,
                                                  socket_connect_timeout=REDIS_TIMEOUT)
            batcher = self._batchers[loop] = _Batcher(self, client.register_script(scripts.COUNTS_ADD_HELD))
        self._hold(code, name, delta)
        return await batcher.add(code, name, delta)

    def _hold(self, code: str, name: str, delta: int) -> None:
        with self._lock:
            self._inflight[(code, name)] = self._inflight.get((code, name), 0) + 1
            # a share that falls to 0 stays listed until a beat has set it: if the decrement itself fails (a
            # stalled or lost Redis), that beat is what counts the last followers out
            self._held[(code, name)] = max(0, self._held.get((code, name), 0) + delta)

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
            if not share:
                with self._lock:  # set to 0 in Redis: forget it unless a join came meanwhile
                    if self._held.get((code, name)) == 0 and (code, name) not in self._inflight:
                        del self._held[(code, name)]
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
        """Stops beating and counts this process's followers out at once (its streams end with it)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)
            try:
                self._reap(self.proc)
            except (redis.ConnectionError, redis.TimeoutError, OSError) as err:
                log.warning("room counts: could not count this process's followers out (%s)", err)


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
