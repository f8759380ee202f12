"""The class list's whereabouts in Redis, shared by every worker and host: three hashes per room (reports as JSON,
last-seen times, open streams), each expiring with the room."""

from __future__ import annotations

import json
from typing import Any

import redis

from app.rooms.redis import scripts
from app.rooms.roster import Whereabouts


class RedisRoster:
    """`<prefix>room-where:<code>`, `<prefix>room-seen:<code>` and `<prefix>room-live:<code>`."""

    def __init__(self, client: redis.Redis, prefix: str, ttl_seconds: int) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl = max(1, int(ttl_seconds))
        self._seen = client.register_script(scripts.ROSTER_SEEN)

    def _keys(self, code: str) -> tuple[str, str, str]:
        return (f"{self.prefix}room-where:{code}", f"{self.prefix}room-seen:{code}",
                f"{self.prefix}room-live:{code}")

    def report(self, code: str, follower: str, report: dict[str, Any]) -> None:
        where = self._keys(code)[0]
        with self.client.pipeline(transaction=False) as pipe:
            pipe.hset(where, follower, json.dumps(report))
            pipe.expire(where, self.ttl)
            pipe.execute()

    def seen(self, code: str, follower: str, at: float, live: int = 0) -> None:
        _, seen, streams = self._keys(code)
        self._seen(keys=[f"{self.prefix}room:{code}", seen, streams], args=[follower, repr(at), live, self.ttl])

    def read(self, code: str) -> Whereabouts:
        with self.client.pipeline(transaction=False) as pipe:
            for key in self._keys(code):
                pipe.hgetall(key)
            reports, seen, live = pipe.execute()
        return Whereabouts({k: json.loads(v) for k, v in reports.items()},
                           {k: float(v) for k, v in seen.items()},
                           {k: max(0, int(v)) for k, v in live.items()})

    def forget(self, code: str, follower: str) -> None:
        with self.client.pipeline(transaction=False) as pipe:
            for key in self._keys(code):
                pipe.hdel(key, follower)
            pipe.execute()

    def drop(self, code: str) -> None:
        self.client.delete(*self._keys(code))
