"""Follower identities in Redis, shared by every worker and host: a hash per room (follower id -> token digest)
that expires with the room, and a counter per follower for its fork budget."""

from __future__ import annotations

import redis

from app.rooms.followers import Issued


class RedisFollowers:
    """Identities as `<prefix>room-followers:<code>`; fork windows as `<prefix>room-forks:<code>:<follower>`."""

    def __init__(self, client: redis.Redis, prefix: str, ttl_seconds: int) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl = max(1, int(ttl_seconds))

    def _key(self, code: str) -> str:
        return f"{self.prefix}room-followers:{code}"

    def add(self, code: str, issued: Issued) -> None:
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(self._key(code), issued.follower, issued.digest)
            pipe.expire(self._key(code), self.ttl)
            pipe.execute()

    def digest(self, code: str, follower: str) -> str | None:
        raw = self.client.hget(self._key(code), follower)
        return None if raw is None else str(raw)

    def issued(self, code: str) -> int:
        return int(self.client.hlen(self._key(code)))

    def spend_fork(self, code: str, follower: str, limit: int, window: int) -> int | None:
        key = f"{self.prefix}room-forks:{code}:{follower}"
        with self.client.pipeline(transaction=True) as pipe:
            pipe.set(key, 0, ex=window, nx=True)
            pipe.incr(key)
            pipe.ttl(key)
            _, used, ttl = pipe.execute()
        return None if int(used) <= limit else max(1, int(ttl))
