"""Fan-out of room changes to the event streams open in this process.

Each stream registers an asyncio queue for its room. LocalHub is fed by the writes of this process (the SQLite
set-up: one process). RedisHub is fed by one listener thread per process, pattern-subscribed to every room's
channel, so a change written by any worker or host reaches every follower. Messages are the rooms' public
states as JSON; streams drop any whose `seq` they have already passed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import redis

from app.rooms.backends import channel_pattern

log = logging.getLogger("deltaflow.rooms")

RESYNC = "__resync__"  # in a queue: messages may have been missed, re-read the room from the store
QUEUE_SIZE = 256


@dataclass(eq=False)
class Subscription:
    """One open event stream: the loop it runs on and its inbox."""

    code: str
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[str] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))


def _deliver(queue: asyncio.Queue[str], message: str) -> None:
    """Runs on the subscriber's loop; a stream too slow to keep up gets one RESYNC instead of a backlog."""
    try:
        queue.put_nowait(message)
    except asyncio.QueueFull:
        while not queue.empty():
            queue.get_nowait()
        queue.put_nowait(RESYNC)


class LocalHub:
    """Subscriptions of this process, fed by dispatch() from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: dict[str, set[Subscription]] = {}

    @contextlib.contextmanager
    def subscribe(self, code: str) -> Iterator[Subscription]:
        """Must be entered on the event loop that will read the queue."""
        sub = Subscription(code, asyncio.get_running_loop())
        with self._lock:
            self._subs.setdefault(code, set()).add(sub)
        try:
            yield sub
        finally:
            with self._lock:
                subs = self._subs.get(code)
                if subs is not None:
                    subs.discard(sub)
                    if not subs:
                        del self._subs[code]

    def dispatch(self, code: str, message: str) -> None:
        with self._lock:
            subs = list(self._subs.get(code, ()))
        for sub in subs:
            try:
                sub.loop.call_soon_threadsafe(_deliver, sub.queue, message)
            except RuntimeError:  # that loop has closed; its stream is gone
                pass

    def dispatch_all(self, message: str) -> None:
        with self._lock:
            codes = list(self._subs)
        for code in codes:
            self.dispatch(code, message)

    def ready(self, timeout: float) -> bool:
        """Whether messages published from now on will arrive (always, in-process)."""
        return True

    def local_publish(self, code: str, message: str) -> None:
        """Called after a write in this process; a no-op where the backend publishes (Redis)."""
        self.dispatch(code, message)

    def close(self) -> None:
        pass


class RedisHub(LocalHub):
    """LocalHub fed by Redis pub/sub: one listener thread and one connection per process, started on first use."""

    def __init__(self, url: str, prefix: str) -> None:
        super().__init__()
        self.url = url
        self.pattern = channel_pattern(prefix)
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def _ensure_started(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._listen, name="deltaflow-room-hub", daemon=True)
                self._thread.start()

    def ready(self, timeout: float) -> bool:
        self._ensure_started()
        return self._ready.wait(timeout)

    def local_publish(self, code: str, message: str) -> None:
        pass  # the write itself published it to Redis; the listener brings it back to every process

    def _listen(self) -> None:
        backoff = 0.1
        missed = False
        while not self._stop.is_set():
            client = redis.Redis.from_url(self.url, decode_responses=True)
            pubsub = client.pubsub()
            try:
                pubsub.psubscribe(self.pattern)
                while not self._stop.is_set():
                    msg = pubsub.get_message(timeout=1.0)
                    if msg is None:
                        continue
                    if msg["type"] == "psubscribe":
                        self._ready.set()
                        backoff = 0.1
                        if missed:  # changes made while we were disconnected: streams re-read their room
                            self.dispatch_all(RESYNC)
                            missed = False
                    elif msg["type"] == "pmessage":
                        self.dispatch(str(msg["channel"]).rsplit(":", 1)[-1], str(msg["data"]))
            except (redis.ConnectionError, redis.TimeoutError, OSError) as err:
                self._ready.clear()
                missed = True
                log.warning("room events: lost the Redis subscription (%s); reconnecting", err)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                with contextlib.suppress(Exception):
                    pubsub.close()
                    client.close()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)
