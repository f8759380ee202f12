"""The hub fed by Redis pub/sub: one listener thread per process brings every change made on any worker or host to
this process's streams, as the bytes the writer published."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any

import orjson
import redis

from app.rooms.counts import Tally
from app.rooms.hub import Hub
from app.rooms.redis.counts import tally_channel, tally_channel_pattern
from app.rooms.redis.records import channel_pattern

log = logging.getLogger("deltaflow.rooms")


def ends_channel(prefix: str, code: str) -> str:
    """Where a removed follower's id (or `*` for a room that ended) goes, so every process ends its streams."""
    return f"{prefix}room-ends:{code}"


class RedisHub(Hub):
    """One listener thread and connection per process, started on first use; tallies made here reach this
    process's streams at once and the others through the same thread, at most once per room per tally_interval."""

    def __init__(self, url: str, prefix: str, tally_interval: float = 0.25, keepalive: float = 15.0,
                 timeout: float | None = None) -> None:
        super().__init__(tally_interval, keepalive)
        self.url = url
        self.timeout = timeout
        self.prefix = prefix
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._outbox: dict[str, Tally] = {}
        self._outbox_lock = threading.Lock()
        self._client: redis.Redis | None = None  # for end_streams(), made on first use

    def _ensure_started(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._listen, name="deltaflow-room-hub", daemon=True)
                self._thread.start()

    def ready(self, timeout: float) -> bool:
        self._ensure_started()
        return self._ready.wait(timeout)

    def cached_state(self, code: str) -> tuple[int, dict[str, Any]] | None:
        return super().cached_state(code) if self._ready.is_set() else None

    def local_publish(self, code: str, message: bytes) -> None:
        pass  # the write itself published it to Redis; the listener brings it back to every process

    def publish_tally(self, code: str, tally: Tally) -> None:
        self.offer_tally(code, tally)
        with self._outbox_lock:
            old = self._outbox.get(code)
            if old is None or old.v < tally.v:
                self._outbox[code] = tally
        self._ensure_started()

    def end_streams(self, code: str, follower: str) -> None:
        if self._client is None:
            self._client = redis.Redis.from_url(self.url)
        self._client.publish(ends_channel(self.prefix, code), follower)

    def _flush_outbox(self, client: redis.Redis) -> None:
        with self._outbox_lock:
            out, self._outbox = self._outbox, {}
        if not out:
            return
        pipe = client.pipeline(transaction=False)
        for code, tally in out.items():
            pipe.publish(tally_channel(self.prefix, code), orjson.dumps({"v": tally.v, **tally.values}))
        pipe.execute()

    def _listen(self) -> None:
        backoff = 0.1
        missed = False
        events_prefix = channel_pattern(self.prefix)[:-1].encode()
        tallies_prefix = tally_channel_pattern(self.prefix)[:-1].encode()
        ends_prefix = ends_channel(self.prefix, "").encode()
        next_flush = 0.0
        while not self._stop.is_set():
            # bytes in, bytes out: messages go to streams as they came; a stalled Redis fails a publish (then
            # the loop reconnects) instead of holding this thread
            client = redis.Redis.from_url(self.url, socket_timeout=self.timeout, socket_connect_timeout=self.timeout)
            pubsub = client.pubsub()
            try:
                pubsub.psubscribe(channel_pattern(self.prefix), tally_channel_pattern(self.prefix),
                                  ends_channel(self.prefix, "*"))
                while not self._stop.is_set():
                    msg = pubsub.get_message(timeout=min(1.0, self.tally_interval))
                    if time.monotonic() >= next_flush:
                        next_flush = time.monotonic() + self.tally_interval
                        self._flush_outbox(client)
                    if msg is None:
                        continue
                    if msg["type"] == "psubscribe":
                        self.distrust()  # whatever was read before this subscription may have missed messages
                        self._ready.set()
                        backoff = 0.1
                        if missed:  # changes made while we were disconnected: streams re-read their room
                            self.resync_all()
                            missed = False
                    elif msg["type"] == "pmessage":
                        name: bytes = msg["channel"]
                        if name.startswith(events_prefix):
                            self.publish(name[len(events_prefix):].decode(), msg["data"])
                        elif name.startswith(tallies_prefix):
                            got = orjson.loads(msg["data"])
                            v = int(got.pop("v"))
                            self.offer_tally(name[len(tallies_prefix):].decode(), Tally(got, v))
                        elif name.startswith(ends_prefix):
                            self.end_here(name[len(ends_prefix):].decode(), msg["data"].decode())
            except (redis.ConnectionError, redis.TimeoutError, OSError) as err:
                self._ready.clear()
                self.distrust()
                missed = True
                log.warning("room events: lost the Redis subscription (%s); reconnecting", err)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                with contextlib.suppress(Exception):
                    pubsub.close()
                    client.close()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)
