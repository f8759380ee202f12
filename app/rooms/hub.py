"""Fan-out of room messages to this process's event streams, each message encoded once; tallies go coalesced,
at most every `tally_interval` seconds, and never ahead of a pending state (feeding: local/hub.py, redis/hub.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from app.rooms.counts import Tally

log = logging.getLogger("deltaflow.rooms")

FOLLOWER_TALLY_TICKS = 8  # a follower's page shows the count too, but nobody watches it move: every 2 s is plenty
BACKLOG = 256  # states a stream may fall behind by before it re-reads the room instead
KEEP_ALIVE = b": keep-alive\n\n"
CACHE_SECONDS = 5.0  # a cached room state is trusted this long without news (a room can expire unannounced)


def sse_state(state: dict[str, Any], retry: int | None = None) -> bytes:
    """One room state as an SSE message: `id:` is its seq."""
    head = b"" if retry is None else b"retry: %d\n" % retry
    return head + b"id: %d\ndata: %s\n\n" % (int(state["seq"]), orjson.dumps(state))


def sse_tally(code: str, tally: Tally) -> bytes:
    """A room's counts as an SSE `tally` event: {"code", "v", and each count, e.g. "followers"}."""
    return b"event: tally\ndata: %s\n\n" % orjson.dumps({"code": code, "v": tally.v, **tally.values})


def seq_of(message: bytes) -> int:
    """The seq of an SSE state message made by sse_state()."""
    start = message.index(b"id: ") + 4
    return int(message[start:message.index(b"\n", start)])


def state_of(message: bytes) -> dict[str, Any]:
    start = message.index(b"data: ") + 6
    state: dict[str, Any] = orjson.loads(message[start:message.index(b"\n", start)])
    return state


@dataclass(eq=False)
class Subscription:
    """One open event stream: what it has sent, and what waits for it."""

    code: str
    loop: asyncio.AbstractEventLoop
    tally_every: float = 0.0  # at most one tally per this many seconds on this stream
    last_seq: int = 0
    tally_v: int = 0
    next_tally: float = 0.0
    states: deque[tuple[int, bytes]] = field(default_factory=deque)
    tally: tuple[int, bytes] | None = None
    resync: bool = False  # messages may have been missed: re-read the room from the store
    keepalive_due: bool = False
    follower: str | None = None  # whose stream this is (a follower token was given)
    ended: bool = False  # the follower was removed or the room ended: the stream says so and stops
    quiet: bool = True  # nothing sent since the last keep-alive tick
    waiter: asyncio.Future[None] | None = None

    def wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    def take_due(self) -> list[bytes]:
        """What is due now, states first (a tally or a keep-alive never holds back a step); a resync is left to
        the stream, which must read the room first."""
        out = []
        states = self.states
        while states:
            seq, message = states.popleft()
            if seq > self.last_seq:  # older ones: already sent (a state a resync or the first read had read ahead)
                self.last_seq = seq
                out.append(message)  # the same bytes object for every stream of this process
        if self.tally is not None:
            (v, message), self.tally = self.tally, None
            if v > self.tally_v:
                self.tally_v = v
                out.append(message)
        if out:
            self.quiet = False
        if self.keepalive_due:
            self.keepalive_due = False
            if not out:
                out.append(KEEP_ALIVE)  # not counted as news: a quiet stream gets one every keep-alive period
        return out

    async def wait(self) -> None:
        """Until something is due: a state, a tally, a resync or a keep-alive."""
        if self.states or self.tally is not None or self.resync or self.keepalive_due or self.ended:
            return
        self.waiter = self.loop.create_future()
        try:
            await self.waiter
        finally:
            self.waiter = None


def _give_tally(sub: Subscription, v: int, message: bytes) -> None:
    """On the stream's own loop: the newest tally waits in its one slot (replacing an older one unsent)."""
    if v > sub.tally_v and (sub.tally is None or sub.tally[0] < v):
        sub.tally = (v, message)
        sub.wake()


@dataclass
class _Cached:
    seq: int
    message: bytes | None  # the SSE bytes, when the state came as a message
    state: dict[str, Any] | None
    at: float
    epoch: int

    def get_state(self) -> dict[str, Any]:
        if self.state is None:
            assert self.message is not None
            self.state = state_of(self.message)
        return self.state


class Hub:
    """Subscriptions of this process, fed by publish() and offer_tally() from any thread; a subclass says where
    this process's own writes and tallies go."""

    def __init__(self, tally_interval: float = 0.25, keepalive: float = 15.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.tally_interval = tally_interval
        self.keepalive = keepalive
        self.clock = clock
        self._lock = threading.Lock()
        self._subs: dict[str, set[Subscription]] = {}
        self._cache: dict[str, _Cached] = {}
        self._tallies: dict[str, Tally] = {}  # newest tally per room, by v
        self._pending: set[str] = set()  # rooms whose newest tally the streams have not been offered yet
        self._tickers: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}
        self._epoch = 0  # grows whenever messages may have been missed (a lost Redis subscription)

    # ---- streams ----

    @contextlib.contextmanager
    def subscribe(self, code: str, presenter: bool = False, follower: str | None = None) -> Iterator[Subscription]:
        """Must be entered on the event loop that runs the stream. The presenter's view of the room (where the
        count is on the projector) gets every tally; a follower's, one per FOLLOWER_TALLY_TICKS ticks."""
        loop = asyncio.get_running_loop()
        every = self.tally_interval * (1 if presenter else FOLLOWER_TALLY_TICKS)
        sub = Subscription(code, loop, tally_every=every - self.tally_interval / 2, follower=follower)
        if not presenter:  # it joins with the count in its first state: the next can wait a full period
            sub.next_tally = self.clock() + sub.tally_every
        with self._lock:
            self._subs.setdefault(code, set()).add(sub)
            if loop not in self._tickers or self._tickers[loop].done():
                self._tickers[loop] = loop.create_task(self._tick(loop))
        try:
            yield sub
        finally:
            with self._lock:
                subs = self._subs.get(code)
                if subs is not None:
                    subs.discard(sub)
                    if not subs:
                        del self._subs[code]

    def cached_state(self, code: str) -> tuple[int, dict[str, Any]] | None:
        """The room's latest state as this process knows it, if that knowledge is certain and recent."""
        with self._lock:
            hit = self._cache.get(code)
            if hit is None or hit.epoch != self._epoch or self.clock() - hit.at > CACHE_SECONDS:
                return None
        return hit.seq, dict(hit.get_state())

    @property
    def epoch(self) -> int:
        """Take it before reading a room from the store, and give it to remember() with what was read."""
        return self._epoch

    def remember(self, code: str, state: dict[str, Any], epoch: int) -> None:
        """A state read from the store, kept unless a newer one came meanwhile or messages may have been missed
        since the read began."""
        seq = int(state["seq"])
        with self._lock:
            if epoch != self._epoch:
                return
            hit = self._cache.get(code)
            if hit is None or hit.seq < seq or hit.epoch != self._epoch:
                self._cache[code] = _Cached(seq, None, dict(state), self.clock(), self._epoch)
            elif hit.seq == seq:
                hit.at = self.clock()

    def latest_tally(self, code: str) -> Tally | None:
        with self._lock:
            return self._tallies.get(code)

    # ---- feeding ----

    def publish(self, code: str, message: bytes) -> None:
        """A state message (bytes from sse_state) for every stream of the room in this process, in call order."""
        seq = seq_of(message)
        with self._lock:
            hit = self._cache.get(code)
            if code in self._subs or hit is not None:
                if hit is None or hit.seq < seq or hit.epoch != self._epoch:
                    self._cache[code] = _Cached(seq, message, None, self.clock(), self._epoch)
            loops = {sub.loop for sub in self._subs.get(code, ())}
        for loop in loops:  # one hop per event loop (uvicorn runs one), not one per stream
            with contextlib.suppress(RuntimeError):  # that loop has closed; its streams are gone
                loop.call_soon_threadsafe(self._fan_out, loop, code, seq, message)

    def _fan_out(self, loop: asyncio.AbstractEventLoop, code: str, seq: int, message: bytes) -> None:
        with self._lock:
            subs = [s for s in self._subs.get(code, ()) if s.loop is loop]
        item = (seq, message)
        for sub in subs:
            if seq <= sub.last_seq:
                continue
            if len(sub.states) >= BACKLOG:  # too slow to keep up: one re-read instead of a backlog
                sub.states.clear()
                sub.resync = True
            else:
                sub.states.append(item)
            sub.wake()

    def offer_tally(self, code: str, tally: Tally) -> None:
        """A room's counts: the newest (by v) goes to its streams at the next tick."""
        with self._lock:
            old = self._tallies.get(code)
            if old is not None and old.v >= tally.v:
                return
            self._tallies[code] = tally
            self._pending.add(code)

    def distrust(self) -> None:
        """Messages may be missed from now on: the cached states are no longer certain."""
        with self._lock:
            self._epoch += 1
            self._cache.clear()

    def resync_all(self) -> None:
        """Messages may have been lost: every stream re-reads its room, and the cache is no longer trusted."""
        self.distrust()
        with self._lock:
            subs = [s for group in self._subs.values() for s in group]
        for sub in subs:
            with contextlib.suppress(RuntimeError):
                sub.loop.call_soon_threadsafe(self._mark_resync, sub)

    def end_here(self, code: str, follower: str) -> None:
        """Ends this process's streams of one follower of the room, or of everyone (`*`: the room ended)."""
        with self._lock:
            subs = [s for s in self._subs.get(code, ()) if follower == "*" or s.follower == follower]
            if follower == "*":
                self._cache.pop(code, None)
        for sub in subs:
            with contextlib.suppress(RuntimeError):
                sub.loop.call_soon_threadsafe(self._mark_ended, sub)

    @staticmethod
    def _mark_ended(sub: Subscription) -> None:
        sub.ended = True
        sub.wake()

    @staticmethod
    def _mark_resync(sub: Subscription) -> None:
        sub.resync = True
        sub.wake()

    # ---- the ticker: coalesced tallies, keep-alives, cache upkeep ----

    async def _tick(self, loop: asyncio.AbstractEventLoop) -> None:
        next_keepalive = self.clock() + self.keepalive
        while True:
            await asyncio.sleep(self.tally_interval)
            try:
                self._send_tallies(loop)
                if self.clock() >= next_keepalive:
                    next_keepalive = self.clock() + self.keepalive
                    self._keepalives(loop)
            except Exception:  # the ticker must outlive any one bad room
                log.exception("room ticker")

    def _send_tallies(self, loop: asyncio.AbstractEventLoop) -> None:
        with self._lock:
            pending, self._pending = self._pending, set()
            work = [(code, self._tallies[code], list(self._subs.get(code, ()))) for code in pending]
            for code in pending:
                if code not in self._subs:
                    self._tallies.pop(code, None)  # nobody here shows it; a later join reads it afresh
            now = self.clock()
            for code in [c for c, hit in self._cache.items() if c not in self._subs and now - hit.at > CACHE_SECONDS]:
                del self._cache[code]
        later = set()
        for code, tally, subs in work:
            message: bytes | None = None
            for sub in subs:
                if tally.v > sub.tally_v:
                    if now < sub.next_tally:
                        later.add(code)  # this stream had one lately: it gets the newest at a later tick
                        continue
                    message = message or sse_tally(code, tally)  # encoded once, for every stream that shows it
                    sub.next_tally = now + sub.tally_every
                    if sub.loop is loop:
                        _give_tally(sub, tally.v, message)
                    else:  # a stream on another event loop (uvicorn runs one per process; tests may run more)
                        with contextlib.suppress(RuntimeError):
                            sub.loop.call_soon_threadsafe(_give_tally, sub, tally.v, message)
        if later:
            with self._lock:
                self._pending |= later

    def _keepalives(self, loop: asyncio.AbstractEventLoop) -> None:
        with self._lock:
            subs = [s for group in self._subs.values() for s in group if s.loop is loop]
        for sub in subs:
            if sub.quiet:
                sub.keepalive_due = True
                sub.wake()
            sub.quiet = True

    # ---- what a backend's feed supplies ----

    def ready(self, timeout: float) -> bool:
        """Whether messages published from now on will arrive."""
        raise NotImplementedError

    def local_publish(self, code: str, message: bytes) -> None:
        """Called after a write in this process."""
        raise NotImplementedError

    def publish_tally(self, code: str, tally: Tally) -> None:
        """A tally this process made: its streams get it, and every other process too."""
        raise NotImplementedError

    def end_streams(self, code: str, follower: str) -> None:
        """end_here() on every process that serves the room."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError
