"""Follower identities in Redis, shared by every worker and host: a hash per room (follower id -> token digest)
and one of names, both expiring with the room, and a counter per follower for its fork budget."""

from __future__ import annotations

import redis

from app.rooms.followers import Issued


class RedisFollowers:
    """Identities as `<prefix>room-followers:<code>`, names as `<prefix>room-names:<code>`; fork windows as
    `<prefix>room-forks:<code>:<follower>`."""

    def __init__(self, client: redis.Redis, prefix: str, ttl_seconds: int) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl = max(1, int(ttl_seconds))

    def _key(self, code: str) -> str:
        return f"{self.prefix}room-followers:{code}"

    def _names(self, code: str) -> str:
        return f"{self.prefix}room-names:{code}"

    def add(self, code: str, issued: Issued) -> None:
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(self._key(code), issued.follower, issued.digest)
            pipe.hset(self._names(code), issued.follower, issued.name)
            pipe.expire(self._key(code), self.ttl)
            pipe.expire(self._names(code), self.ttl)
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

    def names(self, code: str) -> dict[str, str]:
        return {_s(k): _s(v) for k, v in self.client.hgetall(self._names(code)).items()}

    def rename(self, code: str, follower: str, name: str) -> bool:
        if not self.client.hexists(self._key(code), follower):
            return False
        self.client.hset(self._names(code), follower, name)
        return True

    def remove(self, code: str, follower: str) -> bool:
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hdel(self._key(code), follower)
            pipe.hdel(self._names(code), follower)
            pipe.delete(f"{self.prefix}room-forks:{code}:{follower}")
            removed, _, _ = pipe.execute()
        return bool(removed)

    def drop(self, code: str) -> None:
        self.client.delete(self._key(code), self._names(code))  # fork windows expire within a minute


def _s(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
